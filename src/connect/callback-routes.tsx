import { deleteCookie, getCookie } from 'hono/cookie';
import { describeRoute } from '../lib/validate';
import { Notice } from '../views/notice';
import { pageApp } from '../views/page-app';
import { completeOAuthCallback, type CallbackFailure } from './callback';
import { buildResultRedirect } from './redirect';
import { bindingCookieAttributes, bindingCookieName } from './state';
import { loggableOAuthError } from '../provider/provider-reply';

const MAX_PARAM = 4096;

/** Query parameters as plain strings; anything oversized or repeated is dropped, not trusted. */
function readQuery(raw: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(raw)) {
    if (values.length === 1 && values[0]!.length <= MAX_PARAM && key.length <= 64) out[key] = values[0]!;
  }
  return out;
}

/** What the callback itself puts in `providerError` when a reply could not be read. */
const OUR_MARKERS = new Set(['malformed_token_response', 'malformed_userinfo_response']);

function logFailure(requestId: string, failure: CallbackFailure) {
  console.log(
    JSON.stringify({
      level: 'warn',
      msg: 'oauth callback failed',
      request_id: requestId,
      reason: failure.reason,
      status: failure.status,
      org_id: failure.flow?.orgId ?? null,
      integration_id: failure.flow?.integrationId ?? null,
      // Our own markers as they are; a provider's error only when it is a registered code.
      provider_error: OUR_MARKERS.has(failure.providerError ?? '') ? failure.providerError : loggableOAuthError(failure.providerError),
    }),
  );
}

/**
 * `GET /api/v1/oauth/callback` (mounted at `/api/v1/oauth/callback`): where every provider
 * sends the end user back. A crash is the page layer's 500 page, never JSON: the person here
 * is an end user in a browser.
 */
export const callbackRoutes = pageApp().get(
  '/',
  describeRoute({
    summary: 'OAuth callback (register this URL at every provider)',
    description:
      "Providers send end users here after they authorize. Answers an HTML result page, or redirects to the link's redirect_url with status, connection_id or error, link_id, end_user_id, timestamp and signature.",
    tags: ['Connect flow'],
    auth: 'public',
    status: 200,
  }),
  async (c) => {
    const all = readQuery(c.req.queries());
    const cookieName = bindingCookieName(c.env.PUBLIC_URL);
    const deps = c.var.deps;
    const outcome = await completeOAuthCallback(
      deps,
      { state: all.state, code: all.code, error: all.error, error_description: all.error_description, iss: all.iss, all },
      getCookie(c, cookieName),
    );
    const { secure } = bindingCookieAttributes(c.env.PUBLIC_URL);
    deleteCookie(c, cookieName, { path: '/', secure });

    if (outcome.ok) {
      if (outcome.redirectTo) return c.redirect(outcome.redirectTo, 302);
      return c.html(
        <Notice
          title="Connected"
          tone="success"
          message={`Your ${outcome.integrationName} account is ${outcome.created ? 'connected' : 'reconnected'}. You can close this page.`}
        />,
        200,
      );
    }

    logFailure(c.var.requestId, outcome);
    const redirect = outcome.link ? await buildResultRedirect(deps, outcome.link, { status: 'error', error: outcome.providerError ?? outcome.reason }) : null;
    if (redirect) return c.redirect(redirect, 302);
    return c.html(<Notice title={outcome.title} tone="error" message={outcome.message} />, outcome.status);
  },
);
