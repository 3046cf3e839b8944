import type { ApplicationObject } from '../applications/shapes';
import { DEFAULT_GRANT_TYPES, GRANT_TYPE_LABELS, GRANT_TYPES } from '../applications/grant-types';
import { SCOPE_CATALOG } from '../applications/scopes';
import type { ConsoleContext } from './context';
import { ErrorSummary, fieldId, type Problems, problemFor, TextField } from './form';
import { ConsolePage, CsrfField, type Section } from './layout';
import { Table } from './table';

export const APPS_PATH = '/console/settings/developer/oauth-apps';

const PUBLISH: Record<ApplicationObject['publish_state'], string> = {
  none: 'Private',
  pending: 'Private, review pending',
  approved: 'Public',
  rejected: 'Private, publishing rejected',
};

export interface ApplicationFilters {
  name: string;
  organizationId: string;
  status: string;
}

function MoreOptions({ ctx, app, orgName }: { ctx: ConsoleContext; app: ApplicationObject; orgName: string }) {
  const base = `${APPS_PATH}/${app.id}`;
  return (
    <details class="menu">
      <summary aria-label={`More Options for ${app.name}`}>More Options</summary>
      <div class="menu-items">
        <a href={`${base}/edit`}>Edit</a>
        <form method="post" action={`${base}/active`}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="active" value={app.active ? 'no' : 'yes'} />
          <button type="submit">{app.active ? 'Deactivate' : 'Activate'}</button>
        </form>
        <form method="post" action={`${base}/rotate`} data-confirm={`Make a new client secret for ${app.name}? The current one stops working at once.`}>
          <CsrfField ctx={ctx} />
          <button type="submit">Rotate secret</button>
        </form>
        {app.publish_state === 'none' || app.publish_state === 'rejected' ? (
          <form method="post" action={`${base}/publish`}>
            <CsrfField ctx={ctx} />
            <button type="submit">Make public</button>
          </form>
        ) : null}
        <form method="post" action={`${base}/delete`} data-confirm={`Delete ${app.name} of ${orgName}? Every token it was issued stops working.`}>
          <CsrfField ctx={ctx} />
          <button type="submit">Delete</button>
        </form>
      </div>
    </details>
  );
}

const DONE: Record<string, string> = {
  saved: 'The application was saved.',
  activated: 'The application is active again.',
  deactivated: 'The application was deactivated: it cannot be authorized or get tokens until you activate it.',
  deleted: 'The application was deleted.',
  publish_requested: 'Publishing was requested: an operator will review the application.',
};

export interface ApplicationGridProps {
  ctx: ConsoleContext;
  /** The grid's words, after the path it is reached by: Settings → Developer → OAuth Apps, or My User → OAuth Applications. */
  words: { title: string; add: string };
  apps: ApplicationObject[];
  filters: ApplicationFilters;
  section: Section;
  path: string;
  done?: string;
  /** A refusal from a More Options action, in the API's words. */
  error?: string;
}

export function ApplicationGridPage({ ctx, words, apps, filters, section, path, done, error }: ApplicationGridProps) {
  const orgs = new Map(ctx.viewer.memberships.map((m) => [m.orgId, m]));
  const several = ctx.viewer.memberships.length > 1;
  const mayAdd = ctx.viewer.memberships.some((m) => m.role !== 'member');
  return (
    <ConsolePage
      ctx={ctx}
      title={words.title}
      section={section}
      path={path}
      heading={
        <div class="toolbar">
          <h1>{words.title}</h1>
          {mayAdd ? (
            <a class="button" href={`${APPS_PATH}/new`} data-dialog="add-application">
              {words.add}
            </a>
          ) : null}
        </div>
      }
    >
      {done && DONE[done] ? (
        <p class="notice success" role="status">
          {DONE[done]}
        </p>
      ) : null}
      {error ? (
        <div class="notice error" role="alert">
          <p>{error}</p>
        </div>
      ) : null}
      <form method="get" action={path} class="panel" aria-label="Filter applications">
        <div class="form-actions">
          <div>
            <label for="filter-name">Name</label>
            <input type="text" id="filter-name" name="name" value={filters.name} />
          </div>
          {several ? (
            <div>
              <label for="filter-organization">Organization</label>
              <select id="filter-organization" name="organization_id">
                <option value="">All organizations</option>
                {ctx.viewer.memberships.map((m) => (
                  <option value={m.orgId} selected={m.orgId === filters.organizationId}>
                    {m.orgName}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div>
            <label for="filter-status">Status</label>
            <select id="filter-status" name="status">
              <option value="">Any status</option>
              <option value="active" selected={filters.status === 'active'}>
                Active
              </option>
              <option value="inactive" selected={filters.status === 'inactive'}>
                Inactive
              </option>
            </select>
          </div>
        </div>
        <div class="form-actions">
          <button type="submit">Filter</button>
          <a href={path}>Clear</a>
        </div>
      </form>
      {apps.length === 0 ? (
        <p>No applications match. An OAuth application lets another app call Edgelink's API on behalf of the people who authorize it.</p>
      ) : (
        <Table label="OAuth Applications" columns={['Name', 'Organization', 'Status', 'Visibility', 'Client ID', 'Options']}>
          {apps.map((app) => {
            const org = orgs.get(app.organization_id);
            const writable = org !== undefined && org.role !== 'member';
            return (
              <tr>
                <td>{app.name}</td>
                <td>{org?.orgName ?? app.organization_id}</td>
                <td>{app.active ? <span class="badge ok">Active</span> : <span class="badge neutral">Inactive</span>}</td>
                <td>{PUBLISH[app.publish_state]}</td>
                <td>
                  <code>{app.client_id}</code>
                </td>
                <td>{writable ? <MoreOptions ctx={ctx} app={app} orgName={org.orgName} /> : <span class="muted">Read only</span>}</td>
              </tr>
            );
          })}
        </Table>
      )}
      {mayAdd ? (
        <dialog id="add-application" aria-labelledby="add-application-title">
          <ApplicationForm ctx={ctx} mode="create" values={emptyApplicationValues(ctx)} problems={[]} inDialog />
        </dialog>
      ) : null}
    </ConsolePage>
  );
}

export interface ApplicationFormValues {
  organizationId: string;
  name: string;
  description: string;
  redirectUris: string;
  termsUrl: string;
  privacyUrl: string;
  scopes: string[];
  grantTypes: string[];
  listed: boolean;
  active: boolean;
}

export const emptyApplicationValues = (ctx: ConsoleContext): ApplicationFormValues => ({
  organizationId: ctx.org?.orgId ?? '',
  name: '',
  description: '',
  redirectUris: '',
  termsUrl: '',
  privacyUrl: '',
  scopes: ['all.full_access', 'offline_access'],
  grantTypes: [...DEFAULT_GRANT_TYPES],
  listed: false,
  active: true,
});

export const valuesOf = (app: ApplicationObject): ApplicationFormValues => ({
  organizationId: app.organization_id,
  name: app.name,
  description: app.description,
  redirectUris: app.redirect_uris.join('\n'),
  termsUrl: app.terms_url ?? '',
  privacyUrl: app.privacy_url ?? '',
  scopes: app.scopes,
  grantTypes: app.grant_types,
  listed: app.listed,
  active: app.active,
});

interface ApplicationFormProps {
  ctx: ConsoleContext;
  mode: 'create' | 'edit';
  values: ApplicationFormValues;
  problems: Problems;
  /** Editing: which application. */
  appId?: string;
  /** In the grid's dialog the form names itself; on its own page the page's h1 does. */
  inDialog?: boolean;
}

/** The Add Application (and Edit) form; the same markup in the dialog and on its own page. */
export function ApplicationForm({ ctx, mode, values, problems, appId, inDialog = false }: ApplicationFormProps) {
  const writable = ctx.viewer.memberships.filter((m) => m.role !== 'member');
  const scopeErrors = problemFor(problems, fieldId('scopes'));
  const redirectErrors = problemFor(problems, fieldId('redirect_uris'));
  const grantErrors = problemFor(problems, fieldId('grant_types'));
  const chosen = new Set(values.scopes);
  const grants = new Set(values.grantTypes);
  const action = mode === 'create' ? `${APPS_PATH}/new` : `${APPS_PATH}/${appId}/edit`;
  // The dialog's fields get ids of their own; problems are only ever shown on the page's form.
  const id = (name: string) => (inDialog ? `dialog-${fieldId(name)}` : fieldId(name));
  return (
    <form method="post" action={action} novalidate class={inDialog ? undefined : 'panel'}>
      {inDialog ? <h2 id="add-application-title">Add Application</h2> : null}
      <CsrfField ctx={ctx} />
      {mode === 'create' && writable.length > 1 ? (
        <>
          <label for={id('organization_id')}>Organization</label>
          <select id={id('organization_id')} name="organization_id">
            {writable.map((m) => (
              <option value={m.orgId} selected={m.orgId === values.organizationId}>
                {m.orgName}
              </option>
            ))}
          </select>
        </>
      ) : (
        <input type="hidden" name="organization_id" value={values.organizationId} />
      )}
      <TextField id={id('name')} name="name" label="Application Name" value={values.name} problems={problems} required />
      <label for={id('description')}>
        App Description <span class="muted">(optional)</span>
      </label>
      <span class="hint" id={`${id('description')}-hint`}>
        One or two sentences; people see it when they authorize the app.
      </span>
      <textarea id={id('description')} name="description" rows={3} aria-describedby={`${id('description')}-hint`}>
        {values.description}
      </textarea>
      <fieldset id={id('grant_types')}>
        <legend>Grant types</legend>
        {grantErrors.length > 0 ? <p class="field-error">{grantErrors.join(' ')}</p> : null}
        {GRANT_TYPES.map((g, n) => (
          <label class="check" for={`${id('grant_types')}-${n}`}>
            <input type="checkbox" id={`${id('grant_types')}-${n}`} name="grant_types" value={g} checked={grants.has(g)} />
            <span>
              <code>{g}</code>: {GRANT_TYPE_LABELS[g]}
            </span>
          </label>
        ))}
      </fieldset>
      <label for={id('redirect_uris')}>
        Redirect URLs <span class="muted">(needed for the authorization code grant)</span>
      </label>
      <span class="hint" id={`${id('redirect_uris')}-hint`}>
        One per line, matched exactly. https, or http for 127.0.0.1, [::1] and localhost only. Leave empty for an app that only uses client credentials.
      </span>
      {redirectErrors.length > 0 ? (
        <p class="field-error" id={`${id('redirect_uris')}-error`}>
          {redirectErrors.join(' ')}
        </p>
      ) : null}
      <textarea
        id={id('redirect_uris')}
        name="redirect_uris"
        rows={3}
        aria-describedby={redirectErrors.length > 0 ? `${id('redirect_uris')}-hint ${id('redirect_uris')}-error` : `${id('redirect_uris')}-hint`}
        aria-invalid={redirectErrors.length > 0 ? 'true' : undefined}
      >
        {values.redirectUris}
      </textarea>
      <TextField id={id('terms_url')} name="terms_url" type="url" label="Terms of Service URL" value={values.termsUrl} problems={problems} />
      <TextField id={id('privacy_url')} name="privacy_url" type="url" label="Privacy Policy URL" value={values.privacyUrl} problems={problems} />
      <fieldset id={id('scopes')}>
        <legend>Scopes</legend>
        {scopeErrors.length > 0 ? <p class="field-error">{scopeErrors.join(' ')}</p> : null}
        {SCOPE_CATALOG.map((s, n) => (
          <label class="check" for={`${id('scopes')}-${n}`}>
            <input type="checkbox" id={`${id('scopes')}-${n}`} name="scopes" value={s.scope} checked={chosen.has(s.scope)} />
            <span>
              <code>{s.scope}</code>: {s.description}
            </span>
          </label>
        ))}
      </fieldset>
      <label class="check" for={id('listed')}>
        <input type="checkbox" id={id('listed')} name="listed" value="yes" checked={values.listed} aria-describedby={`${id('listed')}-hint`} />
        <span>List in the public app directory</span>
      </label>
      <span class="hint" id={`${id('listed')}-hint`}>
        Shown at /apps with its description and terms and privacy links once an operator has made it public.
      </span>
      <label class="check" for={id('active')}>
        <input type="checkbox" id={id('active')} name="active" value="yes" checked={values.active} />
        <span>Active</span>
      </label>
      <div class="form-actions">
        <button type="submit">{mode === 'create' ? 'Create' : 'Save'}</button>
        <a href={APPS_PATH} data-dialog-close="">
          Cancel
        </a>
      </div>
    </form>
  );
}

export function ApplicationFormPage(props: {
  ctx: ConsoleContext;
  mode: 'create' | 'edit';
  values: ApplicationFormValues;
  problems: Problems;
  appId?: string;
}) {
  const title = props.mode === 'create' ? 'Add Application' : 'Edit application';
  return (
    <ConsolePage ctx={props.ctx} title={title} section="oauth-apps" path={`${APPS_PATH}/new`}>
      <ErrorSummary problems={props.problems} />
      <ApplicationForm {...props} />
    </ConsolePage>
  );
}
