import type { ConnectionObject } from '../connections/shapes';
import type { ConsoleContext } from './context';
import { ErrorSummary, fieldId, type Problems, TextAreaField } from './form';
import { ConsolePage, CsrfField } from './layout';
import type { IntegrationChoice } from './link-pages';
import { Table } from './table';
import { TagFilterField, TagList } from './tag-list';

const STATUS: Record<ConnectionObject['status'], [string, string]> = {
  active: ['ok', 'active'],
  needs_reauth: ['warn', 'needs_reauth'],
  revoked: ['bad', 'revoked'],
};

export function ConnectionStatusBadge({ status }: { status: ConnectionObject['status'] }) {
  const [tone, label] = STATUS[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

/** What the status means for the developer, in words. */
function statusWords(c: ConnectionObject): string {
  if (c.status === 'needs_reauth')
    return `The provider no longer accepts this grant${c.last_refresh_error ? `: ${c.last_refresh_error}` : ''}. The end user must connect again.`;
  if (c.status === 'revoked') return 'The grant was revoked.';
  if (c.last_refresh_error) return `Tokens are served; the last refresh failed: ${c.last_refresh_error}`;
  return 'Tokens are served and refreshed.';
}

export interface ConnectionFilters {
  integrationId: string;
  endUserId: string;
  status: string;
  tag: string;
}

/** The connections as a table with their actions; also the Connections tab of an integration. */
export function ConnectionTable({
  ctx,
  connections,
  names,
  returnTo,
}: {
  ctx: ConsoleContext;
  connections: ConnectionObject[];
  names: Map<string, string>;
  returnTo: string;
}) {
  if (connections.length === 0) return <p>No connections match. A connection appears when an end user connects an account through a link.</p>;
  return (
    <Table label="Connections" columns={['End user', 'Account', 'Integration', 'Tags', 'Status', 'Actions']}>
      {connections.map((c) => (
        <tr>
          <td>
            <a href={`/console/connections/${c.id}`}>{c.end_user.display_name ?? c.end_user.id}</a>
            {c.end_user.display_name ? <span class="muted"> ({c.end_user.id})</span> : null}
          </td>
          <td>{c.account.email ?? c.account.name ?? c.provider_account_id}</td>
          <td>{names.get(c.integration_id) ?? c.integration_id}</td>
          <td>
            <TagList tags={c.tags} />
          </td>
          <td>
            <ConnectionStatusBadge status={c.status} />
            <p class="muted">{statusWords(c)}</p>
          </td>
          <td>
            {ctx.canWrite ? (
              <div class="form-actions">
                {c.status !== 'active' ? (
                  <form method="post" action={`/console/connections/${c.id}/reconnect-link`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="secondary" aria-label={`Make a reconnect link for ${c.end_user.display_name ?? c.end_user.id}`}>
                      Make a reconnect link
                    </button>
                  </form>
                ) : null}
                <form
                  method="post"
                  action={`/console/connections/${c.id}/delete`}
                  data-confirm="Delete this connection? Its tokens are revoked at the provider where it allows, and deleted here."
                >
                  <CsrfField ctx={ctx} />
                  <input type="hidden" name="return_to" value={returnTo} />
                  <button type="submit" class="danger" aria-label={`Delete the connection of ${c.end_user.display_name ?? c.end_user.id}`}>
                    Delete
                  </button>
                </form>
              </div>
            ) : null}
          </td>
        </tr>
      ))}
    </Table>
  );
}

const DONE: Record<string, string> = {
  deleted: 'The connection was deleted.',
  deleted_revoked: 'The connection was deleted, and the provider confirmed the grant is revoked.',
};

export function ConnectionListPage({
  ctx,
  connections,
  integrations,
  filters,
  done,
}: {
  ctx: ConsoleContext;
  connections: ConnectionObject[];
  integrations: IntegrationChoice[];
  filters: ConnectionFilters;
  done?: string;
}) {
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  return (
    <ConsolePage ctx={ctx} title="Connections" section="connections" path="/console/connections">
      {done && DONE[done] ? (
        <p class="notice success" role="status">
          {DONE[done]}
        </p>
      ) : null}
      <form method="get" action="/console/connections" class="panel" aria-label="Filter connections">
        <div class="form-actions">
          <div>
            <label for="filter-integration">Integration</label>
            <select id="filter-integration" name="integration_id">
              <option value="">All integrations</option>
              {integrations.map((i) => (
                <option value={i.id} selected={i.id === filters.integrationId}>
                  {i.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="filter-end-user">End user ID</label>
            <input type="text" id="filter-end-user" name="end_user_id" value={filters.endUserId} />
          </div>
          <TagFilterField id="filter-tag" value={filters.tag} />
          <div>
            <label for="filter-status">Status</label>
            <select id="filter-status" name="status">
              <option value="">Any status</option>
              {(['active', 'needs_reauth', 'revoked'] as const).map((s) => (
                <option value={s} selected={s === filters.status}>
                  {s}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="form-actions">
          <button type="submit">Filter</button>
          <a href="/console/connections">Clear</a>
        </div>
      </form>
      <ConnectionTable ctx={ctx} connections={connections} names={names} returnTo="/console/connections" />
    </ConsolePage>
  );
}

/** The developer's data form as typed: tags `key=value` per line, metadata as JSON text. */
export interface ConnectionDataValues {
  tags: string;
  metadata: string;
}

const DETAIL_DONE: Record<string, string> = { saved: 'Tags and metadata were saved.' };

/** One connection: who, what, its tags and metadata (editable by owners and admins), and provider metadata. */
export function ConnectionDetailPage({
  ctx,
  connection: c,
  integrationName,
  values,
  problems,
  done,
}: {
  ctx: ConsoleContext;
  connection: ConnectionObject;
  integrationName: string;
  values: ConnectionDataValues;
  problems: Problems;
  done?: string;
}) {
  const path = `/console/connections/${c.id}`;
  const who = c.end_user.display_name ?? c.end_user.id;
  return (
    <ConsolePage ctx={ctx} title={`Connection of ${who}`} section="connections" path={path}>
      {done && DETAIL_DONE[done] ? (
        <p class="notice success" role="status">
          {DETAIL_DONE[done]}
        </p>
      ) : null}
      <ErrorSummary problems={problems} />
      <section class="panel" aria-labelledby="facts-heading">
        <h2 id="facts-heading">Details</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <ConnectionStatusBadge status={c.status} /> <span class="muted">{statusWords(c)}</span>
          </dd>
          <dt>End user</dt>
          <dd>
            {c.end_user.id}
            {c.end_user.email ? ` · ${c.end_user.email}` : ''}
            {c.end_user.display_name ? ` · ${c.end_user.display_name}` : ''}
          </dd>
          <dt>Account</dt>
          <dd>{c.account.email ?? c.account.name ?? c.provider_account_id}</dd>
          <dt>Integration</dt>
          <dd>{integrationName}</dd>
          <dt>Tags</dt>
          <dd>
            <TagList tags={c.tags} />
          </dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="metadata-heading">
        <h2 id="metadata-heading">Metadata</h2>
        <p class="hint">Your own data on this connection, as the API returns it.</p>
        <pre class="snippet">{JSON.stringify(c.metadata, null, 2)}</pre>
        <h3>Provider metadata</h3>
        <p class="hint">What the provider said (e.g. Salesforce instance_url); read-only.</p>
        <pre class="snippet">{JSON.stringify(c.provider_metadata, null, 2)}</pre>
      </section>
      {ctx.canWrite ? (
        <section class="panel" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit tags and metadata</h2>
          <form method="post" action={`${path}/data`} novalidate>
            <CsrfField ctx={ctx} />
            <TextAreaField
              id={fieldId('tags')}
              name="tags"
              label="Tags"
              hint="One key=value per line, at most 10. Keys: lowercase letters, digits and _ . -. Replaces every tag."
              value={values.tags}
              problems={problems}
            />
            <TextAreaField
              id={fieldId('metadata')}
              name="metadata"
              label="Metadata (JSON object)"
              hint="A JSON object of at most 8 KiB; replaces the metadata. Empty clears it."
              value={values.metadata}
              problems={problems}
              rows={8}
            />
            <div class="form-actions">
              <button type="submit">Save</button>
              <a href="/console/connections">Back to connections</a>
            </div>
          </form>
        </section>
      ) : null}
    </ConsolePage>
  );
}
