import { Hono } from 'hono';
import type { AnyContext, AppEnv } from '../env';
import { orgOf, requireOrganization } from '../auth/middleware';
import { authenticateWithResource } from '../auth/with-resource';
import { requireScope } from '../auth/scope';
import { notFound } from '../lib/errors';
import { pageSchema } from '../lib/pagination';
import { describeRoute, validate } from '../lib/validate';
import { ensureFreshToken } from './refresh';
import { renderConnection } from './render';
import type { ConnectionRow } from './schema';
import { importConnection } from './save';
import { renderToken } from './token';
import { apiKeyWithConnection } from './token-lookup';
import { deleteConnection, findConnection, findConnectionRow, listConnections, updateConnection } from './service';
import {
  connectionIdParam,
  connectionObject,
  connectionTokenObject,
  deletedConnectionObject,
  importConnectionBody,
  listConnectionsQuery,
  updateConnectionBody,
} from './shapes';

const tags = ['Connections'];

async function tokenResponse(c: AnyContext, row: ConnectionRow) {
  const deps = c.var.deps;
  const fresh = await ensureFreshToken(deps, row);
  return c.json(await renderToken(deps.keyring, fresh), 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

export const connectionRoutes = new Hono<AppEnv>()
  .get(
    '/:id/token',
    describeRoute({
      summary: "Get a connection's access token",
      description:
        'A token expiring within 5 minutes is refreshed first; concurrent callers share one refresh. ' +
        'Sent with Cache-Control: no-store. 409 connection_needs_reauth: the provider refused the grant, ' +
        'send the end user through a link again. 502 provider_unavailable / 504 provider_timeout: the refresh ' +
        'failed and the old token has expired (while it is valid, it is returned and the error recorded).',
      tags,
      auth: 'organization',
      status: 200,
      response: connectionTokenObject,
    }),
    // One D1 round trip with an API key: the key and the connection are read in one joined query.
    authenticateWithResource(apiKeyWithConnection),
    requireOrganization,
    requireScope('connections.token'),
    validate('param', connectionIdParam),
    async (c) => {
      const { id } = c.req.valid('param');
      const joined = c.var.resource;
      if (joined === null) throw notFound('connection', id);
      return tokenResponse(c, joined ?? (await findConnectionRow(c.var.deps.db, orgOf(c.var.caller).orgId, id)));
    },
  )
  .use(requireOrganization)
  .get(
    '/',
    describeRoute({
      summary: 'List connections',
      description: 'Filter by tag with `?tag=key:value`; repeat it to require every tag given.',
      tags,
      auth: 'organization',
      status: 200,
      response: pageSchema(connectionObject),
    }),
    requireScope('connections.read'),
    validate('query', listConnectionsQuery),
    async (c) => c.json(await listConnections(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('query')), 200),
  )
  .post(
    '/',
    describeRoute({
      summary: 'Import a connection with existing tokens',
      description:
        '201 when created; 200 when the integration, end user and provider account match an existing connection, whose tokens are replaced. ' +
        'API-key and basic integrations take `credentials` instead of `access_token`.',
      tags,
      auth: 'organization',
      status: 201,
      response: connectionObject,
    }),
    validate('json', importConnectionBody),
    async (c) => {
      const { connection, created } = await importConnection(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('json'));
      return c.json(connection, created ? 201 : 200);
    },
  )
  .get(
    '/:id',
    describeRoute({ summary: 'Get a connection', tags, auth: 'organization', status: 200, response: connectionObject }),
    requireScope('connections.read'),
    validate('param', connectionIdParam),
    async (c) => {
      const { connection, integration } = await findConnection(c.var.deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id);
      return c.json(renderConnection(connection, integration), 200);
    },
  )
  .patch(
    '/:id',
    describeRoute({
      summary: "Update a connection's end-user details, metadata and tags",
      description:
        '`metadata` replaces your metadata (null clears it); with `"metadata_mode": "merge"` it is merged shallowly, a null value ' +
        'deleting its key, and the result must still be at most 8 KiB. `tags` replaces every tag. provider_metadata cannot be changed.',
      tags,
      auth: 'organization',
      status: 200,
      response: connectionObject,
    }),
    validate('param', connectionIdParam),
    validate('json', updateConnectionBody),
    async (c) => c.json(await updateConnection(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .delete(
    '/:id',
    describeRoute({
      summary: 'Delete a connection',
      description:
        'Revokes the grant at the provider first where the offering has a revocation URL (best effort; the delete goes on if it fails). ' +
        'A connection whose stored tokens no longer decrypt is deleted without revocation: revocation_skipped says undecryptable.',
      tags,
      auth: 'organization',
      status: 200,
      response: deletedConnectionObject,
    }),
    validate('param', connectionIdParam),
    async (c) => c.json(await deleteConnection(c.var.deps, orgOf(c.var.caller).orgId, c.req.valid('param').id), 200),
  )
  .post(
    '/:id/refresh',
    describeRoute({
      summary: 'Refresh a connection now',
      description:
        'Refreshes even when the token is not due (backoff does not apply); a failure answers with its error. Shares the lease with the token route.',
      tags,
      auth: 'organization',
      status: 200,
      response: connectionObject,
    }),
    validate('param', connectionIdParam),
    async (c) => {
      const deps = c.var.deps;
      const { connection, integration } = await findConnection(deps.db, orgOf(c.var.caller).orgId, c.req.valid('param').id);
      const fresh = await ensureFreshToken(deps, connection, { force: true });
      return c.json(renderConnection(fresh, integration), 200);
    },
  );
