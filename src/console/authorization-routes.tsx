import { type Context, Hono } from 'hono';
import type { AppDeps } from '../deps';
import { callbackUrl, createIntegration, listIntegrations } from '../integrations/service';
import { createIntegrationBody } from '../integrations/shapes';
import { ApiError, type ErrorDetail } from '../lib/errors';
import { issuesToDetails } from '../lib/validate';
import { deleteCustomOffering, getOffering, listOfferings, type Offering, prepareCustomOffering, updateOffering } from '../offerings/service';
import { createOrganizationOfferingBody } from '../offerings/shapes';
import { AUTHORIZATIONS_PATH, AuthorizationListPage, AuthorizationPage, CreateAuthorizationPage } from './authorization-pages';
import type { ConsoleEnv } from './context';
import { formString, optionalString, type Problems, problemsFrom } from './form';
import {
  emptyOfferingValues,
  OFFERING_FALLBACK,
  OFFERING_FIELDS,
  offeringFormValues,
  type OfferingFormValues,
  parseOfferingEdit,
  parseOfferingForm,
  valuesOfOffering,
} from './offering-form-values';
import { readForm, requireOrg, requireWriter } from './request';

const problemsOf = (details: readonly ErrorDetail[]) => problemsFrom(details, OFFERING_FIELDS, OFFERING_FALLBACK);

/** A console-safe problem list from a refused service call; anything else is rethrown. */
function refusal(err: unknown): { problems: Problems; status: 400 | 409 | 422 } {
  if (!(err instanceof ApiError) || err.status >= 500 || err.status === 404) throw err;
  const problems = problemsOf(err.details?.length ? err.details : [{ location: 'body', field: 'name', message: err.message }]);
  return { problems, status: err.status === 409 ? 409 : err.status === 422 ? 422 : 400 };
}

/** The organization's own offering: catalog and shared ones are not its authorizations. */
async function ownOffering(deps: Pick<AppDeps, 'db'>, orgId: string, id: string): Promise<Offering> {
  const offering = await getOffering(deps.db, id, { orgId }).catch(() => undefined);
  if (!offering || offering.orgId !== orgId) throw new ApiError(404, 'not_found', 'No such authorization.');
  return offering;
}

async function integrationsOf(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, orgId: string, offeringId: string) {
  return (await listIntegrations(deps, orgId, { limit: 200, offering_id: offeringId })).data;
}

/** One authorization's page: its settings form (as given, or as stored) and its integrations. */
async function authorizationPage(
  c: Context<ConsoleEnv>,
  orgId: string,
  offering: Offering,
  form: { values?: OfferingFormValues; problems?: Problems; done?: string },
  status: 200 | 400 | 409 | 422 = 200,
) {
  return c.html(
    <AuthorizationPage
      ctx={c.var.console}
      offering={offering}
      integrations={await integrationsOf(c.var.deps, orgId, offering.definition.id)}
      values={form.values ?? valuesOfOffering(offering.definition)}
      problems={form.problems ?? []}
      callbackUrl={callbackUrl(c.env.PUBLIC_URL)}
      done={form.done}
    />,
    status,
  );
}

/**
 * Integry's Authorizations tab: an organization's own offerings. Creating one also makes its
 * integration (Integry's form holds the client credentials), both rows in one batch.
 */
export const authorizationConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const org = requireOrg(c);
    const [offerings, integrations] = await Promise.all([
      listOfferings(c.var.deps.db, { limit: 200 }, { orgId: org.orgId }),
      listIntegrations(c.var.deps, org.orgId, { limit: 200 }),
    ]);
    const own = offerings.data.filter((o) => o.orgId === org.orgId).sort((a, b) => a.definition.name.localeCompare(b.definition.name));
    return c.html(<AuthorizationListPage ctx={c.var.console} offerings={own} integrations={integrations.data} done={c.req.query('done')} />);
  })
  .get('/create', (c) => {
    requireOrg(c);
    const values = emptyOfferingValues(c.req.query('type') === 'oauth2' ? 'oauth2' : 'api_key');
    return c.html(<CreateAuthorizationPage ctx={c.var.console} values={values} problems={[]} callbackUrl={callbackUrl(c.env.PUBLIC_URL)} />);
  })
  .post('/create', async (c) => {
    const org = requireWriter(c);
    const form = await readForm(c);
    const values = offeringFormValues(form);
    const render = (problems: Problems, shown: OfferingFormValues, status: 200 | 400 | 409 | 422) =>
      c.html(<CreateAuthorizationPage ctx={c.var.console} values={shown} problems={problems} callbackUrl={callbackUrl(c.env.PUBLIC_URL)} />, status);
    // Choosing the type re-renders the form for it, keeping the name; the secret is never sent back.
    if (formString(form, 'action') === 'choose_type') return render([], { ...emptyOfferingValues(values.type), name: values.name }, 200);

    const parsed = parseOfferingForm(values, createOrganizationOfferingBody);
    const oauth = values.type === 'oauth2';
    const clientSecret = optionalString(form, 'client_secret');
    const client = oauth ? { client_id: values.clientId || undefined, client_secret: clientSecret } : {};
    const details = [...parsed.problems];
    if (oauth && !values.clientId) details.push({ location: 'body', field: 'client_id', message: 'is required' });
    if (oauth && !clientSecret) details.push({ location: 'body', field: 'client_secret', message: 'is required' });
    const integrationBody = createIntegrationBody.safeParse({ name: values.name, offering_id: 'off_placeholder', ...client });
    if (!integrationBody.success) details.push(...issuesToDetails(integrationBody.error, 'body').filter((d) => d.field !== 'name'));
    if (details.length > 0 || parsed.body === null || !integrationBody.success) return render(problemsOf(details), values, 400);

    try {
      const prepared = prepareCustomOffering(c.var.deps, { orgId: org.orgId }, parsed.body);
      const id = prepared.offering.definition.id;
      await createIntegration(c.var.deps, org.orgId, { ...integrationBody.data, offering_id: id }, Date.now(), prepared);
      return c.redirect(`${AUTHORIZATIONS_PATH}/${id}?done=created`, 303);
    } catch (err) {
      const { problems, status } = refusal(err);
      return render(problems, values, status);
    }
  })
  .get('/:id{off_[a-z0-9_]+}', async (c) => {
    const org = requireOrg(c);
    const offering = await ownOffering(c.var.deps, org.orgId, c.req.param('id'));
    return authorizationPage(c, org.orgId, offering, { done: c.req.query('done') });
  })
  .post('/:id{off_[a-z0-9_]+}', async (c) => {
    const org = requireWriter(c);
    const offering = await ownOffering(c.var.deps, org.orgId, c.req.param('id'));
    const form = await readForm(c);
    const values = { ...offeringFormValues(form), type: offering.definition.auth_mode === 'oauth2' ? ('oauth2' as const) : ('api_key' as const) };
    const render = (problems: Problems, status: 400 | 409 | 422) => authorizationPage(c, org.orgId, offering, { values, problems }, status);
    const parsed = parseOfferingEdit(values, formString(form, 'enabled') === 'yes');
    if (parsed.body === null) return render(problemsOf(parsed.problems), 400);
    try {
      await updateOffering(c.var.deps, { orgId: org.orgId }, offering.definition.id, parsed.body);
    } catch (err) {
      const { problems, status } = refusal(err);
      return render(problems, status);
    }
    return c.redirect(`${AUTHORIZATIONS_PATH}/${offering.definition.id}?done=saved`, 303);
  })
  .post('/:id{off_[a-z0-9_]+}/delete', async (c) => {
    const org = requireWriter(c);
    const offering = await ownOffering(c.var.deps, org.orgId, c.req.param('id'));
    try {
      await deleteCustomOffering(c.var.deps, { orgId: org.orgId }, offering.definition.id);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409) throw err;
      const problems = [{ target: 'delete-authorization', label: 'Delete Authorization', message: err.message }];
      return authorizationPage(c, org.orgId, offering, { problems }, 409);
    }
    return c.redirect(`${AUTHORIZATIONS_PATH}?done=deleted`, 303);
  });
