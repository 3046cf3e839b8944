import { and, eq, isNull } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { allowsGrant } from '../applications/grant-types';
import { SCOPE_CATALOG } from '../applications/scopes';
import { users } from '../users/schema';
import { sha256Hex } from '../lib/crypto';
import { describeRoute } from '../lib/validate';
import { authenticateClient } from './client-auth';
import { issuerOf } from './issuer';
import { NO_STORE, OAuthError, invalidRequest, oauthErrorResponse } from './errors';
import { readOAuthForm } from './form';
import { clientCredentialsGrant, exchangeCode, refreshGrant } from './grants';
import { oauthGrants, oauthTokens } from './schema';
import { findLiveToken, revokeGrant } from './tokens';

const tags = ['OAuth server'];

/** Runs an OAuth endpoint, turning OAuthErrors into RFC 6749 answers. */
async function oauthEndpoint(c: Context<AppEnv>, handle: () => Promise<Response>): Promise<Response> {
  try {
    return await handle();
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(c, err);
    throw err;
  }
}

/** Revocation and introspection: an authenticated client and the token it asks about. */
async function clientAndToken(c: Context<AppEnv>) {
  const form = await readOAuthForm(c);
  const app = await authenticateClient(c.var.deps.db, c.req.header('authorization'), form);
  const token = form.get('token');
  if (!token) throw invalidRequest('The parameter "token" is required.');
  return { app, token };
}

const GRANTS = {
  authorization_code: exchangeCode,
  refresh_token: refreshGrant,
  client_credentials: clientCredentialsGrant,
} as const;

function grantTypeOf(form: Map<string, string>): keyof typeof GRANTS {
  const grantType = form.get('grant_type');
  if (grantType === undefined) throw invalidRequest('grant_type is required.');
  if (!Object.hasOwn(GRANTS, grantType)) {
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type "${grantType.slice(0, 40)}" is not supported.`);
  }
  return grantType as keyof typeof GRANTS;
}

export function authorizationServerMetadata(publicUrl: string) {
  const issuer = issuerOf(publicUrl);
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: SCOPE_CATALOG.map((s) => s.scope),
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/openapi.json`,
  };
}

export const wellKnownRoutes = new Hono<AppEnv>().get('/oauth-authorization-server', (c) =>
  c.json(authorizationServerMetadata(c.env.PUBLIC_URL), 200, { 'Cache-Control': 'public, max-age=300' }),
);

export const oauthServerRoutes = new Hono<AppEnv>()
  .post(
    '/token',
    describeRoute({
      summary: 'Token endpoint (RFC 6749 §3.2)',
      description: 'A grant type the application did not declare in its `grant_types` is refused with `unauthorized_client`.',
      tags,
      auth: 'public',
      status: 200,
    }),
    (c) =>
      oauthEndpoint(c, async () => {
        const form = await readOAuthForm(c);
        const app = await authenticateClient(c.var.deps.db, c.req.header('authorization'), form);
        const grantType = grantTypeOf(form);
        // RFC 6749 §5.2: a grant the client did not register for is unauthorized_client, not unsupported.
        if (!allowsGrant(app, grantType)) {
          throw new OAuthError(400, 'unauthorized_client', `This application is not registered for the ${grantType} grant.`);
        }
        const now = Date.now();
        const tokens = await GRANTS[grantType](c.var.deps.db, app, form, now);
        return c.json(tokens, 200, NO_STORE);
      }),
  )
  .post('/revoke', describeRoute({ summary: 'Token revocation (RFC 7009)', tags, auth: 'public', status: 200 }), (c) =>
    oauthEndpoint(c, async () => {
      const { app, token } = await clientAndToken(c);
      const [row] = await c.var.deps.db
        .select({ grantId: oauthTokens.grantId, kind: oauthTokens.kind, applicationId: oauthGrants.applicationId })
        .from(oauthTokens)
        .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
        .where(eq(oauthTokens.tokenHash, await sha256Hex(token)))
        .limit(1);
      // RFC 7009 §2.2: unknown tokens and other clients' tokens get the same 200, and nothing happens.
      if (row && row.applicationId === app.id) {
        const now = Date.now();
        if (row.kind === 'refresh') await revokeGrant(c.var.deps.db, row.grantId, now);
        else {
          await c.var.deps.db
            .update(oauthTokens)
            .set({ revokedAt: now })
            .where(and(eq(oauthTokens.tokenHash, await sha256Hex(token)), isNull(oauthTokens.revokedAt)));
        }
      }
      return c.body(null, 200, NO_STORE);
    }),
  )
  .post('/introspect', describeRoute({ summary: 'Token introspection (RFC 7662)', tags, auth: 'public', status: 200 }), (c) =>
    oauthEndpoint(c, async () => {
      const { app, token } = await clientAndToken(c);
      const live = await findLiveToken(c.var.deps.db, token, Date.now());
      // Only the client the token was issued to learns anything about it.
      if (!live || live.applicationId !== app.id) return c.json({ active: false }, 200, NO_STORE);
      return c.json(
        {
          active: true,
          scope: live.scopes.join(' '),
          client_id: live.clientId,
          token_type: live.kind === 'access' ? 'Bearer' : 'refresh_token',
          ...(live.expiresAt !== null ? { exp: Math.floor(live.expiresAt / 1000) } : {}),
          iat: Math.floor(live.createdAt / 1000),
          ...(live.userId ? { sub: live.userId } : {}),
          organization_id: live.orgId,
          iss: issuerOf(c.env.PUBLIC_URL),
        },
        200,
        NO_STORE,
      );
    }),
  )
  .get('/userinfo', describeRoute({ summary: 'The signed-in user of an access token', tags, auth: 'public', status: 200 }), async (c) => {
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(c.req.header('authorization') ?? '');
    const live = match ? await findLiveToken(c.var.deps.db, match[1]!, Date.now()) : undefined;
    if (live?.kind !== 'access') {
      return c.json({ error: 'invalid_token', error_description: 'The access token is missing, expired or revoked.' }, 401, {
        ...NO_STORE,
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    if (!live.userId) return c.json({ sub: live.clientId, organization_id: live.orgId }, 200, NO_STORE);
    const user = await c.var.deps.db.query.users.findFirst({ where: eq(users.id, live.userId) });
    return c.json({ sub: live.userId, email: user?.email, name: user?.name ?? undefined, organization_id: live.orgId }, 200, NO_STORE);
  });
