import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { Notice } from '../views/notice';
import { pageApp, type PageAppOptions } from '../views/page-app';
import { DEFAULT_NEXT, safeNextPath } from './next-path';
import { LoginPage, SetPasswordPage, SignedInPage } from './pages';
import { completePasswordSetup, findPasswordSetup, SETUP_TOKEN_PATTERN } from './password-setup';
import { SIGN_IN_WINDOW_MS } from './rate-limit';
import { listMemberships } from './service';
import { endSession, findSessionUser, sessionCookieAttributes, sessionCookieName, sessionTokenOf } from './session';
import { passwordField } from './shapes';
import { signIn } from './sign-in';

/** One message for every failed sign-in, so it cannot tell which accounts exist. */
export const SIGN_IN_FAILED = 'That email and password do not match an account. Check them and try again.';
export const SIGN_IN_LIMITED = 'Too many failed sign-in attempts. Wait 15 minutes, then try again.';

/**
 * A foreign page could post a victim's browser into these forms (signing them in as the
 * attacker, or out); the page layer refuses such posts. SameSite=Lax on the session cookie is
 * the second layer.
 */
const signInPages: PageAppOptions = {
  crossSiteRefusal: { message: 'Open the sign-in page and try again.', action: { href: '/login', label: 'Go to sign-in' } },
};

const unreadableForm = (c: Context<AppEnv>) =>
  c.html(<Notice tone="error" title="This form could not be read" message="Go back, check the fields and send it again." />, 400);

// Built once, not per request.
const loginFields = z.object({ email: z.string().max(1024).default(''), password: z.string().max(4096).default(''), next: z.string().max(4096).optional() });
const setPasswordFields = z.object({ password: z.string().max(4096).default(''), confirm: z.string().max(4096).default('') });
const setupParamsSchema = z.object({ token: z.string().regex(SETUP_TOKEN_PATTERN) });

const loginForm = validator('form', (value, c) => {
  const parsed = loginFields.safeParse(value);
  return parsed.success ? parsed.data : unreadableForm(c);
});

const setPasswordForm = validator('form', (value, c) => {
  const parsed = setPasswordFields.safeParse(value);
  return parsed.success ? parsed.data : unreadableForm(c);
});

const setupParams = validator('param', (value, c) => {
  const parsed = setupParamsSchema.safeParse(value);
  return parsed.success ? parsed.data : invalidSetupLink(c);
});

const invalidSetupLink = (c: Context<AppEnv>) =>
  c.html(
    <Notice
      tone="error"
      title="This link cannot be used"
      message="It has expired or was used already. Ask the person who manages your organization for a new one."
      action={{ href: '/login', label: 'Go to sign-in' }}
    />,
    404,
  );

/** `/login`, and `/login/set-password/{token}` for a new user's first password. HTML forms. */
export const loginRoutes = pageApp(signInPages)
  .get('/', async (c) => {
    const next = safeNextPath(c.req.query('next'), c.env.PUBLIC_URL);
    const token = sessionTokenOf(c);
    const user = token ? await findSessionUser(c.var.deps.db, token) : null;
    if (!user) return c.html(<LoginPage next={next ?? DEFAULT_NEXT} />, 200);
    if (next && next !== DEFAULT_NEXT) return c.redirect(next, 303);
    const organizations = await listMemberships(c.var.deps.db, user.userId);
    return c.html(<SignedInPage email={user.email} organizations={organizations.map((m) => ({ name: m.orgName, role: m.role }))} />, 200);
  })
  .post('/', loginForm, async (c) => {
    const form = c.req.valid('form');
    const next = safeNextPath(form.next, c.env.PUBLIC_URL) ?? DEFAULT_NEXT;
    const email = form.email.trim();
    if (email === '' || form.password === '') {
      return c.html(<LoginPage next={next} email={email} error="Enter your email and your password." />, 400);
    }
    const result = await signIn(c.var.deps.db, {
      email,
      password: form.password,
      clientIp: c.req.header('cf-connecting-ip') ?? 'unknown',
      previousSessionToken: sessionTokenOf(c),
    });
    if (result.kind === 'rate_limited') {
      c.header('Retry-After', String(SIGN_IN_WINDOW_MS / 1000));
      return c.html(<LoginPage next={next} email={email} error={SIGN_IN_LIMITED} />, 429);
    }
    if (result.kind === 'invalid') return c.html(<LoginPage next={next} email={email} error={SIGN_IN_FAILED} />, 400);
    setCookie(c, sessionCookieName(c.env.PUBLIC_URL), result.token, sessionCookieAttributes(c.env.PUBLIC_URL));
    return c.redirect(next, 303);
  })
  .get('/set-password/:token', setupParams, async (c) => {
    const { token } = c.req.valid('param');
    const setup = await findPasswordSetup(c.var.deps.db, token, Date.now());
    if (!setup) return invalidSetupLink(c);
    return c.html(<SetPasswordPage token={token} email={setup.email} />, 200);
  })
  .post('/set-password/:token', setupParams, setPasswordForm, async (c) => {
    const { token } = c.req.valid('param');
    const form = c.req.valid('form');
    const setup = await findPasswordSetup(c.var.deps.db, token, Date.now());
    if (!setup) return invalidSetupLink(c);
    const checked = passwordField.safeParse(form.password);
    if (!checked.success) {
      const message = `Your password ${checked.error.issues[0]?.message ?? 'is not acceptable'}.`;
      return c.html(<SetPasswordPage token={token} email={setup.email} error={{ message, field: 'password' }} />, 400);
    }
    if (form.confirm !== form.password) {
      return c.html(<SetPasswordPage token={token} email={setup.email} error={{ message: 'The two passwords are not the same.', field: 'confirm' }} />, 400);
    }
    if (!(await completePasswordSetup(c.var.deps.db, token, checked.data, Date.now()))) return invalidSetupLink(c);
    return c.html(
      <Notice
        tone="success"
        title="Your password is set"
        message="You can now sign in with your email and this password."
        action={{ href: '/login', label: 'Sign in' }}
      />,
      200,
    );
  });

/** `POST /logout`: ends the session in D1 and clears the cookie. */
export const logoutRoutes = pageApp(signInPages).post('/', async (c) => {
  const token = sessionTokenOf(c);
  if (token) await endSession(c.var.deps.db, token);
  setCookie(c, sessionCookieName(c.env.PUBLIC_URL), '', { ...sessionCookieAttributes(c.env.PUBLIC_URL), maxAge: 0 });
  return c.redirect('/login', 303);
});
