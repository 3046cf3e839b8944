import type { IntegrationObject } from '../integrations/shapes';
import type { Offering } from '../offerings/service';
import type { ConsoleContext } from './context';
import { CopyValue, ErrorSummary, type Problems, problemFor } from './form';
import { StatusBadge } from './integration-pages';
import { ConsolePage, CsrfField } from './layout';
import { OfferingFields } from './offering-form';
import { type OfferingFormValues, typeLabel } from './offering-form-values';
import { Table } from './table';

export const AUTHORIZATIONS_PATH = '/console/authorizations';

const DONE: Record<string, string> = {
  created: 'The authorization was created, with its integration.',
  saved: 'The authorization was saved.',
  deleted: 'The authorization was deleted.',
};

function Done({ done }: { done?: string }) {
  const message = done ? DONE[done] : undefined;
  return message ? (
    <p class="notice success" role="status">
      {message}
    </p>
  ) : null;
}

export function AuthorizationListPage({
  ctx,
  offerings,
  integrations,
  done,
}: {
  ctx: ConsoleContext;
  offerings: Offering[];
  integrations: IntegrationObject[];
  done?: string;
}) {
  return (
    <ConsolePage
      ctx={ctx}
      title="Authorizations"
      section="authorizations"
      path={AUTHORIZATIONS_PATH}
      heading={
        <div class="toolbar">
          <h1>Authorizations</h1>
          {ctx.canWrite ? (
            <a class="button" href={`${AUTHORIZATIONS_PATH}/create`}>
              Add Authorization
            </a>
          ) : null}
        </div>
      }
    >
      <Done done={done} />
      <p class="muted">
        Your organization's own authorization types: providers that are not in the catalog, such as your own app. No other organization sees them.
      </p>
      {offerings.length === 0 ? (
        <p>No authorizations yet. Add one with its type: API Key, or OAuth 2.0 with your app's client credentials.</p>
      ) : (
        <Table label="Authorizations" columns={['Name', 'Type', 'Status', 'Integration']}>
          {offerings.map((o) => {
            const own = integrations.filter((i) => i.offering_id === o.definition.id);
            return (
              <tr>
                <td>
                  <a href={`${AUTHORIZATIONS_PATH}/${o.definition.id}`}>{o.definition.name}</a>
                </td>
                <td>{typeLabel(o.definition.auth_mode)}</td>
                <td>{o.enabled ? <span class="badge ok">Enabled</span> : <span class="badge neutral">Disabled</span>}</td>
                <td>
                  {own.length === 0
                    ? 'None'
                    : own.map((i) => (
                        <>
                          <a href={`/console/oauth/${i.id}`}>{i.name}</a> <StatusBadge integration={i} />{' '}
                        </>
                      ))}
                </td>
              </tr>
            );
          })}
        </Table>
      )}
    </ConsolePage>
  );
}

export function CreateAuthorizationPage({
  ctx,
  values,
  problems,
  callbackUrl,
}: {
  ctx: ConsoleContext;
  values: OfferingFormValues;
  problems: Problems;
  callbackUrl: string;
}) {
  return (
    <ConsolePage ctx={ctx} title="Add Authorization" section="authorizations" path={`${AUTHORIZATIONS_PATH}/create`}>
      <ErrorSummary problems={problems} />
      <form method="post" action={`${AUTHORIZATIONS_PATH}/create`} class="panel" novalidate>
        <CsrfField ctx={ctx} />
        <OfferingFields values={values} problems={problems} mode="create" withClient />
        {values.type === 'oauth2' ? (
          <CopyValue id="callback-url" label="Callback URL" value={callbackUrl}>
            <p class="hint">Register this exact URL as the redirect URI in your app's OAuth settings.</p>
          </CopyValue>
        ) : null}
        <div class="form-actions">
          <button type="submit" name="action" value="create" id="create-authorization" disabled={!ctx.canWrite}>
            Create Authorization
          </button>
          <a href={AUTHORIZATIONS_PATH}>Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}

export interface AuthorizationPageProps {
  ctx: ConsoleContext;
  offering: Offering;
  integrations: IntegrationObject[];
  values: OfferingFormValues;
  problems: Problems;
  callbackUrl: string;
  done?: string;
}

/** One authorization: what it is, its integration (the create step's result), and, for writers, edit and delete. */
export function AuthorizationPage({ ctx, offering, integrations, values, problems, callbackUrl, done }: AuthorizationPageProps) {
  const d = offering.definition;
  const path = `${AUTHORIZATIONS_PATH}/${d.id}`;
  const deleteProblems = problemFor(problems, 'delete-authorization');
  return (
    <ConsolePage ctx={ctx} title={d.name} section="authorizations" path={path}>
      <p class="muted">
        <a href={AUTHORIZATIONS_PATH}>Authorizations</a> / {d.name}
      </p>
      <Done done={done} />
      <ErrorSummary problems={problems.filter((p) => p.target !== 'delete-authorization')} />
      <dl class="facts">
        <dt>Type</dt>
        <dd>{typeLabel(d.auth_mode)}</dd>
        <dt>Offering id</dt>
        <dd>
          <code>{d.id}</code>
        </dd>
        <dt>Status</dt>
        <dd>{offering.enabled ? 'Enabled' : 'Disabled: no new integrations can use it.'}</dd>
        {d.auth_mode === 'oauth2' ? (
          <>
            <dt>Authorization URI</dt>
            <dd>{d.authorization_url}</dd>
            <dt>Token Endpoint</dt>
            <dd>{d.token_url}</dd>
            <dt>User Information Endpoint</dt>
            <dd>{d.userinfo_url ?? 'None'}</dd>
            <dt>Scopes</dt>
            <dd>{d.default_scopes.length > 0 ? d.default_scopes.join(' ') : 'None'}</dd>
          </>
        ) : null}
      </dl>
      <section class="panel" aria-labelledby="integration-heading">
        <h2 id="integration-heading">Integration</h2>
        {integrations.length === 0 ? (
          <p>
            No integration uses it. <a href={`/console/oauth/create?offering_id=${d.id}`}>Add an integration</a> for it.
          </p>
        ) : (
          <Table label="Integrations of this authorization" columns={['Name', 'Status', 'Last verification']}>
            {integrations.map((i) => (
              <tr>
                <td>
                  <a href={`/console/oauth/${i.id}`}>{i.name}</a>
                </td>
                <td>
                  <StatusBadge integration={i} />
                </td>
                <td>{i.verification?.message ?? 'Not verified yet.'}</td>
              </tr>
            ))}
          </Table>
        )}
        {d.auth_mode === 'oauth2' ? (
          <CopyValue id="callback-url" label="Callback URL" value={callbackUrl}>
            <p class="hint">
              Register this exact URL as the redirect URI in your app's OAuth settings. The client credentials are changed on the integration's page.
            </p>
          </CopyValue>
        ) : null}
      </section>
      {ctx.canWrite ? (
        <>
          <form method="post" action={path} class="panel" novalidate aria-labelledby="edit-heading">
            <h2 id="edit-heading">Edit</h2>
            <CsrfField ctx={ctx} />
            <OfferingFields values={values} problems={problems} mode="edit" withClient={false} />
            <label class="check" for="authorization-enabled">
              <input type="checkbox" id="authorization-enabled" name="enabled" value="yes" checked={offering.enabled} />
              <span>Enabled (new integrations may use it)</span>
            </label>
            <div class="form-actions">
              <button type="submit">Save Authorization</button>
            </div>
          </form>
          <section class="panel" aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete this authorization</h2>
            <p>Delete its integrations first; an authorization in use cannot be deleted.</p>
            <form method="post" action={`${path}/delete`} data-confirm={`Delete the authorization ${d.name}? This cannot be undone.`}>
              <CsrfField ctx={ctx} />
              {deleteProblems.length > 0 ? (
                <p class="field-error" id="delete-authorization" role="alert">
                  {deleteProblems.join(' ')}
                </p>
              ) : null}
              <div class="form-actions">
                <button type="submit" class="danger">
                  Delete Authorization
                </button>
              </div>
            </form>
          </section>
        </>
      ) : null}
    </ConsolePage>
  );
}
