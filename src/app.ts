import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { adminApiKeyRoutes } from './api-keys/admin-routes';
import { apiKeyCredential } from './api-keys/credential';
import { apiKeyRoutes } from './api-keys/routes';
import { SCOPE_CATALOG } from './applications/scopes';
import { directoryRoutes } from './applications/directory-page';
import { adminApplicationRoutes, applicationRoutes } from './applications/routes';
import { authenticateWith } from './auth/authenticate';
import { verifyOperatorToken } from './auth/operator';
import { FULL_ACCESS } from './auth/scope';
import { buildDeps } from './deps';
import type { AppEnv } from './env';
import { callbackRoutes } from './connect/callback-routes';
import { linkPageRoutes } from './connect/link-page-routes';
import { ApiError, errorBody } from './lib/errors';
import { allowedMethods } from './lib/method-not-allowed';
import { buildOpenApiDocument } from './lib/openapi';
import { logError } from './lib/log';
import { d1Session } from './lib/d1-session';
import { requestLog } from './lib/request-log';
import { adminOrganizationRoutes } from './organizations/admin-routes';
import { adminOfferingRoutes, offeringRoutes } from './offerings/routes';
import { integrationRoutes } from './integrations/routes';
import { linkRoutes } from './links/routes';
import { adminMemberRoutes, adminUserRoutes } from './users/admin-routes';
import { sessionCredential } from './users/session-caller';
import { loginRoutes, logoutRoutes } from './users/page-routes';
import { connectionRoutes } from './connections/routes';
import { assetRoutes as consoleAssetRoutes } from './console/assets';
import { consoleRoutes } from './console/routes';
import { eventRoutes, webhookRoutes } from './webhooks/routes';
import { notificationRoutes, notificationTemplateRoutes } from './notifications/routes';
import { authorizeRoutes } from './oauth-server/authorize';
import { accessTokenCredential } from './oauth-server/credential';
import { oauthServerRoutes, wellKnownRoutes } from './oauth-server/routes';

/** Bodies the management API accepts; the largest legitimate one is far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Who is calling the management API: each credential is verified by the feature that issues it. */
export const authenticate = authenticateWith({
  apiKey: apiKeyCredential,
  accessToken: accessTokenCredential,
  session: sessionCredential,
  operatorToken: verifyOperatorToken,
});

const api = new Hono<AppEnv>()
  .use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  )
  .route('/oauth/callback', callbackRoutes) // public: providers send end users here, with no credentials
  .use(authenticate)
  .route('/api_keys', apiKeyRoutes)
  .route('/offerings', offeringRoutes)
  .route('/integrations', integrationRoutes)
  .route('/links', linkRoutes)
  .route('/connections', connectionRoutes)
  .route('/webhook', webhookRoutes)
  .route('/events', eventRoutes)
  .route('/applications', applicationRoutes)
  .route('/notifications', notificationRoutes)
  .route('/notification_templates', notificationTemplateRoutes)
  .route('/admin/organizations', adminOrganizationRoutes)
  .route('/admin/organizations', adminMemberRoutes)
  .route('/admin/organizations', adminApiKeyRoutes)
  .route('/admin/users', adminUserRoutes)
  .route('/admin/offerings', adminOfferingRoutes)
  .route('/admin/applications', adminApplicationRoutes);

export const app = new Hono<AppEnv>()
  .use(requestLog)
  .use(d1Session)
  .use(async (c, next) => {
    // executionCtx is read when work is handed over, not before: app.request() in tests has none.
    c.set('deps', await buildDeps(c.env, (promise) => c.executionCtx.waitUntil(promise)));
    await next();
  })
  .get('/health', (c) => c.json({ status: 'ok' }, 200))
  .route('/api/v1', api)
  // Outside the page layer: its headers are for pages (no-store), these files are cached for good.
  .route('/console/assets', consoleAssetRoutes)
  .route('/console', consoleRoutes)
  .route('/link', linkPageRoutes)
  .route('/apps', directoryRoutes)
  .route('/login', loginRoutes)
  .route('/logout', logoutRoutes)
  .route('/.well-known', wellKnownRoutes)
  .route('/oauth/authorize', authorizeRoutes)
  .route('/oauth', oauthServerRoutes);

let openApiJson: string | undefined;
app.get('/openapi.json', (c) => {
  openApiJson ??= JSON.stringify(
    buildOpenApiDocument(app, c.env.PUBLIC_URL, Object.fromEntries(SCOPE_CATALOG.map((s) => [s.scope, s.description])), FULL_ACCESS),
  );
  return c.body(openApiJson, 200, { 'content-type': 'application/json; charset=utf-8' });
});

const methodsFor = allowedMethods(app);

app.notFound((c) => {
  const allowed = methodsFor(c.req.path);
  // A path that differs only by a trailing slash is simply not a route.
  if (allowed.length > 0 && !allowed.includes(c.req.method)) {
    const err = new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(', ')}.`);
    return c.json(errorBody(err, c.var.requestId), 405, { Allow: allowed.join(', ') });
  }
  return c.json(errorBody(new ApiError(404, 'not_found', 'No such route.'), c.var.requestId), 404);
});

app.onError((err, c) => {
  const requestId = c.var.requestId ?? 'unknown';
  if (err instanceof ApiError) {
    return c.json(errorBody(err, requestId), err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    const apiErr = new ApiError(err.status, 'bad_request', err.message || 'The request could not be read.');
    return c.json(errorBody(apiErr, requestId), err.status);
  }
  logError(requestId, err, 'unhandled error');
  const internal = new ApiError(500, 'internal_error', `Something went wrong on our side. Quote request id ${requestId} when reporting it.`);
  return c.json(errorBody(internal, requestId), 500);
});

export type App = typeof app;
