import { fieldId, type Problems, problemFor, SelectField, TextField } from './form';
import { AUTHORIZATION_TYPES, type OfferingFormValues } from './offering-form-values';

export interface OfferingFieldsProps {
  values: OfferingFormValues;
  problems: Problems;
  /** Creating: the type can be chosen (and Client ID and Secret asked, where `withClient`); editing: it is fixed. */
  mode: 'create' | 'edit';
  /** The Authorizations page makes the integration in the same step, so it asks for the client too. */
  withClient: boolean;
}

/** The type select (starting on API Key, as Integry's default) and the fields of the chosen type. */
export function OfferingFields({ values, problems, mode, withClient }: OfferingFieldsProps) {
  const v = values;
  return (
    <>
      {mode === 'create' ? (
        <>
          <SelectField
            id={fieldId('type')}
            name="type"
            label="Authorization Type"
            hint="Choosing one shows its fields below."
            options={AUTHORIZATION_TYPES}
            value={v.type}
            problems={problems}
          />
          <div class="form-actions">
            <button type="submit" name="action" value="choose_type" class="secondary" id="apply-type">
              Show this type's fields
            </button>
          </div>
        </>
      ) : (
        <input type="hidden" name="type" value={v.type} />
      )}
      <TextField
        id={fieldId('name')}
        name="name"
        label="Name"
        hint="What end users see on the link page, e.g. Acme CRM."
        value={v.name}
        problems={problems}
        required
      />
      {v.type === 'oauth2' ? (
        <OAuthFields values={v} problems={problems} withClient={withClient && mode === 'create'} />
      ) : (
        <ApiKeyFields values={v} problems={problems} />
      )}
    </>
  );
}

function OAuthFields({ values: v, problems, withClient }: { values: OfferingFormValues; problems: Problems; withClient: boolean }) {
  const otherSeparatorErrors = problemFor(problems, fieldId('scope_separator'));
  return (
    <>
      {withClient ? (
        <>
          <TextField
            id={fieldId('client_id')}
            name="client_id"
            label="Client ID"
            hint="The client ID of your app."
            value={v.clientId}
            problems={problems}
            required
          />
          <TextField
            id={fieldId('client_secret')}
            name="client_secret"
            type="password"
            label="Client Secret"
            hint="The client secret of your app. It is stored encrypted and never displayed again."
            problems={problems}
            autocomplete="new-password"
            required
          />
        </>
      ) : null}
      <TextField
        id={fieldId('authorization_uri')}
        name="authorization_uri"
        type="url"
        label="Authorization URI"
        hint="The URL the authorization request is sent to. Append any query parameters it needs, e.g. ?prompt=consent; those Edgelink sets itself (such as response_type=code) are left out."
        value={v.authorizationUri}
        problems={problems}
        required
      />
      <TextField
        id={fieldId('scopes')}
        name="scopes"
        label="Scopes"
        hint="Permission scopes of your app, separated as chosen below."
        value={v.scopes}
        problems={problems}
      />
      <fieldset id={fieldId('scope_separator')} aria-describedby={otherSeparatorErrors.length > 0 ? `${fieldId('scope_separator')}-error` : undefined}>
        <legend>Scope separator</legend>
        {otherSeparatorErrors.length > 0 ? (
          <p class="field-error" id={`${fieldId('scope_separator')}-error`}>
            {otherSeparatorErrors.join(' ')}
          </p>
        ) : null}
        {(
          [
            ['comma', 'Comma'],
            ['space', 'Space'],
            ['other', 'Other'],
          ] as const
        ).map(([value, label]) => (
          <label class="check" for={`separator-${value}`}>
            <input type="radio" id={`separator-${value}`} name="scope_separator" value={value} checked={v.separator === value} />
            <span>{label}</span>
          </label>
        ))}
        <TextField
          id={fieldId('other_separator')}
          name="other_separator"
          label="Other separator"
          hint="With Other: the character your app takes between scopes (Edgelink can send a semicolon)."
          value={v.otherSeparator}
          problems={problems}
        />
      </fieldset>
      <TextField
        id={fieldId('token_endpoint')}
        name="token_endpoint"
        type="url"
        label="Token Endpoint"
        hint="The endpoint that gives the access token and optionally a refresh token."
        value={v.tokenEndpoint}
        problems={problems}
        required
      />
      <TextField
        id={fieldId('userinfo_endpoint')}
        name="userinfo_endpoint"
        type="url"
        label="User Information Endpoint"
        hint="The endpoint that returns the details of the signed-in user; it names each connected account."
        value={v.userinfoEndpoint}
        problems={problems}
      />
      <details class="panel" open={problems.some((p) => [fieldId('token_auth_method'), fieldId('account_id')].includes(p.target))}>
        <summary>More settings (defaults suit most providers)</summary>
        <label class="check" for={fieldId('pkce')}>
          <input type="checkbox" id={fieldId('pkce')} name="pkce" value="yes" checked={v.pkce} />
          <span>Use PKCE (S256)</span>
        </label>
        <SelectField
          id={fieldId('token_auth_method')}
          name="token_auth_method"
          label="Client authentication"
          hint="How the Client Secret is sent to the Token Endpoint."
          options={[
            ['client_secret_basic', 'HTTP Basic (client_secret_basic)'],
            ['client_secret_post', 'In the request body (client_secret_post)'],
          ]}
          value={v.tokenAuthMethod}
          problems={problems}
        />
        <TextField
          id={fieldId('account_id')}
          name="account_id"
          label="Account id fields"
          hint="Fields of the user information reply that name the account, tried in order. Blank: sub, id, email."
          value={v.accountId}
          problems={problems}
        />
        <TextField
          id={fieldId('account_email')}
          name="account_email"
          label="Account email field"
          hint="Blank: email."
          value={v.accountEmail}
          problems={problems}
        />
        <TextField id={fieldId('account_name')} name="account_name" label="Account name field" hint="Blank: name." value={v.accountName} problems={problems} />
      </details>
    </>
  );
}

function ApiKeyFields({ values: v, problems }: { values: OfferingFormValues; problems: Problems }) {
  return (
    <>
      <p class="muted">Each end user types their own key on the link page; Edgelink stores it encrypted and hands it to your backend.</p>
      <TextField
        id={fieldId('key_label')}
        name="key_label"
        label="Key label"
        hint="What the link page calls the key, e.g. API Key or Access token."
        value={v.keyLabel}
        problems={problems}
        required
      />
      <TextField
        id={fieldId('verify_url')}
        name="verify_url"
        type="url"
        label="Verification endpoint"
        hint="A URL of your app that answers 200 to a good key, so a wrong key is refused on the link page."
        value={v.verifyUrl}
        problems={problems}
      />
      <TextField
        id={fieldId('key_header')}
        name="key_header"
        label="Header name"
        hint="The header your app reads the key from, e.g. X-Api-Key. Blank: Authorization: Bearer."
        value={v.keyHeader}
        problems={problems}
      />
    </>
  );
}
