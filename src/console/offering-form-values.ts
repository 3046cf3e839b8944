import type { z } from 'zod';
import type { ErrorDetail } from '../lib/errors';
import { issuesToDetails } from '../lib/validate';
import { reservedAuthorizationParams } from '../offerings/definition-rules';
import type { OfferingDefinition } from '../offerings/definition';
import { updateOfferingBody } from '../offerings/shapes';
import { fieldId, type FormValues, formString } from './form';

/**
 * The values of the form that defines a custom offering in Integry's words ("authorization"): the
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
