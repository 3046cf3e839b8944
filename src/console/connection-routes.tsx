import { Hono } from 'hono';
import { deleteConnection, findConnection, listConnections, renderConnection } from '../connections/service';
import { listConnectionsQuery } from '../connections/shapes';
import { ApiError } from '../lib/errors';
import { idSchema } from '../lib/ids';
import { validationError, issuesToDetails } from '../lib/validate';
import { createLink } from '../links/service';
import { ConnectionListPage } from './connection-pages';
import type { ConsoleEnv } from './context';
import { formString } from './form';
import { integrationChoices } from './link-routes';
import { readForm, requireOrg, requireWriter } from './request';

const CONNECTION_ID = '/:id{con_[A-Za-z0-9]+}';

/** A reconnect link is for one person and one integration, once, for a week. */
const RECONNECT_LINK_SECONDS = 7 * 24 * 3600;

function connectionId(id: string): string {
  if (!idSchema('con').safeParse(id).success) throw new ApiError(404, 'not_found', 'No such connection.');
  return id;
}

/** Only our own console pages to go back to. */
const consolePath = (value: string) => (value.startsWith('/console/') && !value.startsWith('//') ? value : '/console/connections');

export const connectionConsoleRoutes = new Hono<ConsoleEnv>()
  .get('/', async (c) => {
    const org = requireOrg(c);
    const filters = { integrationId: c.req.query('integration_id') ?? '', endUserId: c.req.query('end_user_id') ?? '', status: c.req.query('status') ?? '' };
    const query = listConnectionsQuery.safeParse({
      limit: '200',
      ...(filters.integrationId ? { integration_id: filters.integrationId } : {}),
      ...(filters.endUserId ? { end_user_id: filters.endUserId } : {}),
      ...(filters.status ? { status: filters.status } : {}),
    });
    if (!query.success) throw validationError(issuesToDetails(query.error, 'query'));
    const [page, integrations] = await Promise.all([listConnections(c.var.deps.db, org.orgId, query.data), integrationChoices(c.var.deps, org.orgId)]);
    return c.html(<ConnectionListPage ctx={c.var.console} connections={page.data} integrations={integrations} filters={filters} done={c.req.query('done')} />);
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
