import type { ConnectionObject } from '../connections/shapes';
import type { IntegrationObject } from '../integrations/shapes';
import type { LinkObject } from '../links/shapes';
import type { OfferingDefinition } from '../offerings/definition';
import type { ConsoleContext } from './context';
import { CopyValue, ErrorSummary, fieldId, type Problems, problemFor, TextField } from './form';
import { ScopeChoices, StatusBadge } from './integration-pages';
import { ConnectionTable } from './connection-pages';
import { ConsolePage, CsrfField } from './layout';
import { LinkTable } from './link-pages';

const DONE: Record<string, string> = {
  created: 'The integration was created.',
  saved: 'The settings were saved.',
  rotated: 'The new client secret was stored, and verification ran again with it.',
  verified: 'Verification ran again; its result is below.',
};

export type IntegrationTab = 'settings' | 'links' | 'connections';

/** The tabs of one integration, as links: each is a page of its own. */
export function IntegrationTabs({ integration, active }: { integration: IntegrationObject; active: IntegrationTab }) {
  const tabs: [IntegrationTab, string, string][] = [
    ['settings', 'Settings', `/console/oauth/${integration.id}`],
    ['links', 'Links', `/console/oauth/${integration.id}/links`],
    ['connections', 'Connections', `/console/oauth/${integration.id}/connections`],
  ];
  return (
    <nav aria-label="Integration">
      <ul class="tabs">
        {tabs.map(([tab, label, href]) => (
          <li>
            <a href={href} aria-current={tab === active ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** `2026-12-02 04:40 UTC`: the minute is what a person plans by. */
const minuteOf = (at: string) => `${at.replace('T', ' ').slice(0, 16)} UTC`;

function VerificationFacts({ integration }: { integration: IntegrationObject }) {
  const v = integration.verification;
  const retryAt = integration.next_verification_at;
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge integration={integration} />{' '}
        {integration.connectable ? 'End users can connect accounts.' : 'End users cannot connect accounts until it is configured.'}
      </dd>
      <dt>Verification</dt>
      <dd>{v ? `${v.message}${v.provider_error ? ` (the provider said "${v.provider_error}")` : ''}` : 'Not verified yet.'}</dd>
      {v ? (
        <>
          <dt>Checked</dt>
          <dd>
            <time datetime={v.checked_at}>{v.checked_at.replace('T', ' ').slice(0, 19)} UTC</time>
          </dd>
        </>
      ) : null}
      {retryAt ? (
        <>
          <dt>Next try</dt>
          <dd>
            Could not reach the provider; retrying at <time datetime={retryAt}>{minuteOf(retryAt)}</time>. Use Verify now to try at once.
          </dd>
        </>
      ) : null}
    </dl>
  );
}

export interface IntegrationSettingsPageProps {
  ctx: ConsoleContext;
  integration: IntegrationObject;
  offering: OfferingDefinition | null;
  problems: Problems;
  done?: string;
}

export function IntegrationSettingsPage({ ctx, integration, offering, problems, done }: IntegrationSettingsPageProps) {
  const oauth = offering?.auth_mode === 'oauth2';
  const path = `/console/oauth/${integration.id}`;
  const deleteProblems = problemFor(problems, 'delete-cascade');
  return (
    <ConsolePage ctx={ctx} title={integration.name} section="integrations" path={path}>
      <p class="muted">
        {offering?.name ?? integration.offering_id} · <code>{integration.id}</code>
      </p>
      <IntegrationTabs integration={integration} active="settings" />
      {done && DONE[done] ? (
        <p class="notice success" role="status">
          {DONE[done]}
        </p>
      ) : null}
      <ErrorSummary problems={problems.filter((p) => p.target !== 'delete-cascade')} />
      <section class="panel" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <VerificationFacts integration={integration} />
        {ctx.canWrite && oauth ? (
          <form method="post" action={`${path}/verify`} class="form-actions">
            <CsrfField ctx={ctx} />
            <button type="submit" class="secondary">
              Verify now
            </button>
          </form>
        ) : null}
      </section>
      {oauth ? (
        <section class="panel" aria-labelledby="callback-heading">
          <h2 id="callback-heading">Callback URL</h2>
          <CopyValue id="callback-url" label="Callback URL" value={integration.callback_url}>
            <p class="hint">Register this exact URL in your provider's app configuration.</p>
          </CopyValue>
        </section>
      ) : null}
      <section class="panel" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Settings</h2>
        {ctx.canWrite ? (
          <form method="post" action={`${path}/settings`} novalidate>
            <CsrfField ctx={ctx} />
            <TextField id={fieldId('name')} name="name" label="Integration Name" value={integration.name} problems={problems} required />
            {oauth ? (
              <>
                <TextField id={fieldId('client_id')} name="client_id" label="Client ID" value={integration.client_id} problems={problems} />
                <p class="muted">Client secret: {integration.has_client_secret ? 'stored (it is never shown).' : 'not set.'}</p>
                <TextField
                  id={fieldId('client_secret')}
                  name="client_secret"
                  type="password"
                  label="New client secret"
                  hint="To rotate the secret, enter the new one; leave empty to keep the current one. Saving a new one verifies the integration again."
                  problems={problems}
                  autocomplete="new-password"
                />
                <ScopeChoices offering={offering!} values={{ scopes: integration.scopes, otherScopes: '' }} problems={problems} />
              </>
            ) : null}
            <div class="form-actions">
              <button type="submit">Save settings</button>
            </div>
          </form>
        ) : (
          <dl class="facts">
            <dt>Client ID</dt>
            <dd>{integration.client_id ?? 'Not set'}</dd>
            <dt>Scopes</dt>
            <dd>{integration.scopes.join(', ') || 'None'}</dd>
          </dl>
        )}
      </section>
      {ctx.canWrite ? (
        <section class="panel" aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete this integration</h2>
          <p>End users can no longer connect through it, and links stop offering it.</p>
          <form method="post" action={`${path}/delete`} data-confirm={`Delete the integration ${integration.name}? This cannot be undone.`}>
            <CsrfField ctx={ctx} />
            {deleteProblems.length > 0 ? (
              <p class="field-error" id="delete-error" role="alert">
                {deleteProblems.join(' ')}
              </p>
            ) : null}
            <label class="check" for="delete-cascade">
              <input type="checkbox" id="delete-cascade" name="cascade" value="yes" aria-describedby={deleteProblems.length > 0 ? 'delete-error' : undefined} />
              <span>Also delete its connections (their tokens are deleted too)</span>
            </label>
            <div class="form-actions">
              <button type="submit" class="danger">
                Delete integration
              </button>
            </div>
          </form>
        </section>
      ) : null}
    </ConsolePage>
  );
}

/** The Links tab: the links that offer this integration, and a new one that does. */
export function IntegrationLinksPage({
  ctx,
  integration,
  links,
  names,
}: {
  ctx: ConsoleContext;
  integration: IntegrationObject;
  links: LinkObject[];
  names: Map<string, string>;
}) {
  return (
    <ConsolePage ctx={ctx} title={integration.name} section="integrations" path={`/console/oauth/${integration.id}/links`}>
      <IntegrationTabs integration={integration} active="links" />
      <div class="toolbar">
        <h2>Links that offer {integration.name}</h2>
        {ctx.canWrite ? (
          <a class="button" href={`/console/links/new?integration_id=${integration.id}`}>
            + New Link
          </a>
        ) : null}
      </div>
      <LinkTable links={links} names={names} caption={`Links that offer ${integration.name}`} />
    </ConsolePage>
  );
}

/** The Connections tab: the accounts end users connected through this integration. */
export function IntegrationConnectionsPage({
  ctx,
  integration,
  connections,
  done,
}: {
  ctx: ConsoleContext;
  integration: IntegrationObject;
  connections: ConnectionObject[];
  done?: string;
}) {
  const path = `/console/oauth/${integration.id}/connections`;
  return (
    <ConsolePage ctx={ctx} title={integration.name} section="integrations" path={path}>
      <IntegrationTabs integration={integration} active="connections" />
      {done === 'deleted' || done === 'deleted_revoked' ? (
        <p class="notice success" role="status">
          The connection was deleted.
        </p>
      ) : null}
      <h2>Connections through {integration.name}</h2>
      <ConnectionTable ctx={ctx} connections={connections} names={new Map([[integration.id, integration.name]])} returnTo={path} />
    </ConsolePage>
  );
}
