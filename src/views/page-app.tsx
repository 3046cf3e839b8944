import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { ApiError } from '../lib/errors';
import { logError } from '../lib/log';
import { refuseCrossSiteWrites } from './csrf';
import { pageHeaders } from './headers';
import { Notice, type NoticeProps } from './notice';

/** Our forms carry a few short fields; anything bigger is not ours. */
const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export interface PageAppOptions {
  /** The largest body a form of these pages may send. */
  maxBodyBytes?: number;
  /** What the refusal of a cross-site post tells the user to do instead, and where it points. */
  crossSiteRefusal?: { message: string; action?: NoticeProps['action'] };
  /** Pages that load their stylesheet and script from our origin (the console) rather than inline. */
  selfAssets?: boolean;
}

const DEFAULT_REFUSAL: NonNullable<PageAppOptions['crossSiteRefusal']> = { message: 'Go back to the page you came from and try again.' };

/** Errors on our pages are pages too: never a JSON body, never a stack trace. */
function renderPageError(err: Error, c: Context<AppEnv>) {
  const requestId = c.var.requestId ?? 'unknown';
  if (err instanceof ApiError && err.status < 500) {
    return c.html(<Notice tone="error" title="This did not work" message={err.message} />, err.status, err.headers);
  }
  if (err instanceof HTTPException && err.status < 500) {
    return c.html(<Notice tone="error" title="This request could not be read" message="Go back and try again." />, err.status);
  }
  logError(requestId, err, 'page error');
  return c.html(
    <Notice
      tone="error"
      title="Something went wrong on our side"
      message={`Please try again in a moment. If it keeps happening, quote request id ${requestId}.`}
    />,
    500,
  );
}

/**
 * The one page layer: a sub-app for HTML pages (link pages, the OAuth callback, sign-in,
 * consent) with their security headers, the CSRF check, a body limit and an HTML error
 * handler. Middleware registered here covers every path under the sub-app's mount point, so
 * mount it where only pages live (`/oauth/authorize`, not `/oauth`).
 */
export function pageApp(options: PageAppOptions = {}) {
  const refusal = options.crossSiteRefusal ?? DEFAULT_REFUSAL;
  const maxSize = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = new Hono<AppEnv>()
    .use(pageHeaders(options.selfAssets))
    .use(
      refuseCrossSiteWrites((c) =>
        c.html(
          <Notice tone="error" title="This request was refused" message={`The form was sent from another site. ${refusal.message}`} action={refusal.action} />,
          403,
        ),
      ),
    )
    .use(bodyLimit({ maxSize, onError: (c) => c.html(<Notice tone="error" title="This form is too large" message="Go back and send it again." />, 413) }));
  app.onError(renderPageError);
  return app;
}
