import { Hono } from 'hono';
import { ApiError, type ErrorDetail } from '../lib/errors';
import { createCustomOffering, getOffering, listOfferings, updateOffering } from '../offerings/service';
import { createOfferingBody } from '../offerings/shapes';
import { ADMIN_OFFERINGS_PATH, AdminOfferingFormPage, AdminOfferingListPage } from './admin-offering-pages';
import type { ConsoleEnv } from './context';
import { formString, type Problems, problemsFrom } from './form';
import {
  emptyOfferingValues,
  OFFERING_FALLBACK,
  OFFERING_FIELDS,
  offeringFormValues,
  parseOfferingEdit,
  parseOfferingForm,
  valuesOfOffering,
} from './offering-form-values';
import { readForm } from './request';

const problemsOf = (details: readonly ErrorDetail[]) => problemsFrom(details, OFFERING_FIELDS, OFFERING_FALLBACK);

function refusal(err: unknown): { problems: Problems; status: 400 | 409 } {
  if (!(err instanceof ApiError) || err.status >= 500 || err.status === 404) throw err;
  return {
    problems: problemsOf(err.details?.length ? err.details : [{ location: 'body', field: 'name', message: err.message }]),
    status: err.status === 409 ? 409 : 400,
  };
}

/** A shared custom offering the operator may edit; catalog entries live in code and are only switched. */
async function sharedCustomOffering(db: Parameters<typeof getOffering>[0], id: string) {
  const offering = await getOffering(db, id, 'operator');
  if (offering.source !== 'custom') throw new ApiError(404, 'not_found', 'Catalog offerings cannot be edited; enable or disable them on the list.');
  return offering;
}

/** The operator's Offerings page (gated to platform admins by admin-routes.tsx). */
export const adminOfferingConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const { data } = await listOfferings(c.var.deps.db, { limit: 200 }, 'operator');
    const sorted = [...data].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
    return c.html(<AdminOfferingListPage ctx={c.var.console} offerings={sorted} done={c.req.query('done')} />);
  })
  .get('/create', (c) => {
    const values = emptyOfferingValues(c.req.query('type') === 'oauth2' ? 'oauth2' : 'api_key');
    return c.html(<AdminOfferingFormPage ctx={c.var.console} values={values} problems={[]} />);
  })
  .post('/create', async (c) => {
    const form = await readForm(c);
    const values = offeringFormValues(form);
    const render = (problems: Problems, status: 200 | 400 | 409) =>
      c.html(<AdminOfferingFormPage ctx={c.var.console} values={values} problems={problems} />, status);
    if (formString(form, 'action') === 'choose_type') return render([], 200);
    const parsed = parseOfferingForm(values, createOfferingBody);
    if (parsed.body === null) return render(problemsOf(parsed.problems), 400);
    try {
      await createCustomOffering(c.var.deps, 'operator', parsed.body);
    } catch (err) {
      const { problems, status } = refusal(err);
      return render(problems, status);
    }
    return c.redirect(`${ADMIN_OFFERINGS_PATH}?done=created`, 303);
  })
  .get('/:id{off_[a-z0-9_]+}', async (c) => {
    const offering = await sharedCustomOffering(c.var.deps.db, c.req.param('id'));
    return c.html(<AdminOfferingFormPage ctx={c.var.console} offering={offering} values={valuesOfOffering(offering.definition)} problems={[]} />);
  })
  .post('/:id{off_[a-z0-9_]+}', async (c) => {
    const offering = await sharedCustomOffering(c.var.deps.db, c.req.param('id'));
    const form = await readForm(c);
    const values = { ...offeringFormValues(form), type: offering.definition.auth_mode === 'oauth2' ? ('oauth2' as const) : ('api_key' as const) };
    const render = (problems: Problems, status: 400 | 409) =>
      c.html(<AdminOfferingFormPage ctx={c.var.console} offering={offering} values={values} problems={problems} />, status);
    const parsed = parseOfferingEdit(values, offering.enabled);
    if (parsed.body === null) return render(problemsOf(parsed.problems), 400);
    try {
      await updateOffering(c.var.deps, 'operator', offering.definition.id, parsed.body);
    } catch (err) {
      const { problems, status } = refusal(err);
      return render(problems, status);
    }
    return c.redirect(`${ADMIN_OFFERINGS_PATH}?done=saved`, 303);
  })
  .post('/:id{off_[a-z0-9_]+}/enabled', async (c) => {
    const form = await readForm(c);
    const enabled = formString(form, 'enabled') === 'yes';
    await updateOffering(c.var.deps, 'operator', c.req.param('id'), { enabled });
    return c.redirect(`${ADMIN_OFFERINGS_PATH}?done=${enabled ? 'enabled' : 'disabled'}`, 303);
  });
