/**
 * What an offering is: the catalog's entries and the body operators POST for custom ones
 * (JSON snake_case), field by field; the rules that span fields are in definition-rules.ts.
 * Besides the usual ones (endpoint URLs, scopes, client authentication, PKCE), some fields
 * exist each for a provider quirk:
 * - `userinfo_method`, `userinfo_headers`: Dropbox's "who am I" is a POST; GitHub and Reddit
 *   refuse API calls without a User-Agent.
 * - `token_response.scope_separator`: GitHub takes space-separated scopes but replies with
 *   commas; defaults to the offering's separator.
 * - `callback_metadata`: query parameters of the provider's redirect kept as connection
 *   metadata (QuickBooks sends the company's `realmId` only there).
 * - `verify.headers`: static headers for the credential check (Anthropic's API version).
 * Defaults: `token_auth_method` is `client_secret_post` (what most providers document),
 * `pkce` is true, `token_response.default_expires_in` is null (a reply without `expires_in`
 * means the token does not expire unless the offering says otherwise).
 */
import { z } from 'zod';
import { outboundUrl } from '../lib/outbound-url';

export const OFFERING_ID_PATTERN = /^off_[a-z0-9_]{2,48}$/;

/** Headers a data-defined request may not set: credentials travel only through `auth`. */
const forbiddenStaticHeaders = new Set(['authorization', 'cookie', 'host', 'content-length', 'proxy-authorization']);

const key = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lowercase letters, digits and "_", starting with a letter');
const label = z.string().trim().min(1).max(80);
const dottedPath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/, 'must be a dotted path such as "authed_user.access_token"');
const urlTemplate = z.string().min(1).max(2048);
const paramName = z.string().regex(/^[A-Za-z0-9_.[\]-]{1,64}$/, 'must be a query parameter name');
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name');
const headerValue = z
  .string()
  .max(500)
  .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII');
const staticHeaders = z
  .record(headerName, headerValue)
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (forbiddenStaticHeaders.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'may not be set by an offering' });
      }
    }
  })
  .default(() => ({}));
const scopeSeparator = z.enum([' ', ',', ';']);
const scopeList = z
  .array(z.string().max(256))
  .max(200)
  .default(() => []);

const offeringInputField = z.strictObject({
  key,
  label,
  /** An anchored regular expression (`^…$`) the value must match before substitution. */
  pattern: z.string().min(3).max(500),
  default: z.string().max(253).optional(),
  /** Who gives the value: the organization on its integration, or the end user on the link page. */
  source: z.enum(['integration', 'end_user']),
  example: z.string().min(1).max(253),
});

const credentialField = z.strictObject({ key, label, secret: z.boolean().default(true) });

const verifyAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), field: key }),
  z.strictObject({ type: z.literal('basic'), username_field: key, password_field: key }),
  z.strictObject({ type: z.literal('header'), name: headerName, field: key }),
]);

const verifySpec = z.strictObject({
  url: urlTemplate,
  method: z.literal('GET').default('GET'),
  auth: verifyAuth,
  headers: staticHeaders,
  ok_status: z
    .array(z.number().int().min(100).max(599))
    .min(1)
    .max(10)
    .default(() => [200]),
});

const tokenResponse = z.strictObject({
  access_token_path: dottedPath.default('access_token'),
  refresh_token_path: dottedPath.default('refresh_token'),
  expires_in_path: dottedPath.default('expires_in'),
  scope_path: dottedPath.default('scope'),
  scope_separator: scopeSeparator.optional(),
  token_type_path: dottedPath.default('token_type'),
  /** Paths kept as connection metadata, keyed by the path (Salesforce `instance_url`). */
  metadata: z
    .array(dottedPath)
    .max(20)
    .default(() => []),
  /** Seconds assumed when the reply has no `expires_in`; null: the token does not expire. */
  default_expires_in: z.number().int().min(60).max(315_360_000).nullable().default(null),
});

/** One path, or several tried in order (`["sub", "id", "email"]`) where the reply's shape is not known. */
const accountPath = z.union([dottedPath, z.array(dottedPath).min(1).max(5)]);

/** Paths into the userinfo reply, falling back to the token reply. */
const accountPaths = z.strictObject({
  id: accountPath.optional(),
  email: accountPath.optional(),
  name: accountPath.optional(),
});

export const offeringFields = z.strictObject({
  id: z.string().regex(OFFERING_ID_PATTERN, 'must look like off_example (lowercase, digits, "_")'),
  name: z.string().trim().min(1).max(100),
  provider: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'must be a lowercase slug'),
  description: z.string().trim().max(500).default(''),
  docs_url: outboundUrl.optional(),
  auth_mode: z.enum(['oauth2', 'api_key', 'basic']),
  inputs: z
    .array(offeringInputField)
    .max(10)
    .default(() => []),
  authorization_url: urlTemplate.optional(),
  token_url: urlTemplate.optional(),
  userinfo_url: urlTemplate.optional(),
  revocation_url: urlTemplate.optional(),
  introspection_url: urlTemplate.optional(),
  userinfo_method: z.enum(['GET', 'POST']).default('GET'),
  userinfo_headers: staticHeaders,
  scope_separator: scopeSeparator.default(' '),
  scope_param: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/)
    .default('scope'),
  default_scopes: scopeList,
  required_scopes: scopeList,
  optional_scopes: scopeList,
  scopes_closed: z.boolean().default(false),
  authorization_params: z.record(paramName, z.string().max(500)).default(() => ({})),
  token_auth_method: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_post'),
  pkce: z.boolean().default(true),
  token_response: tokenResponse.prefault({}),
  account: accountPaths.prefault({}),
  callback_metadata: z
    .array(paramName)
    .max(10)
    .default(() => []),
  credentials: z
    .array(credentialField)
    .max(10)
    .default(() => []),
  verify: verifySpec.optional(),
});

/** An offering's fields as parsed, defaults applied, before the rules that span fields. */
export type OfferingFields = z.output<typeof offeringFields>;
export type OfferingInputField = OfferingFields['inputs'][number];
export type OfferingCredentialField = OfferingFields['credentials'][number];
export type OfferingVerify = NonNullable<OfferingFields['verify']>;
