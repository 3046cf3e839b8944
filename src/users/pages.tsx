import { Page } from '../views/layout';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './shapes';

function ErrorNotice({ id, message }: { id: string; message: string }) {
  // role=alert: a screen reader announces the failure as soon as the page loads.
  return (
    <div class="notice error" role="alert" id={id}>
      <p>
        <span aria-hidden="true">! </span>
        {message}
      </p>
    </div>
  );
}

export interface LoginPageProps {
  /** Our own path to return to after signing in; carried through the form. */
  next: string;
  email?: string;
  error?: string;
}

/** The sign-in form. The failure message is the same whatever went wrong with the account. */
export function LoginPage({ next, email, error }: LoginPageProps) {
  const describedBy = error ? 'login-error' : undefined;
  return (
    <Page title="Sign in">
      {error ? <ErrorNotice id="login-error" message={error} /> : null}
      <form method="post" action="/login">
        <input type="hidden" name="next" value={next} />
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          autocapitalize="off"
          spellcheck={false}
          required
          maxlength={254}
          value={email}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength={MAX_PASSWORD_LENGTH}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy}
        />
        <div class="form-actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
    </Page>
  );
}

export interface SignedInPageProps {
  email: string;
  organizations: { name: string; role: string }[];
}

/** What /login shows a browser that is already signed in: who, where, and a way out. */
export function SignedInPage({ email, organizations }: SignedInPageProps) {
  return (
    <Page title="You are signed in">
      <div class="notice success" role="status">
        <p>
          <span aria-hidden="true">✓ </span>
          Signed in as {email}.
        </p>
      </div>
      {organizations.length > 0 ? (
        <>
          <h2>Your organizations</h2>
          <ul>
            {organizations.map((org) => (
              <li>
                {org.name} <span class="muted">({org.role})</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">You do not belong to any organization yet.</p>
      )}
      <form method="post" action="/logout">
        <div class="form-actions">
          <button type="submit" class="secondary">
            Sign out
          </button>
        </div>
      </form>
    </Page>
  );
}

export interface SetPasswordPageProps {
  token: string;
  email: string;
  error?: { message: string; field: 'password' | 'confirm' };
}

/** Choosing a first password from a one-time link. */
export function SetPasswordPage({ token, email, error }: SetPasswordPageProps) {
  const invalid = (field: 'password' | 'confirm') => (error?.field === field ? 'true' : undefined);
  return (
    <Page title="Choose your password">
      {error ? <ErrorNotice id="password-error" message={error.message} /> : null}
      <form method="post" action={`/login/set-password/${token}`}>
        <label for="email">Email</label>
        {/* Read-only, so a password manager files the new password under the right account. */}
        <input id="email" name="email" type="email" autocomplete="username" value={email} readonly />
        <label for="password">New password</label>
        <span class="hint" id="password-hint">
          At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.
        </span>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength={MIN_PASSWORD_LENGTH}
          maxlength={MAX_PASSWORD_LENGTH}
          aria-invalid={invalid('password')}
          aria-describedby={error?.field === 'password' ? 'password-hint password-error' : 'password-hint'}
        />
        <label for="confirm">Repeat the password</label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          autocomplete="new-password"
          required
          maxlength={MAX_PASSWORD_LENGTH}
          aria-invalid={invalid('confirm')}
          aria-describedby={error?.field === 'confirm' ? 'password-error' : undefined}
        />
        <div class="form-actions">
          <button type="submit">Set password</button>
        </div>
      </form>
    </Page>
  );
}
