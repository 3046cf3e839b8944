import { Hono } from 'hono';
import type { AppDeps } from '../deps';
import { deleteConnection, findConnection, listConnections, renderConnection, updateConnection } from '../connections/service';
import { type ConnectionObject, listConnectionsQuery, updateConnectionBody } from '../connections/shapes';
import { parseTagLines, tagLines } from '../lib/tags';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { validationError, issuesToDetails } from '../lib/validate';
import { createLink } from '../links/service';
import { type ConnectionDataValues, ConnectionDetailPage, ConnectionListPage } from './connection-pages';
import type { ConsoleEnv } from './context';
import { fieldId, formString, type Problems, problemsFrom } from './form';
import { integrationChoices } from './link-routes';
import { readForm, requireOrg, requireWriter } from './request';

const CONNECTION_ID = '/:id{con_[A-Za-z0-9]+}';

/** A reconnect link is for one person and one integration, once, for a week. */
const RECONNECT_LINK_SECONDS = 7 * 24 * 3600;

function connectionId(id: string): string {
  if (!idSchema('con').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such connection.');
  return id;
}

const DATA_FIELDS: Record<string, { target: string; label: string }> = {
  tags: { target: fieldId('tags'), label: 'Tags' },
  metadata: { target: fieldId('metadata'), label: 'Metadata (JSON object)' },
};

const dataValuesOf = (c: ConnectionObject): ConnectionDataValues => ({
  tags: tagLines(c.tags),
  metadata: Object.keys(c.metadata).length > 0 ? JSON.stringify(c.metadata, null, 2) : '',
});

/** The metadata textarea as the API's body takes it: empty clears, else JSON (text that does not parse is a problem here). */
function metadataOf(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** What the connection page shows: the connection as the API renders it, and its integration's name. */
async function detailOf(deps: AppDeps, orgId: string, id: string) {
  const [{ connection, integration }, choices] = await Promise.all([findConnection(deps.db, orgId, id), integrationChoices(deps, orgId)]);
  const shown = renderConnection(connection, integration);
  return { connection: shown, integrationName: choices.find((i) => i.id === shown.integration_id)?.name ?? shown.integration_id };
}

/** Only our own console pages to go back to. */
const consolePath = (value: string) => (value.startsWith('/console/') && !value.startsWith('//') ? value : '/console/connections');

export const connectionConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const org = requireOrg(c);
    const filters = {
      integrationId: c.req.query('integration_id') ?? '',
      endUserId: c.req.query('end_user_id') ?? '',
      status: c.req.query('status') ?? '',
      tag: c.req.query('tag')?.trim() ?? '',
    };
    const query = listConnectionsQuery.safeParse({
      limit: '200',
      ...(filters.integrationId ? { integration_id: filters.integrationId } : {}),
      ...(filters.endUserId ? { end_user_id: filters.endUserId } : {}),
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.tag ? { tag: filters.tag } : {}),
    });
    if (!query.success) throw validationError(issuesToDetails(query.error, 'query'));
    const [page, integrations] = await Promise.all([listConnections(c.var.deps.db, org.orgId, query.data), integrationChoices(c.var.deps, org.orgId)]);
    return c.html(<ConnectionListPage ctx={c.var.console} connections={page.data} integrations={integrations} filters={filters} done={c.req.query('done')} />);
  })
  .get(CONNECTION_ID, async (c) => {
    const org = requireOrg(c);
    const { connection, integrationName } = await detailOf(c.var.deps, org.orgId, connectionId(c.req.param('id')));
    return c.html(
      <ConnectionDetailPage
        ctx={c.var.console}
        connection={connection}
        integrationName={integrationName}
        values={dataValuesOf(connection)}
        problems={[]}
        done={c.req.query('done')}
      />,
    );
  })
  .post(`${CONNECTION_ID}/data`, async (c) => {
    const org = requireWriter(c);
    const id = connectionId(c.req.param('id'));
    const form = await readForm(c);
    const values: ConnectionDataValues = { tags: formString(form, 'tags'), metadata: formString(form, 'metadata') };
    const render = async (problems: Problems) => {
      const { connection, integrationName } = await detailOf(c.var.deps, org.orgId, id);
      return c.html(
        <ConnectionDetailPage ctx={c.var.console} connection={connection} integrationName={integrationName} values={values} problems={problems} />,
        400,
      );
    };
    const metadata = metadataOf(values.metadata);
    if (!metadata.ok) return render([{ ...DATA_FIELDS.metadata!, message: 'must be valid JSON, e.g. {"plan": "pro"}' }]);
    const parsed = updateConnectionBody.safeParse({ tags: parseTagLines(values.tags), metadata: metadata.value });
    if (!parsed.success) return render(problemsFrom(issuesToDetails(parsed.error, 'body'), DATA_FIELDS, DATA_FIELDS.tags!));
    try {
      await updateConnection(c.var.deps, org.orgId, id, parsed.data);
    } catch (err) {
      if (err instanceof ApiError && err.status < 500 && err.details) return render(problemsFrom(err.details, DATA_FIELDS, DATA_FIELDS.tags!));
      throw err;
    }
    return c.redirect(`/console/connections/${id}?done=saved`, 303);
  })
  .post(`${CONNECTION_ID}/reconnect-link`, async (c) => {
    const org = requireWriter(c);
    const { connection, integration } = await findConnection(c.var.deps.db, org.orgId, connectionId(c.req.param('id')));
    const shown = renderConnection(connection, integration);
    const link = await createLink(c.var.deps, org.orgId, {
      name: `Reconnect ${shown.end_user.display_name ?? shown.end_user.id}`,
      integration_ids: [shown.integration_id],
      end_user: {
        id: shown.end_user.id,
        ...(shown.end_user.email ? { email: shown.end_user.email } : {}),
        ...(shown.end_user.display_name ? { display_name: shown.end_user.display_name } : {}),
      },
      expires_in: RECONNECT_LINK_SECONDS,
      max_uses: 1,
      // A reconnect takes the link's tags: these keep the connection's as they are.
      tags: shown.tags,
    });
    return c.redirect(`/console/links/${link.id}?done=created`, 303);
  })
  .post(`${CONNECTION_ID}/delete`, async (c) => {
    const org = requireWriter(c);
    const back = consolePath(formString(await readForm(c), 'return_to'));
    const deleted = await deleteConnection(c.var.deps, org.orgId, connectionId(c.req.param('id')));
    const sep = back.includes('?') ? '&' : '?';
    return c.redirect(`${back}${sep}done=${deleted.revoked_at_provider ? 'deleted_revoked' : 'deleted'}`, 303);
  });
