import type { OfferingDefinition } from '../offerings/definition';
import { Page } from '../views/layout';
import { connectFields } from './form-fields';
import { connectPath } from './link-page';

export interface ConnectFormProps {
  token: string;
  orgName: string;
  integration: { id: string; name: string };
  offering: OfferingDefinition;
  /** What went wrong with the last attempt, and which field it was about. */
  error?: { message: string; field?: string };
  /** Values to show again after an error: never those of secret fields. */
  values?: Readonly<Record<string, string>>;
  /** The credentials form's one-time submission id (see credentials-form.ts); none for OAuth. */
  submission?: string;
}

/**
 * The form before connecting: end-user inputs (Zendesk subdomain, Shopify shop) for OAuth
 * offerings, plus the credentials for API-key and basic offerings. Secret fields are
 * password inputs, never filled in again, and kept out of autofill.
 */
export function ConnectFormPage({ token, orgName, integration, offering, error, values = {}, submission }: ConnectFormProps) {
  const fields = connectFields(offering);
  const isOAuth = offering.auth_mode === 'oauth2';
  return (
    <Page title={`Connect ${integration.name}`} context={orgName}>
      {error ? (
        <div class="notice error" role="alert" id="form-error">
          <p>
            <span aria-hidden="true">! </span>
            {error.message}
          </p>
        </div>
      ) : null}
      <p>
        {isOAuth
          ? fields.length === 0
            ? `Continue to ${offering.name} to sign in and allow access.`
            : `Tell us where to sign in, then continue to ${offering.name}.`
          : `Enter your ${offering.name} credentials. They are checked with ${offering.name}, then stored encrypted.`}
      </p>
      {offering.docs_url && !isOAuth ? (
        <p class="muted">
          <a href={offering.docs_url} rel="noopener noreferrer">
            Where to find them
          </a>
        </p>
      ) : null}
      <form method="post" action={connectPath(token, integration.id)} autocomplete="off">
        {submission ? <input type="hidden" name="submission" value={submission} /> : null}
        {fields.map((field) => {
          const id = `field-${field.key}`;
          const invalid = error?.field === field.key;
          const describedBy = [field.hint ? `${id}-hint` : null, invalid ? 'form-error' : null].filter(Boolean).join(' ');
          return (
            <>
              <label for={id}>{field.label}</label>
              {field.hint ? (
                <span class="hint" id={`${id}-hint`}>
                  {field.hint}
                </span>
              ) : null}
              <input
                id={id}
                name={field.key}
                type={field.secret ? 'password' : 'text'}
                value={field.secret ? undefined : values[field.key]}
                placeholder={field.secret ? undefined : field.placeholder}
                required={field.required}
                autocomplete="off"
                autocapitalize="off"
                spellcheck={false}
                maxlength={4096}
                aria-invalid={invalid ? 'true' : undefined}
                aria-describedby={describedBy || undefined}
              />
            </>
          );
        })}
        <div class="form-actions">
          <button type="submit">{isOAuth ? `Continue to ${offering.name}` : 'Connect'}</button>
          <a href={`/link/${token}`}>Back</a>
        </div>
      </form>
    </Page>
  );
}
