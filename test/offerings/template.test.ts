import { describe, expect, it } from 'vitest';
import { OfferingError } from '../../src/offerings/errors';
import { inputValueProblem, resolveInputValues } from '../../src/offerings/inputs';
import { fillTemplate, listPlaceholders, normalizePublicUrl, templateSyntaxProblem } from '../../src/offerings/template';

const hostLabel = { label: 'Subdomain', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' };

describe('URL templates', () => {
  it('lists placeholders in order', () => {
    expect(listPlaceholders('https://{shop}.example.com/{tenant}/x?y={shop}')).toEqual(['shop', 'tenant', 'shop']);
  });

  it('refuses unknown placeholders instead of leaving them in the URL', () => {
    const fill = () => fillTemplate('https://{region}.example.com/', { shop: 'acme' });
    expect(fill).toThrow(OfferingError);
    expect(fill).toThrow('URL template uses an unknown placeholder {region}');
  });

  it('does not treat inherited names as values', () => {
    expect(() => fillTemplate('https://{constructor}.example.com/', {})).toThrow(/unknown placeholder/);
  });

  it.each([
    ['https://{shop.example.com/', 'has an unbalanced "{" or "}"'],
    ['https://shop}.example.com/', 'has an unbalanced "{" or "}"'],
    ['https://{}.example.com/', 'has an invalid placeholder "{}"'],
    ['https://{Shop}.example.com/', 'has an invalid placeholder "{Shop}"'],
    ['https://example.com/{public_url}/x', 'may use {public_url} only at its start, followed by a path'],
  ])('reports broken template %s', (template, problem) => {
    expect(templateSyntaxProblem(template)).toBe(problem);
  });
});

describe('PUBLIC_URL as a template value', () => {
  it('is normalized the same however often it is asked, and a bad one is refused each time, never remembered', () => {
    expect(normalizePublicUrl('https://edgelink.example.com/base/')).toBe('https://edgelink.example.com/base');
    expect(normalizePublicUrl('https://edgelink.example.com/base/')).toBe('https://edgelink.example.com/base');
    for (let i = 0; i < 2; i++) {
      expect(() => normalizePublicUrl('https://edgelink.example.com/?x=1')).toThrow(OfferingError);
      expect(() => normalizePublicUrl('ftp://edgelink.example.com')).toThrow(OfferingError);
    }
    expect(normalizePublicUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizePublicUrl('https://edgelink.example.com/base/')).toBe('https://edgelink.example.com/base');
  });
});

describe('input values', () => {
  it.each([
    'evil.com/x?',
    'evil.com#frag',
    'evil.com?x=1',
    'user@evil.com',
    'evil.com:8080',
    'a%2Fb',
    'a\\b',
    '..',
    '.',
    'a..b',
    '.acme',
    'acme.',
    ' acme',
    'acme ',
    'ac\tme',
    'ac\nme',
    'ácme',
    '',
    'a'.repeat(254),
  ])('refuses %j whatever the pattern says', (value) => {
    expect(inputValueProblem({ label: 'Host', pattern: '^.*$' }, value)).not.toBeNull();
  });

  it('matches the whole value even when the pattern uses alternation', () => {
    expect(inputValueProblem({ label: 'Region', pattern: '^eu|us$' }, 'evil-us')).toBe('Region does not have the expected form');
    expect(inputValueProblem({ label: 'Region', pattern: '^eu|us$' }, 'us')).toBeNull();
  });

  it('accepts a value of the expected form', () => {
    expect(inputValueProblem(hostLabel, 'acme-store')).toBeNull();
    expect(inputValueProblem(hostLabel, 'a.b')).toBe('Subdomain does not have the expected form');
  });

  it('uses defaults, refuses unknown keys and names missing ones', () => {
    const offering = {
      inputs: [
        { key: 'tenant', label: 'Tenant', pattern: '^[a-z]+$', default: 'common', source: 'integration', example: 'acme' },
        { key: 'shop', label: 'Shop', pattern: '^[a-z]+$', source: 'end_user', example: 'acme' },
      ],
    } as const;
    expect(resolveInputValues({ inputs: [...offering.inputs] }, { shop: 'acme' })).toEqual({ tenant: 'common', shop: 'acme' });
    expect(() => resolveInputValues({ inputs: [...offering.inputs] }, { shop: 'acme', tenat: 'x' })).toThrow('"tenat" is not an input of this offering');
    expect(() => resolveInputValues({ inputs: [...offering.inputs] }, {})).toThrow('Shop is required');
  });
});
