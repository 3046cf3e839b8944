import { describe, expect, it } from 'vitest';
import { catalogSources } from '../../src/offerings/catalog';
import { offeringDefinition } from '../../src/offerings/definition';
import { nestedQuantifierProblem } from '../../src/offerings/pattern-safety';

const base = {
  id: 'off_custom',
  name: 'Custom',
  provider: 'custom',
  auth_mode: 'oauth2',
  authorization_url: 'https://{tenant}.example.com/authorize',
  token_url: 'https://example.com/token',
};
const withPattern = (pattern: string) => ({
  ...base,
  inputs: [{ key: 'tenant', label: 'Tenant', pattern, source: 'integration', example: 'aaaa' }],
});
const issues = (body: unknown) => {
  const result = offeringDefinition.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('input patterns that could backtrack catastrophically', () => {
  it.each(['^(a+)+$', '^(a*)*$', '^(a|aa)+$', '^(?:[a-z]+\\.?)+$', '^((a|b))*$', '^(a{1,5}){2,}$'])('refuses %s naming the field', (pattern) => {
    expect(issues(withPattern(pattern))).toContainEqual(expect.stringMatching(/^inputs\.0\.pattern: must not repeat a group/));
  });

  it.each(['(a*)*', '(a|aa)+', '(a+)+'])('finds the nesting in the bare %s', (pattern) => {
    expect(nestedQuantifierProblem(pattern)).not.toBeNull();
  });

  it.each(['^[a-z]+$', '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', '^(?:eu|us)$', '^[a-z]+(?:\\.[a-z0-9-]{1,63})+$', '^(a)+$'])('accepts %s', (pattern) => {
    expect(nestedQuantifierProblem(pattern)).toBeNull();
  });

  it("accepts every catalog offering's patterns", () => {
    const patterns = catalogSources.flatMap((source) => (source.inputs ?? []).map((input) => [source.id, input.pattern] as const));
    expect(patterns.length).toBeGreaterThan(0);
    expect(patterns.filter(([, pattern]) => nestedQuantifierProblem(pattern) !== null)).toEqual([]);
  });
});
