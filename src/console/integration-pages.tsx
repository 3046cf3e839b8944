import type { IntegrationObject } from '../integrations/shapes';
import type { OfferingDefinition } from '../offerings/definition';
import type { ConsoleContext } from './context';
import { CopyValue, ErrorSummary, fieldId, type Problems, problemFor, TextField } from './form';
import { ConsolePage, CsrfField } from './layout';
import { Table } from './table';

/** An offering as the select lists it: "Salesforce (sandbox)". */
export interface OfferingChoice {
  id: string;
  name: string;
}

/** The status in words, with what the last verification found. */
export function StatusBadge({ integration }: { integration: IntegrationObject }) {
  if (integration.status === 'configured') return <span class="badge ok">Configured</span>;
  if (integration.verification?.pending_first_connection) return <span class="badge warn">Draft: verified by its first connection</span>;
  return <span class="badge warn">Draft</span>;
}

export function IntegrationListPage({
  ctx,
  integrations,
  offeringNames,
  done,
}: {
  ctx: ConsoleContext;
  integrations: IntegrationObject[];
  offeringNames: Map<string, string>;
  done?: string;
}) {
  return (
    <ConsolePage
      ctx={ctx}
      title="Integrations"
      section="integrations"
      path="/console/oauth"
      heading={
        <div class="toolbar">
          <h1>Integrations</h1>
          {ctx.canWrite ? (
            <a class="button" href="/console/oauth/create">
              Add Integration
            </a>
          ) : null}
        </div>
      }
    >
      {done === 'deleted' || done === 'deleting' ? (
        <p class="notice success" role="status">
          {done === 'deleted'
            ? 'The integration was deleted.'
            : 'The integration was deleted. Its connections are being deleted in the background, each with its webhook.'}
        </p>
      ) : null}
      {integrations.length === 0 ? (
        <p>No integrations yet. An integration holds your OAuth client credentials for one provider, so your end users can connect their accounts.</p>
      ) : (
        <Table label="Integrations" columns={['Name', 'Offering', 'Status', 'Last verification']}>
          {integrations.map((i) => (
            <tr>
              <td>
                <a href={`/console/oauth/${i.id}`}>{i.name}</a>
              </td>
              <td>{offeringNames.get(i.offering_id) ?? i.offering_id}</td>
              <td>
                <StatusBadge integration={i} />
              </td>
              <td>{i.verification?.message ?? 'Not verified yet.'}</td>
            </tr>
          ))}
        </Table>
      )}
    </ConsolePage>
  );
}

/** What the create form shows again after a problem; never the client secret. */
export interface IntegrationFormValues {
  name: string;
  offeringId: string;
  clientId: string;
  scopes: string[];
  otherScopes: string;
  inputs: Record<string, string>;
}

/**
 * The OAuth Scopes of an integration form: the offering's scopes as boxes (required ones ticked
 * and locked), the ones already chosen too, and free entry where the offering's set is open.
 */
export function ScopeChoices({
  offering,
  values,
  problems,
}: {
  offering: OfferingDefinition;
  values: Pick<IntegrationFormValues, 'scopes' | 'otherScopes'>;
  problems: Problems;
}) {
  const required = new Set(offering.required_scopes);
  const listed = [...new Set([...offering.required_scopes, ...offering.default_scopes, ...offering.optional_scopes, ...values.scopes])];
  const chosen = new Set(values.scopes);
  const errors = problemFor(problems, fieldId('scopes'));
  return (
    <fieldset id={fieldId('scopes')} aria-describedby={errors.length > 0 ? 'scopes-error' : undefined}>
      <legend>OAuth Scopes</legend>
      {errors.length > 0 ? (
        <p class="field-error" id="scopes-error">
          {errors.join(' ')}
        </p>
      ) : null}
      {listed.length === 0 ? <p class="muted">{offering.name} lists no scopes.</p> : null}
      {listed.map((scope, n) => {
        const id = `scope-${n}`;
        const isRequired = required.has(scope);
        return (
          <label class="check" for={id}>
            {/* A disabled box is not sent, so a required scope also travels in a hidden field. */}
            <input
              type="checkbox"
              id={id}
              name={isRequired ? undefined : 'scopes'}
              value={scope}
              checked={isRequired || chosen.has(scope)}
              disabled={isRequired}
            />
            {isRequired ? <input type="hidden" name="scopes" value={scope} /> : null}
            <span>
              {scope}
              {isRequired ? ' (required)' : null}
            </span>
          </label>
        );
      })}
      {offering.scopes_closed ? null : (
        <TextField
          id={fieldId('other_scopes')}
          name="other_scopes"
          label="Other scopes"
          hint={`Scopes ${offering.name} takes that are not listed above, separated by spaces.`}
          value={values.otherScopes}
          problems={problems}
        />
      )}
    </fieldset>
  );
}

export interface CreateIntegrationPageProps {
  ctx: ConsoleContext;
  offerings: OfferingChoice[];
  /** The chosen offering's definition; null until one is chosen. */
  offering: OfferingDefinition | null;
  values: IntegrationFormValues;
  problems: Problems;
  callbackUrl: string;
}

export function CreateIntegrationPage({ ctx, offerings, offering, values, problems, callbackUrl }: CreateIntegrationPageProps) {
  const integrationInputs = offering?.inputs.filter((i) => i.source === 'integration') ?? [];
  const oauth = offering?.auth_mode === 'oauth2';
  return (
    <ConsolePage ctx={ctx} title="Add Integration" section="integrations" path="/console/oauth/create">
      <ErrorSummary problems={problems} />
      <form method="post" action="/console/oauth/create" class="panel" novalidate>
        <CsrfField ctx={ctx} />
        <h2>Settings</h2>
        <TextField
          id={fieldId('name')}
          name="name"
          label="Integration Name"
          hint="A friendly label, e.g. Salesforce Production."
          value={values.name}
          problems={problems}
          required
        />
        <label for={fieldId('offering_id')}>Integration Offering</label>
        <span class="hint" id="offering-hint">
          The provider and environment. Choosing one shows its settings below.
        </span>
        {problemFor(problems, fieldId('offering_id')).length > 0 ? (
          <p class="field-error" id="offering-error">
            {problemFor(problems, fieldId('offering_id')).join(' ')}
          </p>
        ) : null}
        <select
          id={fieldId('offering_id')}
          name="offering_id"
          aria-describedby={problemFor(problems, fieldId('offering_id')).length > 0 ? 'offering-hint offering-error' : 'offering-hint'}
        >
          <option value="" selected={offering === null}>
            Choose an offering
          </option>
          {offerings.map((o) => (
            <option value={o.id} selected={o.id === values.offeringId}>
              {o.name}
            </option>
          ))}
        </select>
        <div class="form-actions">
          <button type="submit" name="action" value="choose_offering" class="secondary" id="apply-offering">
            Show this offering's settings
          </button>
        </div>
        {offering === null ? (
          <p class="muted">Choose an offering to see the credentials and scopes it needs.</p>
        ) : (
          <>
            {offering.description ? <p class="muted">{offering.description}</p> : null}
            {integrationInputs.map((input) => (
              <TextField
                id={fieldId(`inputs.${input.key}`)}
                name={`inputs.${input.key}`}
                label={input.label}
                hint={`For example ${input.example}.`}
                value={values.inputs[input.key] ?? input.default ?? ''}
                problems={problems}
                required={input.default === undefined}
              />
            ))}
            {oauth ? (
              <>
                <TextField
                  id={fieldId('client_id')}
                  name="client_id"
                  label="Client ID"
                  hint="Your OAuth client id (Consumer Key) from the provider's app settings."
                  value={values.clientId}
                  problems={problems}
                />
                <TextField
                  id={fieldId('client_secret')}
                  name="client_secret"
                  type="password"
                  label="Client Secret"
                  hint="Your OAuth client secret (Consumer Secret). It is stored securely and never displayed again."
                  problems={problems}
                  autocomplete="new-password"
                />
                <ScopeChoices offering={offering} values={values} problems={problems} />
                <CopyValue id="callback-url" label="Callback URL" value={callbackUrl}>
                  <p class="hint">Register this exact URL in your provider's app configuration; any difference makes sign-ins fail.</p>
                </CopyValue>
              </>
            ) : (
              <p class="muted">{offering.name} needs no client credentials: each end user gives their own on the link page.</p>
            )}
          </>
        )}
        <div class="form-actions">
          <button type="submit" name="action" value="create" id="create-integration" disabled={!ctx.canWrite}>
            Create Integration
          </button>
          <a href="/console/oauth">Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}
