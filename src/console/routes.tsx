import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError } from '../lib/errors';
import { logError } from '../lib/log';
import { pageApp } from '../views/page-app';
import { type ConsoleContext, consoleSession, type ConsoleEnv, rememberOrganization } from './context';
import { adminConsoleRoutes } from './admin-routes';
import { applicationConsoleRoutes, myApplicationsRoute } from './application-routes';
import { authorizationConsoleRoutes } from './authorization-routes';
import { connectionConsoleRoutes } from './connection-routes';
import { developerConsoleRoutes } from './developer-routes';
import { integrationConsoleRoutes, integrationDetailRoutes } from './integration-routes';
import { linkConsoleRoutes } from './link-routes';
import { ConsolePage, sectionForPath } from './layout';
import { readForm, requireOrg } from './request';
import { takeShownOnce } from './shown-once';
import { ShownOncePage } from './shown-once-page';
import { formString } from './form';

/** An error inside the console is a console page: the navigation stays, the message is the API's. */
function renderConsoleError(err: Error, c: Context<ConsoleEnv>) {
  const ctx = c.get('console') as ConsoleContext | undefined;
  const requestId = c.var.requestId ?? 'unknown';
  const clientError = (err instanceof ApiError || err instanceof HTTPException) && err.status < 500;
  if (!clientError) logError(requestId, err, 'console error');
  const status = clientError ? (err as ApiError | HTTPException).status : 500;
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : clientError ? 'This did not work' : 'Something went wrong on our side';
  // An ApiError's message is written for users; anything else could quote what it should not.
  const message =
    err instanceof ApiError && clientError
      ? err.message
      : clientError
        ? 'The request could not be read. Go back and try again.'
        : `Please try again in a moment. If it keeps happening, quote request id ${requestId}.`;
  if (!ctx) return c.text(message, status as 500);
  return c.html(
    <ConsolePage ctx={ctx} title={title} section="integrations" path="/console">
      <div class="notice error" role="alert">
        <p>{message}</p>
      </div>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </ConsolePage>,
    status as 500,
  );
}

/** Every page under /console: signed-in only, same-origin writes with the session's form token. */
export const consoleRoutes = pageApp({
  selfAssets: true,
  // The largest console form (notification templates, up to 5000 characters a language) is far
  // beyond the sign-in forms' 16 KiB; like the management API, the console takes 64 KiB.
  maxBodyBytes: 64 * 1024,
  crossSiteRefusal: { message: 'Open the console and try again.', action: { href: '/console', label: 'Open the console' } },
})
  .use(consoleSession)
  .get('/', (c) => {
    requireOrg(c);
    return c.redirect('/console/oauth', 303);
  })
  .post('/organization', async (c) => {
    const form = await readForm(c);
    const orgId = formString(form, 'org_id');
    const member = c.var.console.viewer.memberships.find((m) => m.orgId === orgId);
    if (!member) throw new ApiError(404, 'not_found', 'You do not belong to that organization.');
    rememberOrganization(c, member.orgId);
    const back = formString(form, 'return_to');
    return c.redirect(back.startsWith('/console') && !back.startsWith('//') ? back : '/console', 303);
  })
  .route('/oauth', integrationConsoleRoutes)
  .route('/oauth', integrationDetailRoutes)
  .route('/authorizations', authorizationConsoleRoutes)
  .route('/links', linkConsoleRoutes)
  .route('/connections', connectionConsoleRoutes)
  .route('/settings/developer/oauth-apps', applicationConsoleRoutes)
  .route('/settings/developer', developerConsoleRoutes)
  .route('/my-user/oauth-applications', myApplicationsRoute)
  .route('/admin', adminConsoleRoutes)
  .get('/shown-once/:ticket', async (c) => {
    const shown = await takeShownOnce(c.var.deps, c.var.console.viewer.userId, c.req.param('ticket'));
    // The page is in the section its way back leads to (an API key's under API keys, a set-password link's under organizations).
    const section = (shown && sectionForPath(shown.next.href)) || 'oauth-apps';
    return c.html(<ShownOncePage ctx={c.var.console} shown={shown} section={section} />, shown ? 200 : 410);
  });

// Inside the console a wrong path is a console page too (the app's own 404 is JSON, for the API).
consoleRoutes.all('*', () => {
  throw new ApiError(404, 'not_found', 'There is no such page in the console.');
});
consoleRoutes.onError(renderConsoleError);
