import type { LinkObject } from '../links/shapes';
import type { ConsoleContext } from './context';
import { CopyValue, ErrorSummary, fieldId, type Problems, problemFor, TextAreaField, TextField } from './form';
import { ConsolePage, CsrfField } from './layout';
import { Table } from './table';
import { TagFilterField, TagList } from './tag-list';

/** An integration a link can offer, by name. */
export interface IntegrationChoice {
  id: string;
  name: string;
}

const STATUS_BADGE: Record<LinkObject['status'], [string, string]> = {
  active: ['ok', 'Active'],
  expired: ['neutral', 'Expired'],
  used_up: ['neutral', 'Used up'],
  disabled: ['bad', 'Disabled'],
};

export function LinkStatusBadge({ status }: { status: LinkObject['status'] }) {
  const [tone, label] = STATUS_BADGE[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

const day = (iso: string | null) => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : 'Never');

const integrationNames = (link: LinkObject, names: Map<string, string>) =>
  link.integration_ids === null ? 'Every connectable integration' : link.integration_ids.map((id) => names.get(id) ?? id).join(', ');

/** Links as a table; also the Links tab of an integration. */
export function LinkTable({ links, names, caption }: { links: LinkObject[]; names: Map<string, string>; caption: string }) {
  if (links.length === 0) return <p>No links yet. A link is a URL you give an end user so they can connect their accounts.</p>;
  return (
    <Table label={caption} columns={['Name', 'End user', 'Integrations', 'Tags', 'Status', 'Uses', 'Expires']}>
      {links.map((link) => (
        <tr>
          <td>
            <a href={`/console/links/${link.id}`}>{link.name}</a>
          </td>
          <td>{link.end_user.display_name ?? link.end_user.email ?? link.end_user.id}</td>
          <td>{integrationNames(link, names)}</td>
          <td>
            <TagList tags={link.tags} />
          </td>
          <td>
            <LinkStatusBadge status={link.status} />
          </td>
          <td>{link.max_uses === null ? `${link.uses}` : `${link.uses} of ${link.max_uses}`}</td>
          <td>{day(link.expires_at)}</td>
        </tr>
      ))}
    </Table>
  );
}

export function LinkListPage({ ctx, links, names, tag }: { ctx: ConsoleContext; links: LinkObject[]; names: Map<string, string>; tag: string }) {
  return (
    <ConsolePage
      ctx={ctx}
      title="Links"
      section="links"
      path="/console/links"
      heading={
        <div class="toolbar">
          <h1>Links</h1>
          {ctx.canWrite ? (
            <a class="button" href="/console/links/new">
              + New Link
            </a>
          ) : null}
        </div>
      }
    >
      <form method="get" action="/console/links" class="panel" aria-label="Filter links">
        <TagFilterField id="filter-tag" value={tag} />
        <div class="form-actions">
          <button type="submit">Filter</button>
          <a href="/console/links">Clear</a>
        </div>
      </form>
      <LinkTable links={links} names={names} caption={`Links of ${ctx.org?.orgName ?? ''}`} />
    </ConsolePage>
  );
}

export const EXPIRY_CHOICES: [string, string][] = [
  ['', 'Never'],
  ['3600', 'In 1 hour'],
  ['86400', 'In 1 day'],
  ['604800', 'In 7 days'],
  ['2592000', 'In 30 days'],
];

export interface LinkFormValues {
  name: string;
  endUserId: string;
  endUserEmail: string;
  endUserName: string;
  integrationIds: string[];
  expiresIn: string;
  maxUses: string;
  redirectUrl: string;
  /** `key=value` per line. */
  tags: string;
}

export function NewLinkPage({
  ctx,
  integrations,
  values,
  problems,
}: {
  ctx: ConsoleContext;
  integrations: IntegrationChoice[];
  values: LinkFormValues;
  problems: Problems;
}) {
  const chosen = new Set(values.integrationIds);
  const integrationErrors = problemFor(problems, fieldId('integration_ids'));
  return (
    <ConsolePage ctx={ctx} title="New Link" section="links" path="/console/links/new">
      <ErrorSummary problems={problems} />
      <form method="post" action="/console/links/new" class="panel" novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          id={fieldId('name')}
          name="name"
          label="Link name"
          hint="For you, e.g. Onboarding for Acme."
          value={values.name}
          problems={problems}
          required
        />
        <fieldset>
          <legend>End user</legend>
          <TextField
            id={fieldId('end_user.id')}
            name="end_user_id"
            label="End user ID"
            hint="Your own id for this person; their connections carry it."
            value={values.endUserId}
            problems={problems}
            required
          />
          <TextField id={fieldId('end_user.email')} name="end_user_email" type="email" label="Email" value={values.endUserEmail} problems={problems} />
          <TextField id={fieldId('end_user.display_name')} name="end_user_display_name" label="Display name" value={values.endUserName} problems={problems} />
        </fieldset>
        <fieldset id={fieldId('integration_ids')} aria-describedby="integrations-hint">
          <legend>Integrations</legend>
          <p class="hint" id="integrations-hint">
            Tick the ones this link offers; tick none to offer every connectable integration, now and later.
          </p>
          {integrationErrors.length > 0 ? <p class="field-error">{integrationErrors.join(' ')}</p> : null}
          {integrations.length === 0 ? <p class="muted">No integrations yet.</p> : null}
          {integrations.map((i, n) => (
            <label class="check" for={`integration-${n}`}>
              <input type="checkbox" id={`integration-${n}`} name="integration_ids" value={i.id} checked={chosen.has(i.id)} />
              <span>{i.name}</span>
            </label>
          ))}
        </fieldset>
        <label for={fieldId('expires_in')}>Expires</label>
        <select id={fieldId('expires_in')} name="expires_in">
          {EXPIRY_CHOICES.map(([value, label]) => (
            <option value={value} selected={value === values.expiresIn}>
              {label}
            </option>
          ))}
        </select>
        <TextField
          id={fieldId('max_uses')}
          name="max_uses"
          type="number"
          label="Maximum uses"
          hint="How many accounts the link may connect; 1 makes it single use. Empty: no limit."
          value={values.maxUses}
          problems={problems}
        />
        <TextField
          id={fieldId('redirect_url')}
          name="redirect_url"
          type="url"
          label="Redirect URL"
          hint="Where the end user goes after connecting, with the outcome signed."
          value={values.redirectUrl}
          problems={problems}
        />
        <TextAreaField
          id={fieldId('tags')}
          name="tags"
          label="Tags"
          hint="One key=value per line, at most 10, e.g. env=prod. Keys: lowercase letters, digits and _ . -. Connections made through the link get them."
          value={values.tags}
          problems={problems}
        />
        <div class="form-actions">
          <button type="submit">Create</button>
          <a href="/console/links">Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}

/** The button a developer pastes into their own page: a plain link, styled by them. */
export const connectButtonSnippet = (url: string) => `<a href="${url}" target="_blank" rel="noopener">Connect</a>`;

const DONE: Record<string, string> = {
  created: 'The link was created. Copy its URL and give it to your end user.',
  disabled: 'The link was turned off: it connects nothing now.',
  enabled: 'The link was turned on again.',
};

export function LinkDetailPage({ ctx, link, names, done }: { ctx: ConsoleContext; link: LinkObject; names: Map<string, string>; done?: string }) {
  const path = `/console/links/${link.id}`;
  return (
    <ConsolePage ctx={ctx} title={link.name} section="links" path={path}>
      {done && DONE[done] ? (
        <p class="notice success" role="status">
          {DONE[done]}
        </p>
      ) : null}
      <section class="panel" aria-labelledby="url-heading">
        <h2 id="url-heading">Share the link</h2>
        <CopyValue id="link-url" label="Link URL" value={link.url}>
          <p class="hint">Send it to {link.end_user.display_name ?? link.end_user.id}, or put it behind a button in your app.</p>
        </CopyValue>
        <CopyValue id="connect-snippet" label="Connect button HTML" value={connectButtonSnippet(link.url)}>
          <p class="hint">Paste this into your own page to show a Connect button.</p>
        </CopyValue>
      </section>
      <section class="panel" aria-labelledby="facts-heading">
        <h2 id="facts-heading">Details</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <LinkStatusBadge status={link.status} />
          </dd>
          <dt>End user</dt>
          <dd>
            {link.end_user.id}
            {link.end_user.email ? ` · ${link.end_user.email}` : ''}
            {link.end_user.display_name ? ` · ${link.end_user.display_name}` : ''}
          </dd>
          <dt>Integrations</dt>
          <dd>{integrationNames(link, names)}</dd>
          <dt>Uses</dt>
          <dd>{link.max_uses === null ? `${link.uses} (no limit)` : `${link.uses} of ${link.max_uses}`}</dd>
          <dt>Expires</dt>
          <dd>{day(link.expires_at)}</dd>
          <dt>Redirect URL</dt>
          <dd>{link.redirect_url ?? 'None: the end user sees a page saying they are connected.'}</dd>
          <dt>Tags</dt>
          <dd>
            <TagList tags={link.tags} />
          </dd>
        </dl>
      </section>
      {ctx.canWrite ? (
        <section class="panel" aria-labelledby="manage-heading">
          <h2 id="manage-heading">Manage</h2>
          <div class="form-actions">
            <form method="post" action={`${path}/disabled`}>
              <CsrfField ctx={ctx} />
              <input type="hidden" name="disabled" value={link.disabled ? 'no' : 'yes'} />
              <button type="submit" class="secondary">
                {link.disabled ? 'Turn on' : 'Disable'}
              </button>
            </form>
            <form method="post" action={`${path}/delete`} data-confirm={`Delete the link ${link.name}? Its URL stops working; connections made with it stay.`}>
              <CsrfField ctx={ctx} />
              <button type="submit" class="danger">
                Delete link
              </button>
            </form>
          </div>
        </section>
      ) : null}
    </ConsolePage>
  );
}
