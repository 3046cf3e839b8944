import { z } from 'zod';
import { idSchema } from '../lib/ids';
import { listQuery } from '../lib/pagination';
import { nameField, timestamp } from '../lib/shapes';
import { parseSafeUrl, safeUrl } from '../lib/url';
import { DEFAULT_GRANT_TYPES, GRANT_TYPES, grantTypeProblems } from './grant-types';
import { PUBLISH_STATES } from './schema';
import { APPLICATION_SCOPES } from './scopes';

export const MAX_REDIRECT_URIS = 10;

/**
 * A redirect URI is matched by exact string (RFC 9700 §4.1.3), so it is stored as given: the
 * shared URL check (https, http only for loopback per RFC 8252, no credentials or fragment),
 * and no `*`, which elsewhere would read as a wildcard.
 */
const redirectUri = z.string().superRefine((value, ctx) => {
  if (value.includes('*')) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a wildcard (*): redirect URIs are matched exactly' });
    return;
  }
  const result = parseSafeUrl(value, { allowHttpLoopback: true });
  if (!result.ok) ctx.addIssue({ code: 'custom', message: `URL ${result.message}` });
});

// At least one is needed with the authorization_code grant; the service checks that against the grant types.
const redirectUris = z
  .array(redirectUri)
  .max(MAX_REDIRECT_URIS, `must list at most ${MAX_REDIRECT_URIS} redirect URIs`)
  .superRefine((uris, ctx) => {
    uris.forEach((uri, i) => {
      const first = uris.indexOf(uri);
      if (first !== i) ctx.addIssue({ code: 'custom', path: [i], message: `repeats redirect_uris.${first}` });
    });
  })
  .describe(
    'Absolute https URLs (http only for 127.0.0.1, [::1] and localhost), matched exactly as given. At least one with the authorization_code grant; may be empty for an application that only uses client_credentials.',
  );

const grantType = z.enum(GRANT_TYPES, {
  error: (issue) => `'${String(issue.input).slice(0, 64)}' is not a grant type; use ${GRANT_TYPES.join(', ')}`,
});

const grantTypes = z
  .array(grantType)
  .min(1, 'must list at least one grant type')
  .max(10, 'must list at most 10 grant types')
  .transform((list) => [...new Set(list)])
  .describe(
    'The OAuth grants the application may use; the authorization server refuses others with unauthorized_client. refresh_token needs authorization_code, and authorization_code needs a redirect URI.',
  );

const listed = z
  .boolean()
  .describe('Ask to be listed in the public directory at /apps; the application shows there only while it is approved public and active');

const scope = z.enum(APPLICATION_SCOPES, {
  error: (issue) => `'${String(issue.input).slice(0, 64)}' is not a scope; use ${APPLICATION_SCOPES.join(', ')}`,
});

const scopes = z
  .array(scope)
  .min(1, 'must list at least one scope')
  .max(20, 'must list at most 20 scopes')
  .transform((list) => [...new Set(list)])
  .describe('The scopes the application may ask for; see the scope catalog');

const description = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .regex(/^(?:[^\p{Cc}]|[\t\n\r])*$/u, 'must not contain control characters');

/** Terms and privacy pages are read by people in a browser: https only. */
const pageUrl = safeUrl();

export const createApplicationBody = z
  .strictObject({
    name: nameField.describe('Shown to users on the consent page'),
    description: description.optional().describe('One or two sentences on what the application does; shown on the consent page'),
    redirect_uris: redirectUris.optional().describe('Defaults to none, which only an application without the authorization_code grant may have'),
    grant_types: grantTypes.optional().describe('Defaults to authorization_code, refresh_token and client_credentials'),
    listed: listed.optional(),
    terms_url: pageUrl.optional(),
    privacy_url: pageUrl.optional(),
    active: z.boolean().optional().describe('Defaults to true; an inactive application cannot be authorized or get tokens'),
    scopes: scopes.optional().describe('Defaults to all.full_access and offline_access'),
    organization_id: idSchema('org').optional().describe("Defaults to the caller's organization"),
    owner_user_id: idSchema('usr')
      .optional()
      .describe('API keys only: a member of the organization to own the application and receive its notifications. A signed-in user owns what they create.'),
  })
  .superRefine((body, ctx) => {
    for (const p of grantTypeProblems(body.grant_types ?? DEFAULT_GRANT_TYPES, body.redirect_uris ?? [])) {
      ctx.addIssue({ code: 'custom', path: [p.field], message: p.message });
    }
  });

export const updateApplicationBody = z.strictObject({
  name: nameField.optional(),
  description: description.optional(),
  redirect_uris: redirectUris.optional(),
  grant_types: grantTypes.optional(),
  listed: listed.optional(),
  terms_url: pageUrl.nullable().optional(),
  privacy_url: pageUrl.nullable().optional(),
  active: z.boolean().optional().describe('false stops new authorizations and token grants at once'),
  scopes: scopes.optional(),
  owner_user_id: idSchema('usr').nullable().optional().describe("A member of the application's organization"),
});

export const applicationIdParam = z.strictObject({ id: idSchema('app') });

export const listApplicationsQuery = listQuery.extend({
  name: z.string().trim().min(1).max(100).optional().describe('Substring of the name, any case'),
  organization_id: idSchema('org').optional().describe('For users in several organizations; an API key sees only its own'),
  status: z.enum(['active', 'inactive']).optional(),
});

export const adminListApplicationsQuery = listQuery.extend({
  publish: z.enum(PUBLISH_STATES).optional().describe('pending: the requests waiting for a decision'),
});

export const publishDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reason: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(500, 'must be at most 500 characters')
    .regex(/^(?:[^\p{Cc}]|[\t\n\r])*$/u, 'must not contain control characters')
    .optional()
    .describe("Sent to the application's owner with the decision"),
});

export const applicationObject = z
  .object({
    id: idSchema('app'),
    organization_id: idSchema('org'),
    owner_user_id: z.string().nullable(),
    name: z.string(),
    description: z.string(),
    redirect_uris: z.array(z.string()),
    terms_url: z.string().nullable(),
    privacy_url: z.string().nullable(),
    active: z.boolean(),
    visibility: z.enum(['private', 'public']).describe('private: only members of its organization may authorize it'),
    publish_state: z.enum(PUBLISH_STATES),
    scopes: z.array(z.string()),
    grant_types: z.array(z.enum(GRANT_TYPES)),
    listed: z.boolean().describe('Whether the owner asked to be listed on /apps (shown there only while approved public and active)'),
    client_id: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Application' });

export const applicationWithSecretObject = applicationObject
  .extend({
    client_secret: z.string().describe('Shown only in this response; Edgelink keeps only its hash. Store it now.'),
  })
  .meta({ id: 'ApplicationWithSecret' });

export const deletedApplicationObject = z.object({ id: idSchema('app'), deleted: z.literal(true) }).meta({ id: 'DeletedApplication' });

export type ApplicationObject = z.output<typeof applicationObject>;
export type CreateApplicationBody = z.output<typeof createApplicationBody>;
export type UpdateApplicationBody = z.output<typeof updateApplicationBody>;
export type ListApplicationsQuery = z.output<typeof listApplicationsQuery>;
export type AdminListApplicationsQuery = z.output<typeof adminListApplicationsQuery>;
export type PublishDecisionBody = z.output<typeof publishDecisionBody>;
