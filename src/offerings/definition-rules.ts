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
  checkEndUserHosts(offering, issue);
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
    if (!result.ok) {
      issue(path, `URL ${result.message}`);
      continue;
    }
    // A closed list is every host the URL can have, so each value must pass, not just the example.
    const listed = closedListProblem(template, o.inputs, samples, policy);
    if (listed !== null) issue(path, listed);
  }
  o.inputs.forEach((input, index) => {
    if (!used.has(input.key)) issue(['inputs', index, 'key'], `"${input.key}" is not used in any URL`);
  });
}

/** Why one value of an input whose pattern is a closed list of literals makes the URL unacceptable, or null. */
function closedListProblem(template: string, inputs: CheckedOfferingFields['inputs'], samples: Record<string, string>, policy: OutboundPolicy): string | null {
  const names = new Set(listPlaceholders(template));
  for (const input of inputs) {
    if (!names.has(input.key)) continue;
    for (const value of closedLiteralValues(input.pattern) ?? []) {
      if (inputValueProblem(input, value) !== null) continue;
      const result = checkOutboundUrl(fillTemplate(template, { ...samples, [input.key]: value }), policy);
      if (!result.ok) return `URL ${result.message} when ${input.label} is "${value}"`;
    }
  }
  return null;
}

/**
 * The end user may not choose where the organization's client secret goes. An end-user input
 * in a URL's host may only fill labels under a fixed suffix of at least two labels, written in
 * the template (`{subdomain}.zendesk.com`) or guaranteed by the input's pattern (every
 * alternative of Salesforce's My Domain ends in `.salesforce.com`); or the pattern is a closed
 * list of literal values (Zoho's data centers), so the operator fixed every possible host.
 */
function checkEndUserHosts(o: CheckedOfferingFields, issue: Issue): void {
  const endUser = new Map(o.inputs.filter((input) => input.source === 'end_user').map((input) => [input.key, input]));
  if (endUser.size === 0) return;
  const templates: [(string | number)[], string | undefined][] = [
    ...templatedUrlFields.map((field): [string[], string | undefined] => [[field], o[field]]),
    [['verify', 'url'], o.verify?.url],
  ];
  for (const [path, template] of templates) {
    if (template === undefined || templateSyntaxProblem(template) !== null) continue;
    const host = templateHost(template);
    const open = listPlaceholders(host).filter((name) => {
      const input = endUser.get(name);
      return input !== undefined && closedLiteralValues(input.pattern) === null;
    });
    const last = open.at(-1);
    if (last === undefined) continue;
    const after = host.slice(host.lastIndexOf(`{${last}}`) + last.length + 2);
    const suffix = after.includes('{') ? '' : `${after === '' ? guaranteedSuffix(endUser.get(last)!.pattern) : ''}${after}`;
    const labels = suffix.startsWith('.') ? suffix.slice(1).split('.') : [];
    if (labels.length < 2 || labels.some((label) => !/^[a-z0-9-]+$/i.test(label))) {
      issue(
        path,
        `lets the end user choose the host through {${last}}: an end-user input may only fill labels under a fixed domain of at least two labels, such as https://{${last}}.example.com`,
      );
    }
  }
}

/** The host part of a URL template, placeholders kept. */
function templateHost(template: string): string {
  const start = template.indexOf('://');
  if (start < 0) return '';
  const rest = template.slice(start + 3);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  return authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
}

/** A pattern's top-level alternatives, without `^`, `$` and a wrapping `(?:…)`. */
function alternatives(pattern: string): string[] {
  let body = pattern.replace(/^\^/, '').replace(/\$$/, '');
  if (body.startsWith('(?:') && body.endsWith(')') && closingParen(body, 0) === body.length - 1) body = body.slice(3, -1);
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\') {
      current += body.slice(i, i + 2);
      i += 1;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      while (j < body.length && body[j] !== ']') j += body[j] === '\\' ? 2 : 1;
      current += body.slice(i, j + 1);
      i = j;
      continue;
    }
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === '|' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function closingParen(body: string, open: number): number {
  let depth = 0;
  for (let i = open; i < body.length; i++) {
    if (body[i] === '\\') {
      i += 1;
      continue;
    }
    if (body[i] === '(') depth += 1;
    if (body[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The literal text at the end of a regular expression (escaped dots included). */
function literalTail(alternative: string): string {
  let tail = '';
  let i = alternative.length;
  while (i > 0) {
    const ch = alternative[i - 1]!;
    if (/[a-z0-9-]/i.test(ch) && alternative[i - 2] !== '\\') {
      tail = ch + tail;
      i -= 1;
    } else if (ch === '.' && alternative[i - 2] === '\\') {
      tail = `.${tail}`;
      i -= 2;
    } else {
      break;
    }
  }
  return tail;
}

/** The values of a pattern that is a list of literal alternatives, or null. */
function closedLiteralValues(pattern: string): string[] | null {
  const parts = alternatives(pattern);
  const values = parts.map((part) => part.replaceAll('\\.', '.'));
  return parts.every((part, i) => part !== '' && literalTail(part) === values[i]) ? values : null;
}

/** The suffix from a label boundary that every value of the pattern ends with, or ''. */
function guaranteedSuffix(pattern: string): string {
  const tails = alternatives(pattern).map(literalTail);
  let common = tails[0] ?? '';
  for (const tail of tails.slice(1)) {
    while (!tail.endsWith(common)) common = common.slice(1);
  }
  const dot = common.indexOf('.');
  return dot < 0 ? '' : common.slice(dot);
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
