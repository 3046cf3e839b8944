import type { OfferingFields } from './fields';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export const MAX_SCOPE_LENGTH = 256;

/** Why one scope value cannot be sent with this separator, or null when it can. */
export function scopeTokenProblem(scope: string, separator: string): string | null {
  if (scope.length === 0) return 'must not be empty';
  if (scope.length > MAX_SCOPE_LENGTH) return `must be at most ${MAX_SCOPE_LENGTH} characters`;
  if (!scopeTokenPattern.test(scope)) {
    return 'must be printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)';
  }
  if (separator !== ' ' && scope.includes(separator)) {
    return `must not contain the offering's scope separator "${separator}"`;
  }
  return null;
}

/** Scopes the offering knows about: required, optional and default ones. */
export function knownScopes(offering: OfferingFields): Set<string> {
  return new Set([...offering.required_scopes, ...offering.optional_scopes, ...offering.default_scopes]);
}

/**
 * Checks an integration's scopes against its offering: each scope well-formed, no duplicates,
 * every required scope present, and nothing unknown where the offering lists a closed set.
 * Returns one message per problem; an empty list means the scopes are acceptable.
 */
export function findScopeProblems(offering: OfferingFields, scopes: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const scope of scopes) {
    const problem = scopeTokenProblem(scope, offering.scope_separator);
    if (problem !== null) problems.push(`scope "${scope}" ${problem}`);
    if (seen.has(scope)) problems.push(`scope "${scope}" is listed twice`);
    seen.add(scope);
  }
  for (const required of offering.required_scopes) {
    if (!seen.has(required)) problems.push(`scope "${required}" is required by ${offering.name}`);
  }
  if (offering.scopes_closed) {
    const known = knownScopes(offering);
    for (const scope of seen) {
      if (!known.has(scope)) problems.push(`scope "${scope}" is not offered by ${offering.name}`);
    }
  }
  return problems;
}
