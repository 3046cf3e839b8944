import type { z } from 'zod';
import { checkOutboundUrl, LOCAL_DEVELOPMENT_POLICY, type OutboundPolicy } from '../lib/outbound-url';
import type { offeringFields } from './fields';
import { inputValueProblem } from './inputs';
import { nestedQuantifierProblem } from './pattern-safety';
import { scopeTokenProblem } from './scopes';
import { PUBLIC_URL_PLACEHOLDER, fillTemplate, listPlaceholders, templateSyntaxProblem } from './template';

/** URL fields that may hold `{placeholders}`; `verify.url` may too. */
export const templatedUrlFields = ['authorization_url', 'token_url', 'userinfo_url', 'revocation_url', 'introspection_url'] as const;

/** Authorization parameters Edgelink sets itself; neither offerings nor integrations may. */
export const reservedAuthorizationParams: readonly string[] = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
];

/** The fields the cross-field rules read; a schema without `id` (operator create) has them all. */
export type CheckedOfferingFields = Omit<z.output<typeof offeringFields>, 'id' | 'name' | 'provider' | 'description' | 'docs_url'>;
type Issue = (path: (string | number)[], message: string) => void;

/** Rules that span fields; exported so variants of {@link offeringFields} can reuse them. */
export function checkOfferingDefinition(offering: CheckedOfferingFields, ctx: z.RefinementCtx): void {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  checkAuthMode(offering, issue);
  checkScopes(offering, issue);
  checkInputs(offering, issue);
  checkUrlTemplates(offering, issue);
  checkParamsAndCredentials(offering, issue);
}

function checkAuthMode(o: CheckedOfferingFields, issue: Issue): void {
  if (o.auth_mode === 'oauth2') {
    if (o.authorization_url === undefined) issue(['authorization_url'], 'is required for oauth2 offerings');
    if (o.token_url === undefined) issue(['token_url'], 'is required for oauth2 offerings');
    if (o.credentials.length > 0) issue(['credentials'], 'apply only to api_key and basic offerings');
    if (o.verify !== undefined) issue(['verify'], 'applies only to api_key and basic offerings');
    return;
  }
  if (o.credentials.length === 0) issue(['credentials'], `must list at least one field for ${o.auth_mode} offerings`);
  for (const field of templatedUrlFields) {
    if (o[field] !== undefined) issue([field], 'applies only to oauth2 offerings');
  }
}

function checkScopes(o: CheckedOfferingFields, issue: Issue): void {
  for (const list of ['default_scopes', 'required_scopes', 'optional_scopes'] as const) {
    const seen = new Set<string>();
    o[list].forEach((scope, index) => {
      const problem = scopeTokenProblem(scope, o.scope_separator);
      if (problem !== null) issue([list, index], `scope "${scope}" ${problem}`);
      if (seen.has(scope)) issue([list, index], `scope "${scope}" is listed twice`);
      seen.add(scope);
    });
  }
  for (const scope of o.required_scopes) {
    if (!o.default_scopes.includes(scope)) issue(['default_scopes'], `must include the required scope "${scope}"`);
  }
  o.optional_scopes.forEach((scope, index) => {
    if (o.required_scopes.includes(scope)) issue(['optional_scopes', index], `scope "${scope}" is already required`);
  });
  if (o.scopes_closed) {
    const known = new Set([...o.required_scopes, ...o.optional_scopes]);
    o.default_scopes.forEach((scope, index) => {
      if (!known.has(scope)) {
        issue(['default_scopes', index], `scope "${scope}" must be required or optional when scopes_closed is true`);
      }
    });
  }
}

function checkInputs(o: CheckedOfferingFields, issue: Issue): void {
  const seen = new Set<string>();
  o.inputs.forEach((input, index) => {
    if (input.key === PUBLIC_URL_PLACEHOLDER) issue(['inputs', index, 'key'], `"${PUBLIC_URL_PLACEHOLDER}" is reserved`);
    if (seen.has(input.key)) issue(['inputs', index, 'key'], `"${input.key}" is declared twice`);
    seen.add(input.key);
    if (!patternCompiles(input.pattern)) {
      issue(['inputs', index, 'pattern'], 'must be a valid regular expression anchored with ^ and $');
      return;
    }
    const backtracking = nestedQuantifierProblem(input.pattern);
    if (backtracking !== null) {
      issue(['inputs', index, 'pattern'], backtracking);
      return;
    }
    const exampleProblem = inputValueProblem(input, input.example);
    if (exampleProblem !== null) issue(['inputs', index, 'example'], exampleProblem);
    if (input.default !== undefined) {
      const defaultProblem = inputValueProblem(input, input.default);
      if (defaultProblem !== null) issue(['inputs', index, 'default'], defaultProblem);
    }
  });
}

function patternCompiles(pattern: string): boolean {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return false;
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * The URL templates under a deployment's outbound-URL policy. The schema checks them under the
 * part every deployment shares (private and metadata hosts refused, loopback allowed); the
 * service, which knows PUBLIC_URL, calls this for the rest.
 */
export function offeringUrlProblems(offering: CheckedOfferingFields, policy: OutboundPolicy): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  checkUrlTemplates(offering, (path, message) => problems.push({ path, message }), policy);
  return problems;
}

function checkUrlTemplates(o: CheckedOfferingFields, issue: Issue, policy: OutboundPolicy = LOCAL_DEVELOPMENT_POLICY): void {
  const declared = new Set(o.inputs.map((input) => input.key));
  const used = new Set<string>();
  // Templates are checked by filling them with the inputs' examples and parsing the result.
  const samples: Record<string, string> = { [PUBLIC_URL_PLACEHOLDER]: 'https://edgelink.example' };
  for (const input of o.inputs) {
    if (patternCompiles(input.pattern) && inputValueProblem(input, input.example) === null) {
      samples[input.key] = input.example;
    }
  }
  const templates: [(string | number)[], string | undefined][] = [
    ...templatedUrlFields.map((field): [string[], string | undefined] => [[field], o[field]]),
    [['verify', 'url'], o.verify?.url],
  ];
  for (const [path, template] of templates) {
    if (template === undefined) continue;
    const syntax = templateSyntaxProblem(template);
    if (syntax !== null) {
      issue(path, `URL template ${syntax}`);
      continue;
    }
    const names = listPlaceholders(template);
    for (const name of names) used.add(name);
    const undeclared = names.filter((name) => name !== PUBLIC_URL_PLACEHOLDER && !declared.has(name));
    if (undeclared.length > 0) {
      issue(path, `uses {${undeclared[0]}}, which is not declared in inputs`);
      continue;
    }
    if (names.some((name) => samples[name] === undefined)) continue;
    const result = checkOutboundUrl(fillTemplate(template, samples), policy);
    if (!result.ok) issue(path, `URL ${result.message}`);
  }
  o.inputs.forEach((input, index) => {
    if (!used.has(input.key)) issue(['inputs', index, 'key'], `"${input.key}" is not used in any URL`);
  });
}

function checkParamsAndCredentials(o: CheckedOfferingFields, issue: Issue): void {
  const reserved = new Set([...reservedAuthorizationParams, o.scope_param]);
  if (reservedAuthorizationParams.includes(o.scope_param)) issue(['scope_param'], 'is a reserved parameter');
  for (const name of Object.keys(o.authorization_params)) {
    if (reserved.has(name)) issue(['authorization_params', name], 'is set by Edgelink and cannot be overridden');
  }
  const credentialKeys = new Set<string>();
  o.credentials.forEach((field, index) => {
    if (credentialKeys.has(field.key)) issue(['credentials', index, 'key'], `"${field.key}" is declared twice`);
    credentialKeys.add(field.key);
  });
  const auth = o.verify?.auth;
  if (auth === undefined) return;
  const fields = auth.type === 'basic' ? [auth.username_field, auth.password_field] : [auth.field];
  for (const field of fields) {
    if (!credentialKeys.has(field)) issue(['verify', 'auth'], `names "${field}", which is not a credential field`);
  }
}
