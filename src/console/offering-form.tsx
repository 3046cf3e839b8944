import type { z } from 'zod';
import type { ErrorDetail } from '../lib/errors';
import { issuesToDetails } from '../lib/validate';
import { reservedAuthorizationParams } from '../offerings/definition-rules';
import type { OfferingDefinition } from '../offerings/definition';
import { updateOfferingBody } from '../offerings/shapes';
import { fieldId, type FormValues, formString, type Problems, problemFor, SelectField, TextField } from './form';

/**
 * The form that defines a custom offering in Integry's words ("authorization"): the
 * Authorizations page makes an organization's own with it, the operator's Offerings page shared
 * ones. What Integry does not ask gets a default: PKCE on, HTTP Basic client authentication
 * (RFC 6749 §2.3.1: every authorization server must support it), and the account named by the
 * userinfo reply's `sub`, else `id`, else `email`.
 */

export type AuthorizationType = 'api_key' | 'oauth2';

export const AUTHORIZATION_TYPES: [AuthorizationType, string][] = [
  ['api_key', 'API Key'],
  ['oauth2', 'OAuth 2.0'],
];

export const typeLabel = (mode: string) => AUTHORIZATION_TYPES.find(([m]) => m === mode)?.[1] ?? mode;

/** Integry: "separated by a comma or space or the way your app accepts it". */
const SEPARATORS = { comma: ',', space: ' ' } as const;
type SeparatorChoice = keyof typeof SEPARATORS | 'other';

/** The account is named by the first of these the userinfo (else token) reply has. */
const DEFAULT_ACCOUNT = { id: ['sub', 'id', 'email'], email: ['email'], name: ['name'] };

/** What the form shows again after a problem; never the client secret. */
export interface OfferingFormValues {
  type: AuthorizationType;
  name: string;
  clientId: string;
  authorizationUri: string;
  scopes: string;
  separator: SeparatorChoice;
  otherSeparator: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  pkce: boolean;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  accountId: string;
  accountEmail: string;
  accountName: string;
  keyLabel: string;
  keyHeader: string;
  verifyUrl: string;
}

export const emptyOfferingValues = (type: AuthorizationType = 'api_key'): OfferingFormValues => ({
  type,
  name: '',
  clientId: '',
  authorizationUri: '',
  scopes: '',
  separator: 'space',
  otherSeparator: '',
  tokenEndpoint: '',
  userinfoEndpoint: '',
  pkce: true,
  tokenAuthMethod: 'client_secret_basic',
  accountId: '',
  accountEmail: '',
  accountName: '',
  keyLabel: 'API Key',
  keyHeader: '',
  verifyUrl: '',
});

const asType = (value: string): AuthorizationType => (value === 'oauth2' ? 'oauth2' : 'api_key');

export function offeringFormValues(form: FormValues): OfferingFormValues {
  const separator = formString(form, 'scope_separator');
  return {
    type: asType(formString(form, 'type')),
    name: formString(form, 'name'),
    clientId: formString(form, 'client_id'),
    authorizationUri: formString(form, 'authorization_uri'),
    scopes: formString(form, 'scopes'),
    separator: separator === 'comma' || separator === 'other' ? separator : 'space',
    // Not trimmed: a separator may be a character trimming would eat.
    otherSeparator: (Array.isArray(form.other_separator) ? form.other_separator[0] : form.other_separator) ?? '',
    tokenEndpoint: formString(form, 'token_endpoint'),
    userinfoEndpoint: formString(form, 'userinfo_endpoint'),
    pkce: formString(form, 'pkce') === 'yes',
    tokenAuthMethod: formString(form, 'token_auth_method') === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    accountId: formString(form, 'account_id'),
    accountEmail: formString(form, 'account_email'),
    accountName: formString(form, 'account_name'),
    keyLabel: formString(form, 'key_label'),
    keyHeader: formString(form, 'key_header'),
    verifyUrl: formString(form, 'verify_url'),
  };
}

const pathList = (paths: string | string[] | undefined) => (paths === undefined ? '' : typeof paths === 'string' ? paths : paths.join(', '));

/** The form filled from an offering, for editing it. */
export function valuesOfOffering(d: OfferingDefinition): OfferingFormValues {
  const separator: SeparatorChoice = d.scope_separator === ',' ? 'comma' : d.scope_separator === ' ' ? 'space' : 'other';
  const query = new URLSearchParams(d.authorization_params).toString();
  const credential = d.credentials[0];
  const auth = d.verify?.auth;
  return {
    ...emptyOfferingValues(asType(d.auth_mode)),
    name: d.name,
    authorizationUri:
      d.authorization_url === undefined ? '' : `${d.authorization_url}${query ? `${d.authorization_url.includes('?') ? '&' : '?'}${query}` : ''}`,
    scopes: d.default_scopes.join(d.scope_separator === ' ' ? ' ' : d.scope_separator),
    separator,
    otherSeparator: separator === 'other' ? d.scope_separator : '',
    tokenEndpoint: d.token_url ?? '',
    userinfoEndpoint: d.userinfo_url ?? '',
    pkce: d.pkce,
    tokenAuthMethod: d.token_auth_method,
    accountId: pathList(d.account.id),
    accountEmail: pathList(d.account.email),
    accountName: pathList(d.account.name),
    keyLabel: credential?.label ?? 'API Key',
    keyHeader: auth?.type === 'header' ? auth.name : '',
    verifyUrl: d.verify?.url ?? '',
  };
}

/** A lowercase slug of the name, as an offering's `provider` must be. */
function providerSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, '-')
    .replaceAll(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug === '' ? 'custom' : slug;
}

/** "sub, id" as one path or a list tried in order; blank: the default. */
function accountPaths(text: string, fallback: string[]): string | string[] {
  const paths = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const chosen = paths.length > 0 ? paths : fallback;
  return chosen.length === 1 ? chosen[0]! : chosen;
}

/**
 * The Authorization URI split as Integry means it: its query parameters become the offering's
 * fixed authorization parameters, except those Edgelink sets itself on every request
 * (`response_type=code`, Integry's own example, among them), which are dropped.
 */
function splitAuthorizationUri(uri: string): { url: string; params: Record<string, string> } {
  if (!URL.canParse(uri) || !uri.includes('?')) return { url: uri, params: {} };
  const url = new URL(uri);
  const dropped = new Set([...reservedAuthorizationParams, 'scope']);
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (!dropped.has(key)) params[key] = value;
  }
  url.search = '';
  url.hash = '';
  return { url: url.toString(), params };
}

/**
 * The form as the API's create body (checked afterwards by the API's own schema and rules), and
 * the problems only the form can have: a separator Edgelink cannot send.
 */
export function offeringBodyFrom(v: OfferingFormValues): { body: Record<string, unknown>; problems: ErrorDetail[] } {
  const base = { name: v.name, provider: providerSlug(v.name), auth_mode: v.type };
  if (v.type === 'api_key') {
    const credentials = [{ key: 'api_key', label: v.keyLabel || 'API Key', secret: true }];
    const auth = v.keyHeader ? { type: 'header', name: v.keyHeader, field: 'api_key' } : { type: 'bearer', field: 'api_key' };
    return { body: { ...base, credentials, ...(v.verifyUrl ? { verify: { url: v.verifyUrl, auth } } : {}) }, problems: [] };
  }
  const problems: ErrorDetail[] = [];
  const separator = v.separator === 'other' ? v.otherSeparator : SEPARATORS[v.separator];
  const accepted = [' ', ',', ';'];
  if (!accepted.includes(separator)) {
    problems.push({
      location: 'body',
      field: 'scope_separator',
      message:
        v.separator === 'other' && separator === '' ? 'Type the separator your app takes.' : 'Edgelink can separate scopes by a space, a comma or a semicolon.',
    });
  }
  const scopes = accepted.includes(separator)
    ? v.scopes
        .split(separator === ' ' ? /\s+/ : separator)
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  const { url, params } = splitAuthorizationUri(v.authorizationUri);
  const body = {
    ...base,
    ...(url ? { authorization_url: url } : {}),
    ...(v.tokenEndpoint ? { token_url: v.tokenEndpoint } : {}),
    ...(v.userinfoEndpoint ? { userinfo_url: v.userinfoEndpoint } : {}),
    scope_separator: accepted.includes(separator) ? separator : ' ',
    default_scopes: [...new Set(scopes)],
    authorization_params: params,
    token_auth_method: v.tokenAuthMethod,
    pkce: v.pkce,
    account: {
      id: accountPaths(v.accountId, DEFAULT_ACCOUNT.id),
      email: accountPaths(v.accountEmail, DEFAULT_ACCOUNT.email),
      name: accountPaths(v.accountName, DEFAULT_ACCOUNT.name),
    },
  };
  return { body, problems };
}

/** The form checked by the API's own body schema: a body to send, or every problem found. */
export function parseOfferingForm<S extends z.ZodType>(values: OfferingFormValues, schema: S): { body: z.output<S> | null; problems: ErrorDetail[] } {
  const { body, problems } = offeringBodyFrom(values);
  const parsed = schema.safeParse(body);
  const details = [...problems, ...(parsed.success ? [] : issuesToDetails(parsed.error, 'body'))];
  return { body: parsed.success && details.length === 0 ? parsed.data : null, problems: details };
}

/** The edit form as a PATCH: the type and provider stay as they are. */
export function parseOfferingEdit(values: OfferingFormValues, enabled: boolean) {
  const { body, problems } = offeringBodyFrom(values);
  const { provider: _provider, auth_mode: _mode, ...fields } = body;
  const parsed = updateOfferingBody.safeParse({ ...fields, enabled });
  const details = [...problems, ...(parsed.success ? [] : issuesToDetails(parsed.error, 'body'))];
  if (!parsed.success || details.length > 0) return { body: null, problems: details };
  // The form shows every field it edits, so one left blank is cleared (a PATCH that omits a field keeps it).
  const cleared = values.type === 'api_key' ? { verify: undefined } : { userinfo_url: undefined };
  return { body: { ...cleared, ...parsed.data }, problems: details };
}

/** Where each API field is on the form, in the form's words. */
export const OFFERING_FIELDS: Record<string, { target: string; label: string }> = {
  type: { target: fieldId('type'), label: 'Authorization Type' },
  name: { target: fieldId('name'), label: 'Name' },
  provider: { target: fieldId('name'), label: 'Name' },
  client_id: { target: fieldId('client_id'), label: 'Client ID' },
  client_secret: { target: fieldId('client_secret'), label: 'Client Secret' },
  authorization_url: { target: fieldId('authorization_uri'), label: 'Authorization URI' },
  authorization_params: { target: fieldId('authorization_uri'), label: 'Authorization URI' },
  scopes: { target: fieldId('scopes'), label: 'Scopes' },
  default_scopes: { target: fieldId('scopes'), label: 'Scopes' },
  scope_separator: { target: fieldId('scope_separator'), label: 'Scope separator' },
  token_url: { target: fieldId('token_endpoint'), label: 'Token Endpoint' },
  userinfo_url: { target: fieldId('userinfo_endpoint'), label: 'User Information Endpoint' },
  token_auth_method: { target: fieldId('token_auth_method'), label: 'Client authentication' },
  account: { target: fieldId('account_id'), label: 'Account id fields' },
  credentials: { target: fieldId('key_label'), label: 'Key label' },
  verify: { target: fieldId('verify_url'), label: 'Verification endpoint' },
  'verify.auth': { target: fieldId('key_header'), label: 'Header name' },
};

export const OFFERING_FALLBACK = { target: fieldId('name'), label: 'This form' };

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
