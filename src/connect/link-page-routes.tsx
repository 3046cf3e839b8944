import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { moveToPrimary } from '../db/client';
import type { AppEnv } from '../env';
import { idSchema } from '../lib/ids';
import { LINK_TOKEN_PATTERN, linkStatus } from '../links/service';
import { OfferingError } from '../offerings/errors';
import { allowFormTargets } from '../views/headers';
import { Notice } from '../views/notice';
import { pageApp } from '../views/page-app';
import { ConnectFormPage, type ConnectFormProps } from './connect-form';
import { newSubmissionId, submissionMarker, submissionOf, submitCredentialsForm } from './credentials-form';
import { endUserInputKeys, pickFields, requiredEndUserInputKeys } from './form-fields';
import { authorizationFormTarget, redirectFormTarget } from './form-targets';
import { InactiveLinkPage, LinkPage, linkPageFormTargets, NothingToConnectPage, UnknownLinkPage } from './link-page';
import { isOffered, loadConnectTarget, loadLinkPage, type ConnectableTarget } from './link-page-data';
import { startOAuthFlow } from './start';
import { storedConnectionOf } from './store-connection';
import { bindingCookieAttributes, bindingCookieName } from './state';

// Schemas are built once: building one costs more than checking a value against it.
const linkParamsSchema = z.object({ token: z.string().regex(LINK_TOKEN_PATTERN) });
const connectParamsSchema = z.object({ token: z.string().regex(LINK_TOKEN_PATTERN), integrationId: idSchema('int') });
const formBodySchema = z.record(z.string().max(64), z.string().max(4096)).refine((fields) => Object.keys(fields).length <= 30);

const linkParams = validator('param', (value, c) => {
  const parsed = linkParamsSchema.safeParse(value);
  return parsed.success ? parsed.data : c.html(<UnknownLinkPage />, 404);
});

const connectParams = validator('param', (value, c) => {
  const parsed = connectParamsSchema.safeParse(value);
  return parsed.success ? parsed.data : c.html(<UnknownLinkPage />, 404);
});

const formBody = validator('form', (value, c) => {
  const parsed = formBodySchema.safeParse(value);
  return parsed.success
    ? parsed.data
    : c.html(<Notice tone="error" title="This form could not be read" message="Go back, check the fields and send it again." />, 400);
});

/**
 * The link must be active and offer this integration; otherwise the page that says why. A
 * resubmitted form whose first submission was stored (its reply lost) may have used the link
 * up: it gets the success it missed.
 */
async function connectTargetOrPage(
  c: Context<AppEnv>,
  token: string,
  integrationId: string,
  submission?: string | null,
): Promise<ConnectableTarget | Response> {
  const db = c.var.deps.db;
  // As on the link page: a miss on a replica that lags is asked again on the primary.
  let target = await loadConnectTarget(db, token, integrationId);
  if (!target?.integration && moveToPrimary()) target = await loadConnectTarget(db, token, integrationId);
  if (!target) return c.html(<UnknownLinkPage />, 404);
  const status = linkStatus(target.link, Date.now());
  if (status !== 'active') {
    const stored = submission && status === 'used_up' ? await storedConnectionOf(c.var.deps.db, (await submissionMarker(submission)).hash) : null;
    if (stored && target.integration) return connectedPage(c, token, { orgName: target.orgName, integration: target.integration }, false, false);
    return c.html(<InactiveLinkPage status={status} orgName={target.orgName} />, status === 'disabled' ? 403 : 410);
  }
  const { integration, offering } = target;
  if (!integration || !offering || !isOffered(target.link, integration)) {
    return c.html(
      <Notice
        tone="error"
        context={target.orgName}
        title="This service is not available"
        message="This link does not offer it, or it is not set up yet."
        action={{ href: `/link/${token}`, label: 'See what you can connect' }}
      />,
      404,
    );
  }
  return { link: target.link, orgName: target.orgName, integration, offering };
}

function showForm(
  c: Context<AppEnv>,
  token: string,
  ready: ConnectableTarget,
  extra: Pick<ConnectFormProps, 'error' | 'values' | 'submission'>,
  status: 200 | 400 | 502 | 503,
) {
  const { offering, integration, link } = ready;
  const submission = offering.auth_mode === 'oauth2' ? undefined : (extra.submission ?? newSubmissionId());
  const target =
    offering.auth_mode === 'oauth2' ? authorizationFormTarget(offering, integration.inputs, c.env.PUBLIC_URL) : redirectFormTarget(link.redirectUrl);
  if (target) allowFormTargets(c, [target]);
  return c.html(
    <ConnectFormPage token={token} orgName={ready.orgName} integration={integration} offering={offering} {...extra} submission={submission} />,
    status,
  );
}

/** Writes the flow to KV, binds it to this browser by cookie, and sends the browser to the provider. */
async function startFlow(c: Context<AppEnv>, token: string, ready: ConnectableTarget, endUserInputs: Record<string, string>) {
  const { link, integration, offering } = ready;
  try {
    const { redirectUrl, binding } = await startOAuthFlow(c.var.deps, { orgId: link.orgId, link, integration, offering, endUserInputs });
    setCookie(c, bindingCookieName(c.env.PUBLIC_URL), binding, bindingCookieAttributes(c.env.PUBLIC_URL));
    return c.redirect(redirectUrl, 302);
  } catch (err) {
    if (!(err instanceof OfferingError)) throw err;
    // A setup problem of the integration is not the end user's to fix; say so plainly.
    if (!endUserInputKeys(offering).includes(err.field ?? '')) {
      return c.html(
        <Notice
          tone="error"
          context={ready.orgName}
          title={`${integration.name} cannot be connected right now`}
          message="Its setup is incomplete. Let the people who sent you this link know."
        />,
        409,
      );
    }
    return showForm(c, token, ready, { error: { message: err.message, field: err.field }, values: endUserInputs }, 400);
  }
}

/** The credentials form's answer: the form again with what to fix, or the connection's outcome. */
async function connectWithCredentials(c: Context<AppEnv>, token: string, ready: ConnectableTarget, form: Record<string, string>) {
  const { link } = ready;
  const result = await submitCredentialsForm(c.var.deps, ready, form);
  if (!result.ok) {
    if (result.reason === 'link_used_up') return c.html(<InactiveLinkPage status="used_up" orgName={ready.orgName} />, 410);
    if (result.reason === 'form_to_fix')
      return showForm(c, token, ready, { error: result.error, values: result.values, submission: result.submission }, result.status);
    return c.html(
      <Notice
        tone="error"
        context={ready.orgName}
        title="This service is not available"
        message="The app that sent you this link has removed or changed it."
      />,
      410,
    );
  }
  if (result.redirectTo) return c.redirect(result.redirectTo, 303);
  return connectedPage(c, token, ready, result.created, link.maxUses === null || link.uses + 1 < link.maxUses);
}

function connectedPage(c: Context<AppEnv>, token: string, ready: Pick<ConnectableTarget, 'orgName' | 'integration'>, created: boolean, moreLeft: boolean) {
  return c.html(
    <Notice
      tone="success"
      context={ready.orgName}
      title={`${ready.integration.name} is connected`}
      message={`${created ? 'Your account is now connected.' : 'Your connection has been updated.'} You can close this page.`}
      action={moreLeft ? { href: `/link/${token}`, label: 'Back to your services' } : undefined}
    />,
    200,
  );
}

/**
 * The public pages of a link: `/link/{token}` and its connect steps. The token in the path is
 * the capability, but a cross-site page could still send a victim's browser into starting a
 * flow: starting is a POST only, and the page layer refuses cross-site posts.
 */
export const linkPageRoutes = pageApp({ crossSiteRefusal: { message: 'Open your connect link again and use its buttons.' } })
  .get('/:token', linkParams, async (c) => {
    const { token } = c.req.valid('param');
    const db = c.var.deps.db;
    // A link made a moment ago may not be on the replica that answered yet: the primary decides.
    const data = (await loadLinkPage(db, token)) ?? (moveToPrimary() ? await loadLinkPage(db, token) : undefined);
    if (!data) return c.html(<UnknownLinkPage />, 404);
    const status = linkStatus(data.link, Date.now());
    if (status !== 'active') return c.html(<InactiveLinkPage status={status} orgName={data.orgName} />, status === 'disabled' ? 403 : 410);
    if (data.entries.length === 0) return c.html(<NothingToConnectPage orgName={data.orgName} />, 200);
    allowFormTargets(c, linkPageFormTargets(data.entries, c.env.PUBLIC_URL));
    return c.html(<LinkPage token={token} orgName={data.orgName} endUserName={data.link.endUserName} entries={data.entries} />, 200);
  })
  .get('/:token/connect/:integrationId', connectParams, async (c) => {
    const { token, integrationId } = c.req.valid('param');
    const ready = await connectTargetOrPage(c, token, integrationId);
    if (ready instanceof Response) return ready;
    // A GET never starts a flow (a link or an image elsewhere could open it): it shows the
    // form, whose POST the page layer checks for CSRF, even with nothing to fill in.
    return showForm(c, token, ready, {}, 200);
  })
  .post('/:token/connect/:integrationId', connectParams, formBody, async (c) => {
    const { token, integrationId } = c.req.valid('param');
    const form = c.req.valid('form');
    const ready = await connectTargetOrPage(c, token, integrationId, submissionOf(form));
    if (ready instanceof Response) return ready;
    if (ready.offering.auth_mode === 'oauth2') {
      // The link page's Connect posts no fields: ask for the inputs it cannot do without.
      if (requiredEndUserInputKeys(ready.offering).some((key) => form[key] === undefined)) return showForm(c, token, ready, {}, 200);
      // A blank optional field means "use the default" (Salesforce's login host).
      const given = Object.entries(pickFields(form, endUserInputKeys(ready.offering))).filter(([, value]) => value !== '');
      return startFlow(c, token, ready, Object.fromEntries(given));
    }
    return connectWithCredentials(c, token, ready, form);
  });
