import { and, eq, inArray } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { applications } from '../applications/schema';
import { canUserAuthorize, findActiveApplicationByClientId } from '../applications/service';
import { randomToken, sha256Hex } from '../lib/crypto';
import { newId } from '../lib/ids';
import { roleMayWrite } from '../auth/caller';
import { organizations } from '../organizations/schema';
import { memberships } from '../users/schema';
import { allowFormTargets } from '../views/headers';
import { Notice } from '../views/notice';
import { pageApp } from '../views/page-app';
import { signedInUser } from '../users/session';
import { issuerOf } from './issuer';
import { ConsentPage } from './consent-page';
import { allowsGrant } from '../applications/grant-types';
import { isApplicationScope, mayAsk, WRITE_SCOPES } from '../applications/scopes';
import { savePending, takePending } from './pending';
import { oauthCodes, oauthGrants } from './schema';

const CODE_TTL_MS = 60_000;
const MAX_FORM_BYTES = 8 * 1024;

/** Back to the client with the result; `iss` on every response (RFC 9207), `state` when given. */
function redirectBack(c: Context<AppEnv>, redirectUri: string, params: Record<string, string>, state: string | null) {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (state !== null) url.searchParams.set('state', state);
  url.searchParams.set('iss', issuerOf(c.env.PUBLIC_URL));
  return c.redirect(url.toString(), 302);
}

/** Problems with the client or its redirect URI are shown here, never sent to an unverified address. */
const clientErrorPage = (c: Context<AppEnv>, message: string) =>
  c.html(<Notice tone="error" title="This sign-in request is not valid" message={message} />, 400);

async function orgNames(c: Context<AppEnv>, ids: string[]) {
  const rows = await c.var.deps.db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, ids));
  return rows;
}

/**
 * `GET|POST /oauth/authorize` (mounted there, so the page layer covers nothing else of
 * `/oauth`): the consent page and its answer.
 */
export const authorizeRoutes = pageApp({
  maxBodyBytes: MAX_FORM_BYTES,
  crossSiteRefusal: { message: 'Go back to the application and start again.' },
})
  .get('/', async (c) => {
    const q = c.req.query();
    const app = q.client_id ? await findActiveApplicationByClientId(c.var.deps.db, q.client_id) : undefined;
    if (!app) return clientErrorPage(c, 'The application is unknown or has been deactivated.');
    // Exact string comparison (RFC 9700 §4.1.3): no prefix, case or port leniency.
    if (!q.redirect_uri || !app.redirectUris.includes(q.redirect_uri)) {
      return clientErrorPage(c, 'The redirect URI is not one this application registered.');
    }
    const state = q.state ?? null;
    const back = (error: string, description: string) => redirectBack(c, q.redirect_uri!, { error, error_description: description }, state);
    if (q.response_type !== 'code') return back('unsupported_response_type', 'Only response_type=code is supported.');
    // The redirect URI is verified by now, so the client hears of it (RFC 6749 §4.1.2.1).
    if (!allowsGrant(app, 'authorization_code')) return back('unauthorized_client', 'This application is not registered for the authorization_code grant.');
    if (!q.code_challenge || !/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)) {
      return back('invalid_request', 'PKCE is required: send a code_challenge (S256).');
    }
    if (q.code_challenge_method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256.');
    const scopes = q.scope ? [...new Set(q.scope.split(' ').filter(Boolean))] : app.scopes;
    const notAllowed = scopes.filter((s) => !isApplicationScope(s) || !mayAsk(app.scopes, s));
    if (notAllowed.length > 0 || scopes.length === 0) return back('invalid_scope', `This application may not ask for: ${notAllowed.join(' ') || '(nothing)'}.`);

    const user = await signedInUser(c);
    if (!user) return c.redirect(`/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 302);
    const memberOf = (await c.var.deps.db.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, user.id))).map((m) => m.orgId);
    if (!canUserAuthorize(app, memberOf)) return back('access_denied', 'This application is private to its organization.');
    const orgIds = app.visibility === 'public' ? memberOf : memberOf.filter((id) => id === app.orgId);
    if (orgIds.length === 0) return back('access_denied', 'You are not a member of any organization.');

    // Binds the consent form to this one pending request: its token goes into the form only.
    const { id, csrf: requestBinding } = await savePending(c.var.deps.kv, {
      applicationId: app.id,
      userId: user.id,
      redirectUri: q.redirect_uri,
      scopes,
      state,
      codeChallenge: q.code_challenge,
      orgIds,
    });
    const names = await orgNames(c, [...new Set([...orgIds, app.orgId])]);
    // The consent form's answer is a redirect to the client: CSP form-action must allow it.
    allowFormTargets(c, [new URL(q.redirect_uri).origin]);
    return c.html(
      <ConsentPage
        appName={app.name}
        description={app.description}
        appOrgName={names.find((o) => o.id === app.orgId)?.name ?? ''}
        termsUrl={app.termsUrl}
        privacyUrl={app.privacyUrl}
        scopes={scopes}
        orgs={names.filter((o) => orgIds.includes(o.id))}
        requestId={id}
        csrf={requestBinding}
        userEmail={user.email}
      />,
      200,
    );
  })
  .post('/', async (c) => {
    // Cross-site posts and oversized bodies never get here: the page layer answers them.
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    if (type !== 'application/x-www-form-urlencoded') return clientErrorPage(c, 'The consent form could not be read.');
    const form = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
    const user = await signedInUser(c);
    // The form's `csrf_token` is the binding to its pending request, which is taken once.
    const pending = await takePending(c.var.deps.kv, form.get('request_id') ?? '', form.get('csrf_token') ?? '');
    // A missing or wrong binding, another user's request, or an expired one: nothing is granted.
    if (!pending || !user || pending.userId !== user.id) {
      return c.html(<Notice tone="error" title="This consent form has expired" message="Go back to the application and start again." />, 403);
    }
    if (form.get('decision') !== 'allow') {
      return redirectBack(c, pending.redirectUri, { error: 'access_denied', error_description: 'The user denied access.' }, pending.state);
    }
    const orgId = form.get('organization_id') ?? '';
    if (!pending.orgIds.includes(orgId)) return clientErrorPage(c, 'Choose one of your organizations.');
    // An app can do no more than the user who allows it: a member, who only reads, cannot grant writes.
    const [membership] = await c.var.deps.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, user.id), eq(memberships.orgId, orgId)));
    if (!membership || (!roleMayWrite(membership.role) && pending.scopes.some((s) => WRITE_SCOPES.has(s)))) {
      return redirectBack(
        c,
        pending.redirectUri,
        { error: 'access_denied', error_description: 'Your role in this organization cannot grant these scopes.' },
        pending.state,
      );
    }
    const app = await c.var.deps.db.query.applications.findFirst({
      where: and(eq(applications.id, pending.applicationId), eq(applications.active, true)),
    });
    if (!app) return clientErrorPage(c, 'The application has been deactivated.');

    const now = Date.now();
    const code = randomToken(32);
    const grantId = newId('grt');
    await c.var.deps.db.batch([
      c.var.deps.db.insert(oauthGrants).values({ id: grantId, applicationId: app.id, orgId, userId: user.id, scopes: pending.scopes, createdAt: now }),
      c.var.deps.db.insert(oauthCodes).values({
        codeHash: await sha256Hex(code),
        grantId,
        redirectUri: pending.redirectUri,
        codeChallenge: pending.codeChallenge,
        scopes: pending.scopes,
        expiresAt: now + CODE_TTL_MS,
      }),
    ]);
    return redirectBack(c, pending.redirectUri, { code }, pending.state);
  });
