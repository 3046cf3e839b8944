import { Hono } from 'hono';
import type { AppDeps } from '../deps';
import { deleteIntegration } from '../integrations/delete';
import {
  callbackUrl,
  createIntegration,
  findIntegration,
  listIntegrations,
  renderIntegration,
  updateIntegration,
  verifyIntegration,
} from '../integrations/service';
import { createIntegrationBody, type IntegrationObject, updateIntegrationBody } from '../integrations/shapes';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { issuesToDetails } from '../lib/validate';
import type { OfferingDefinition } from '../offerings/definition';
import { findOffering, listOfferings } from '../offerings/service';
import { listConnections } from '../connections/service';
import { listLinks } from '../links/service';
import type { ConsoleEnv } from './context';
import { fieldId, type FormValues, formList, formString, optionalString, type Problems, problemsFrom } from './form';
import { CreateIntegrationPage, IntegrationListPage, type IntegrationFormValues, type OfferingChoice } from './integration-pages';
import { IntegrationConnectionsPage, IntegrationLinksPage, IntegrationSettingsPage } from './integration-detail-page';
import { integrationChoices } from './link-routes';
import { readForm, requireOrg, requireWriter } from './request';

/** Where each API field of an integration is on the form, and what the form calls it. */
const FIELDS: Record<string, { target: string; label: string }> = {
  name: { target: fieldId('name'), label: 'Integration Name' },
  offering_id: { target: fieldId('offering_id'), label: 'Integration Offering' },
  client_id: { target: fieldId('client_id'), label: 'Client ID' },
  client_secret: { target: fieldId('client_secret'), label: 'Client Secret' },
  scopes: { target: fieldId('scopes'), label: 'OAuth Scopes' },
};

function fieldsOf(offering: OfferingDefinition | null) {
  const inputs = Object.fromEntries(
    (offering?.inputs ?? []).filter((i) => i.source === 'integration').map((i) => [`inputs.${i.key}`, { target: fieldId(`inputs.${i.key}`), label: i.label }]),
  );
  return { ...FIELDS, ...inputs };
}

async function offeringChoices(deps: Pick<AppDeps, 'db'>, orgId: string): Promise<OfferingChoice[]> {
  const { data } = await listOfferings(deps.db, { limit: 200 }, { orgId });
  return data.map((o) => ({ id: o.definition.id, name: o.definition.name })).sort((a, b) => a.name.localeCompare(b.name));
}

function formValues(form: FormValues): IntegrationFormValues {
  const inputs: Record<string, string> = {};
  for (const key of Object.keys(form)) {
    if (key.startsWith('inputs.')) inputs[key.slice('inputs.'.length)] = formString(form, key);
  }
  return {
    name: formString(form, 'name'),
    offeringId: formString(form, 'offering_id'),
    clientId: formString(form, 'client_id'),
    scopes: formList(form, 'scopes'),
    otherScopes: formString(form, 'other_scopes'),
    inputs,
  };
}

/** The scopes ticked plus those typed in, as the API takes them. */
const scopesOf = (values: IntegrationFormValues) => [...new Set([...values.scopes, ...values.otherScopes.split(/\s+/).filter(Boolean)])];

/** The create form as the API's body: what the console sends is checked by the API's own schema. */
function createBody(values: IntegrationFormValues, form: FormValues, offering: OfferingDefinition | null) {
  const oauth = offering?.auth_mode === 'oauth2';
  const inputs = Object.fromEntries(Object.entries(values.inputs).filter(([, v]) => v !== ''));
  return {
    name: values.name,
    offering_id: values.offeringId,
    ...(oauth ? { client_id: values.clientId || undefined, client_secret: optionalString(form, 'client_secret'), scopes: scopesOf(values) } : {}),
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
  };
}

const emptyValues = (offeringId = '', name = ''): IntegrationFormValues => ({ name, offeringId, clientId: '', scopes: [], otherScopes: '', inputs: {} });

/** A fresh form for an offering: its default scopes ticked. */
const valuesFor = (offering: OfferingDefinition | null, name: string): IntegrationFormValues => ({
  ...emptyValues(offering?.id ?? '', name),
  scopes: offering ? [...offering.required_scopes, ...offering.default_scopes] : [],
});

async function chosenOffering(deps: Pick<AppDeps, 'db'>, orgId: string, id: string): Promise<OfferingDefinition | null> {
  if (!/^off_[a-z0-9_]+$/.test(id)) return null;
  const offering = await findOffering(deps.db, id, { orgId });
  return offering?.enabled ? offering.definition : null;
}

export const integrationConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const org = requireOrg(c);
    const [page, offerings] = await Promise.all([listIntegrations(c.var.deps, org.orgId, { limit: 200 }), offeringChoices(c.var.deps, org.orgId)]);
    return c.html(
      <IntegrationListPage
        ctx={c.var.console}
        integrations={page.data}
        offeringNames={new Map(offerings.map((o) => [o.id, o.name]))}
        done={c.req.query('done')}
      />,
    );
  })
  .get('/create', async (c) => {
    const org = requireOrg(c);
    const offering = await chosenOffering(c.var.deps, org.orgId, c.req.query('offering_id') ?? '');
    const page = (
      <CreateIntegrationPage
        ctx={c.var.console}
        offerings={await offeringChoices(c.var.deps, org.orgId)}
        offering={offering}
        values={valuesFor(offering, '')}
        problems={[]}
        callbackUrl={callbackUrl(c.env.PUBLIC_URL)}
      />
    );
    return c.html(page);
  })
  .post('/create', async (c) => {
    const org = requireWriter(c);
    const form = await readForm(c);
    const values = formValues(form);
    const offering = await chosenOffering(c.var.deps, org.orgId, values.offeringId);
    const render = async (problems: Problems, shown: IntegrationFormValues, status: 200 | 400 | 422 = 400) =>
      c.html(
        <CreateIntegrationPage
          ctx={c.var.console}
          offerings={await offeringChoices(c.var.deps, org.orgId)}
          offering={offering}
          values={shown}
          problems={problems}
          callbackUrl={callbackUrl(c.env.PUBLIC_URL)}
        />,
        status,
      );
    // Choosing an offering re-renders the form for it; the secret is never sent back.
    if (formString(form, 'action') === 'choose_offering')
      return render(
        [],
        values.offeringId === offering?.id && offering ? { ...valuesFor(offering, values.name), clientId: values.clientId } : valuesFor(offering, values.name),
        200,
      );
    const parsed = createIntegrationBody.safeParse(createBody(values, form, offering));
    const fields = fieldsOf(offering);
    const fallback = { target: fieldId('name'), label: 'This form' };
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), fields, fallback), values);
    try {
      const created = await createIntegration(c.var.deps, org.orgId, parsed.data);
      return c.redirect(`/console/oauth/${created.id}?done=created`, 303);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        return render(
          problemsFrom(err.details?.length ? err.details : [{ location: 'body', field: 'offering_id', message: err.message }], fields, fallback),
          values,
          err.status === 422 ? 422 : 400,
        );
      }
      throw err;
    }
  });

/** Pages of one integration: `/console/oauth/{id}` (Settings) and its actions. */
export const integrationDetailRoutes = new Hono<ConsoleEnv>()
  .get('/:id{int_[A-Za-z0-9]+}', async (c) => {
    const org = requireOrg(c);
    const integration = await loadIntegration(c.var.deps, org.orgId, c.req.param('id'));
    const offering = await findOffering(c.var.deps.db, integration.offering_id, { orgId: org.orgId });
    return c.html(
      <IntegrationSettingsPage
        ctx={c.var.console}
        integration={integration}
        offering={offering?.definition ?? null}
        problems={[]}
        done={c.req.query('done')}
      />,
    );
  })
  .get('/:id{int_[A-Za-z0-9]+}/links', async (c) => {
    const org = requireOrg(c);
    const integration = await loadIntegration(c.var.deps, org.orgId, c.req.param('id'));
    const [page, choices] = await Promise.all([
      listLinks(c.var.deps, org.orgId, { limit: 200, integration_id: integration.id }),
      integrationChoices(c.var.deps, org.orgId),
    ]);
    const names = new Map(choices.map((i) => [i.id, i.name]));
    return c.html(<IntegrationLinksPage ctx={c.var.console} integration={integration} links={page.data} names={names} />);
  })
  .get('/:id{int_[A-Za-z0-9]+}/connections', async (c) => {
    const org = requireOrg(c);
    const integration = await loadIntegration(c.var.deps, org.orgId, c.req.param('id'));
    const page = await listConnections(c.var.deps.db, org.orgId, { limit: 200, integration_id: integration.id });
    return c.html(<IntegrationConnectionsPage ctx={c.var.console} integration={integration} connections={page.data} done={c.req.query('done')} />);
  })
  .post('/:id{int_[A-Za-z0-9]+}/settings', async (c) => {
    const org = requireWriter(c);
    const integration = await loadIntegration(c.var.deps, org.orgId, c.req.param('id'));
    const offering = (await findOffering(c.var.deps.db, integration.offering_id, { orgId: org.orgId }))?.definition ?? null;
    const form = await readForm(c);
    const values = formValues(form);
    const oauth = offering?.auth_mode === 'oauth2';
    const body = {
      ...(values.name ? { name: values.name } : {}),
      ...(oauth ? { client_id: values.clientId || undefined, client_secret: optionalString(form, 'client_secret'), scopes: scopesOf(values) } : {}),
    };
    const fields = { ...fieldsOf(offering), client_secret: { target: fieldId('client_secret'), label: 'New client secret' } };
    const fallback = { target: fieldId('name'), label: 'Settings' };
    const render = (problems: Problems) =>
      c.html(<IntegrationSettingsPage ctx={c.var.console} integration={integration} offering={offering} problems={problems} />, 400);
    const parsed = updateIntegrationBody.safeParse(body);
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), fields, fallback));
    try {
      await updateIntegration(c.var.deps, org.orgId, integration.id, parsed.data);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500 && err.status !== 404)
        return render(problemsFrom(err.details ?? [{ location: 'body', field: 'name', message: err.message }], fields, fallback));
      throw err;
    }
    return c.redirect(`/console/oauth/${integration.id}?done=${parsed.data.client_secret ? 'rotated' : 'saved'}`, 303);
  })
  .post('/:id{int_[A-Za-z0-9]+}/verify', async (c) => {
    const org = requireWriter(c);
    await verifyIntegration(c.var.deps, org.orgId, c.req.param('id'));
    return c.redirect(`/console/oauth/${c.req.param('id')}?done=verified`, 303);
  })
  .post('/:id{int_[A-Za-z0-9]+}/delete', async (c) => {
    const org = requireWriter(c);
    const form = await readForm(c);
    const cascade = formString(form, 'cascade') === 'yes';
    let finished: boolean;
    try {
      ({ finished } = await deleteIntegration(c.var.deps, org.orgId, c.req.param('id'), cascade));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const integration = await loadIntegration(c.var.deps, org.orgId, c.req.param('id'));
        const offering = (await findOffering(c.var.deps.db, integration.offering_id, { orgId: org.orgId }))?.definition ?? null;
        const problems = [{ target: 'delete-cascade', label: 'Delete integration', message: err.message }];
        return c.html(<IntegrationSettingsPage ctx={c.var.console} integration={integration} offering={offering} problems={problems} />, 409);
      }
      throw err;
    }
    // Many connections are deleted in chunks after the response; the integration is gone already.
    return c.redirect(`/console/oauth?done=${finished ? 'deleted' : 'deleting'}`, 303);
  });

async function loadIntegration(deps: Pick<AppDeps, 'db' | 'publicUrl'>, orgId: string, id: string): Promise<IntegrationObject> {
  if (!idSchema('int').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such integration.');
  return renderIntegration(await findIntegration(deps.db, orgId, id), deps.publicUrl);
}
