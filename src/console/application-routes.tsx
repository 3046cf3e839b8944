import { type Context, Hono } from 'hono';
import { type Access, userAccess } from '../applications/access';
import { requestPublish } from '../applications/publish';
import {
  createApplication,
  deleteApplication,
  findApplication,
  listApplications,
  renderApplication,
  rotateClientSecret,
  updateApplication,
} from '../applications/service';
import { createApplicationBody, listApplicationsQuery, updateApplicationBody } from '../applications/shapes';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { issuesToDetails, validationError } from '../lib/validate';
import { APPS_PATH, ApplicationFormPage, type ApplicationFormValues, ApplicationGridPage, emptyApplicationValues, valuesOf } from './application-pages';
import type { ConsoleEnv } from './context';
import { fieldId, type FormValues, formList, formString, type Problems, problemsFrom } from './form';
import { readForm, requireOrg } from './request';
import { parkShownOnce } from './shown-once';

const FIELDS: Record<string, { target: string; label: string }> = {
  organization_id: { target: fieldId('organization_id'), label: 'Organization' },
  name: { target: fieldId('name'), label: 'Application Name' },
  description: { target: fieldId('description'), label: 'App Description' },
  redirect_uris: { target: fieldId('redirect_uris'), label: 'Redirect URLs' },
  terms_url: { target: fieldId('terms_url'), label: 'Terms of Service URL' },
  privacy_url: { target: fieldId('privacy_url'), label: 'Privacy Policy URL' },
  scopes: { target: fieldId('scopes'), label: 'Scopes' },
  grant_types: { target: fieldId('grant_types'), label: 'Grant types' },
  listed: { target: fieldId('listed'), label: 'List in the public app directory' },
  active: { target: fieldId('active'), label: 'Active' },
};
const FALLBACK = { target: fieldId('name'), label: 'This form' };

/** The viewer's access to applications: every organization they belong to, writing where they may. */
function accessFor(c: Context<ConsoleEnv>): Access {
  const org = requireOrg(c);
  const { viewer } = c.var.console;
  return userAccess(viewer.userId, org.orgId, viewer.memberships);
}

function formValues(form: FormValues): ApplicationFormValues {
  return {
    organizationId: formString(form, 'organization_id'),
    name: formString(form, 'name'),
    description: formString(form, 'description'),
    redirectUris: formString(form, 'redirect_uris'),
    termsUrl: formString(form, 'terms_url'),
    privacyUrl: formString(form, 'privacy_url'),
    scopes: formList(form, 'scopes'),
    grantTypes: formList(form, 'grant_types'),
    listed: formString(form, 'listed') === 'yes',
    active: formString(form, 'active') === 'yes',
  };
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

const appId = (id: string) => {
  if (!idSchema('app').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such application.');
  return id;
};

/** A problem of the API as the form's problems; anything without a field goes on the name. */
const problemsOf = (err: ApiError): Problems => problemsFrom(err.details ?? [{ location: 'body', field: 'name', message: err.message }], FIELDS, FALLBACK);

const WORDS: Record<'oauth-apps' | 'my-apps', { title: string; add: string }> = {
  'oauth-apps': { title: 'OAuth Apps', add: 'Create App' },
  'my-apps': { title: 'OAuth Applications', add: 'Add Application' },
};

async function grid(c: Context<ConsoleEnv>, section: 'oauth-apps' | 'my-apps', path: string, error?: { message: string; status: 409 | 422 }) {
  const access = accessFor(c);
  const filters = { name: c.req.query('name') ?? '', organizationId: c.req.query('organization_id') ?? '', status: c.req.query('status') ?? '' };
  const query = listApplicationsQuery.safeParse({
    limit: '200',
    ...(filters.name ? { name: filters.name } : {}),
    ...(filters.organizationId ? { organization_id: filters.organizationId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
  });
  if (!query.success) throw validationError(issuesToDetails(query.error, 'query'));
  const page = await listApplications(c.var.deps.db, access, query.data);
  const html = (
    <ApplicationGridPage
      ctx={c.var.console}
      words={WORDS[section]}
      apps={page.data}
      filters={filters}
      section={section}
      path={path}
      done={c.req.query('done')}
      error={error?.message}
    />
  );
  return c.html(html, error?.status ?? 200);
}

/** Shows a freshly issued secret on the next page, once (see shown-once.ts). */
async function showSecretOnce(c: Context<ConsoleEnv>, app: { name: string; client_id: string; client_secret: string }, title: string) {
  const ticket = await parkShownOnce(c.var.deps, c.var.console.viewer.userId, {
    title,
    subject: `the application ${app.name}`,
    items: [
      { label: 'Client ID', value: app.client_id, secret: false },
      { label: 'Client Secret', value: app.client_secret, secret: true },
    ],
    next: { href: APPS_PATH, label: 'Back to OAuth Applications' },
  });
  return c.redirect(`/console/shown-once/${ticket}`, 303);
}

/** A More Options action: refusals of the API come back on the grid, in its words. */
async function gridAction(c: Context<ConsoleEnv>, action: (access: Access, id: string) => Promise<string>) {
  const access = accessFor(c);
  try {
    const done = await action(access, appId(c.req.param('id') ?? ''));
    return c.redirect(`${APPS_PATH}?done=${done}`, 303);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 422))
      return grid(c, 'oauth-apps', APPS_PATH, { message: err.message, status: err.status });
    throw err;
  }
}

const APP_ID = '/:id{app_[A-Za-z0-9]+}';

export const applicationConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', (c) => grid(c, 'oauth-apps', APPS_PATH))
  .get('/new', (c) => c.html(<ApplicationFormPage ctx={c.var.console} mode="create" values={emptyApplicationValues(c.var.console)} problems={[]} />))
  .post('/new', async (c) => {
    const access = accessFor(c);
    const values = formValues(await readForm(c));
    const render = (problems: Problems) => c.html(<ApplicationFormPage ctx={c.var.console} mode="create" values={values} problems={problems} />, 400);
    const parsed = createApplicationBody.safeParse({
      name: values.name,
      ...(values.description ? { description: values.description } : {}),
      redirect_uris: lines(values.redirectUris),
      ...(values.termsUrl ? { terms_url: values.termsUrl } : {}),
      ...(values.privacyUrl ? { privacy_url: values.privacyUrl } : {}),
      active: values.active,
      scopes: values.scopes,
      grant_types: values.grantTypes,
      listed: values.listed,
      ...(values.organizationId ? { organization_id: values.organizationId } : {}),
    });
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), FIELDS, FALLBACK));
    try {
      const created = await createApplication(c.var.deps, access, parsed.data);
      return showSecretOnce(c, created, `${created.name} was added`);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500 && err.status !== 403) return render(problemsOf(err));
      throw err;
    }
  })
  .get(`${APP_ID}/edit`, async (c) => {
    const app = renderApplication(await findApplication(c.var.deps.db, accessFor(c), appId(c.req.param('id'))));
    return c.html(<ApplicationFormPage ctx={c.var.console} mode="edit" values={valuesOf(app)} problems={[]} appId={app.id} />);
  })
  .post(`${APP_ID}/edit`, async (c) => {
    const access = accessFor(c);
    const id = appId(c.req.param('id'));
    const values = formValues(await readForm(c));
    const render = (problems: Problems) => c.html(<ApplicationFormPage ctx={c.var.console} mode="edit" values={values} problems={problems} appId={id} />, 400);
    const parsed = updateApplicationBody.safeParse({
      name: values.name,
      description: values.description,
      redirect_uris: lines(values.redirectUris),
      terms_url: values.termsUrl || null,
      privacy_url: values.privacyUrl || null,
      active: values.active,
      scopes: values.scopes,
      grant_types: values.grantTypes,
      listed: values.listed,
    });
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), FIELDS, FALLBACK));
    try {
      await updateApplication(c.var.deps, access, id, parsed.data);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500 && err.status !== 403 && err.status !== 404) return render(problemsOf(err));
      throw err;
    }
    return c.redirect(`${APPS_PATH}?done=saved`, 303);
  })
  .post(`${APP_ID}/active`, async (c) => {
    const active = formString(await readForm(c), 'active') === 'yes';
    return gridAction(c, async (access, id) => {
      await updateApplication(c.var.deps, access, id, { active });
      return active ? 'activated' : 'deactivated';
    });
  })
  .post(`${APP_ID}/publish`, (c) =>
    gridAction(c, async (access, id) => {
      await requestPublish(c.var.deps.db, access, id);
      return 'publish_requested';
    }),
  )
  .post(`${APP_ID}/delete`, (c) =>
    gridAction(c, async (access, id) => {
      await deleteApplication(c.var.deps.db, access, id);
      return 'deleted';
    }),
  )
  .post(`${APP_ID}/rotate`, async (c) => {
    const rotated = await rotateClientSecret(c.var.deps.db, accessFor(c), appId(c.req.param('id')));
    return showSecretOnce(c, rotated, `A new client secret for ${rotated.name}`);
  });

/** Oro's path to the same grid: My User → OAuth Applications. */
export const myApplicationsRoute = new Hono<ConsoleEnv>().get('/', (c) => grid(c, 'my-apps', '/console/my-user/oauth-applications'));
