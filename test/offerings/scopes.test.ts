import { describe, expect, it } from 'vitest';
import { findScopeProblems, knownScopes } from '../../src/offerings/scopes';
import { customOffering } from './fixtures';

describe('findScopeProblems', () => {
  const open = customOffering({ default_scopes: ['read', 'write'], required_scopes: ['read'], optional_scopes: ['admin'] });
  const closed = customOffering({ default_scopes: ['read'], required_scopes: ['read'], optional_scopes: ['write'], scopes_closed: true });

  it('accepts required plus anything else on an open offering', () => {
    expect(findScopeProblems(open, ['read', 'something:new'])).toEqual([]);
  });

  it('names a missing required scope', () => {
    expect(findScopeProblems(open, ['write'])).toEqual(['scope "read" is required by Custom CRM']);
  });

  it('refuses unknown scopes only where the offering lists a closed set', () => {
    expect(findScopeProblems(closed, ['read', 'write'])).toEqual([]);
    expect(findScopeProblems(closed, ['read', 'delete'])).toEqual(['scope "delete" is not offered by Custom CRM']);
  });

  it('refuses duplicates, whitespace, quotes and separators inside a scope', () => {
    const commas = customOffering({ scope_separator: ',', default_scopes: [] });
    expect(findScopeProblems(open, ['read', 'read'])).toEqual(['scope "read" is listed twice']);
    expect(findScopeProblems(open, ['read', 'a b'])[0]).toMatch(/without spaces/);
    expect(findScopeProblems(open, ['read', 'a"b'])[0]).toMatch(/quotes/);
    expect(findScopeProblems(open, ['read', ''])[0]).toBe('scope "" must not be empty');
    expect(findScopeProblems(commas, ['a,b'])).toEqual(['scope "a,b" must not contain the offering\'s scope separator ","']);
  });

  it('knows required, optional and default scopes', () => {
    expect([...knownScopes(open)].sort()).toEqual(['admin', 'read', 'write']);
  });
});
