import { describe, expect, it } from 'vitest';
import { offeringDefinition } from '../../src/offerings/definition';
import { checkOfferingDefinition } from '../../src/offerings/definition-rules';
import { offeringFields } from '../../src/offerings/fields';
import { customOfferingInput } from './fixtures';

function problems(overrides: Record<string, unknown>): string[] {
  const result = offeringDefinition.safeParse({ ...customOfferingInput(), ...overrides });
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('offeringDefinition', () => {
  it('applies documented defaults to a minimal custom offering', () => {
    const offering = offeringDefinition.parse(customOfferingInput());
    expect(offering).toMatchObject({
      description: '',
      inputs: [],
      scope_separator: ' ',
      scope_param: 'scope',
      required_scopes: [],
      optional_scopes: [],
      scopes_closed: false,
      authorization_params: {},
      token_auth_method: 'client_secret_post',
      pkce: true,
      userinfo_method: 'GET',
      userinfo_headers: {},
      callback_metadata: [],
      credentials: [],
      token_response: {
        access_token_path: 'access_token',
        refresh_token_path: 'refresh_token',
        expires_in_path: 'expires_in',
        scope_path: 'scope',
        token_type_path: 'token_type',
        metadata: [],
        default_expires_in: null,
      },
      account: {},
    });
  });

  it('accepts an Integry-style form with query parameters in the authorization URI', () => {
    expect(
      problems({
        authorization_url: 'https://auth.example.com/authorize?audience=https%3A%2F%2Fapi.example.com',
        userinfo_url: 'https://api.example.com/me',
        scope_separator: ',',
        token_auth_method: 'client_secret_basic',
        pkce: false,
      }),
    ).toEqual([]);
  });

  it('accepts a loopback http endpoint for local development', () => {
    expect(problems({ token_url: 'http://127.0.0.1:9000/token' })).toEqual([]);
  });

  it.each([
    ['oauth2 without a token URL', { token_url: undefined }, 'token_url: is required for oauth2 offerings'],
    ['oauth2 without an authorization URL', { authorization_url: undefined }, 'authorization_url: is required for oauth2 offerings'],
    ['an http URL', { token_url: 'http://auth.example.com/token' }, 'token_url: URL must use https (http is allowed only for 127.0.0.1, [::1] and localhost)'],
    ['a credential-bearing URL', { token_url: 'https://user:pw@auth.example.com/token' }, 'token_url: URL must not contain credentials (user:password@)'],
    ['a javascript: URL', { authorization_url: 'javascript:alert(1)' }, 'authorization_url: URL must use https (the javascript: scheme is not allowed)'],
    ['a URL with a fragment', { authorization_url: 'https://auth.example.com/a#b' }, 'authorization_url: URL must not contain a fragment (#)'],
    ['an undeclared placeholder', { token_url: 'https://{region}.example.com/token' }, 'token_url: uses {region}, which is not declared in inputs'],
    [
      'a scope with a space',
      { default_scopes: ['read write'] },
      'default_scopes.0: scope "read write" must be printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)',
    ],
    [
      'a scope with the separator',
      { scope_separator: ',', default_scopes: ['read,write'] },
      'default_scopes.0: scope "read,write" must not contain the offering\'s scope separator ","',
    ],
    ['a duplicate scope', { optional_scopes: ['admin', 'admin'] }, 'optional_scopes.1: scope "admin" is listed twice'],
    ['a required scope missing from the defaults', { required_scopes: ['admin'] }, 'default_scopes: must include the required scope "admin"'],
    [
      'a default scope outside a closed set',
      { scopes_closed: true, optional_scopes: ['read'] },
      'default_scopes.1: scope "write" must be required or optional when scopes_closed is true',
    ],
    [
      'a reserved authorization parameter',
      { authorization_params: { redirect_uri: 'https://evil.com' } },
      'authorization_params.redirect_uri: is set by Edgelink and cannot be overridden',
    ],
    ['an unknown field (typo)', { scope_seperator: ',' }, ': Unrecognized key: "scope_seperator"'],
    ['a bad id', { id: 'salesforce' }, 'id: must look like off_example (lowercase, digits, "_")'],
    ['credentials on oauth2', { credentials: [{ key: 'api_key', label: 'Key' }] }, 'credentials: apply only to api_key and basic offerings'],
    ['a header value with a line break', { userinfo_headers: { 'X-Test': 'a\r\nSet-Cookie: x=1' } }, 'userinfo_headers.X-Test: must be printable ASCII'],
    ['a static Authorization header', { userinfo_headers: { Authorization: 'Bearer x' } }, 'userinfo_headers.Authorization: may not be set by an offering'],
  ])('refuses %s', (_name, overrides, expected) => {
    expect(problems(overrides)).toContain(expected);
  });

  describe('inputs', () => {
    const input = { key: 'subdomain', label: 'Subdomain', pattern: '^[a-z0-9-]+$', source: 'end_user', example: 'acme' };
    const templated = { authorization_url: 'https://{subdomain}.example.com/authorize' };

    it('accepts a declared and used input', () => {
      expect(problems({ ...templated, inputs: [input] })).toEqual([]);
    });

    it.each([
      ['an unanchored pattern', { pattern: '[a-z]+' }, 'inputs.0.pattern: must be a valid regular expression anchored with ^ and $'],
      ['an invalid pattern', { pattern: '^[a-z$' }, 'inputs.0.pattern: must be a valid regular expression anchored with ^ and $'],
      ['an example that does not match', { example: 'Acme' }, 'inputs.0.example: Subdomain does not have the expected form'],
      ['an unsafe default', { pattern: '^.*$', default: 'evil.com/x?' }, 'inputs.0.default: Subdomain may contain only letters, digits, ".", "-" and "_"'],
      ['the reserved public_url key', { key: 'public_url' }, 'inputs.0.key: "public_url" is reserved'],
    ])('refuses %s', (_name, change, expected) => {
      expect(problems({ ...templated, inputs: [{ ...input, ...change }] })).toContain(expected);
    });

    it('refuses an input no URL uses', () => {
      expect(problems({ inputs: [input] })).toContain('inputs.0.key: "subdomain" is not used in any URL');
    });

    it('checks the filled template, so an input cannot make a relative or unsafe URL', () => {
      expect(problems({ authorization_url: '{subdomain}/authorize', inputs: [input] })).toContain(
        'authorization_url: URL must be an absolute URL starting with https://',
      );
    });
  });

  describe('api_key and basic offerings', () => {
    const keyed = {
      auth_mode: 'api_key',
      authorization_url: undefined,
      token_url: undefined,
      default_scopes: [],
      credentials: [{ key: 'api_key', label: 'API key', secret: true }],
      verify: { url: 'https://api.example.com/me', auth: { type: 'bearer', field: 'api_key' } },
    };

    it('accepts credentials with a verify request', () => {
      expect(problems(keyed)).toEqual([]);
    });

    it.each([
      ['no credentials', { credentials: [] }, 'credentials: must list at least one field for api_key offerings'],
      ['OAuth endpoints', { token_url: 'https://auth.example.com/token' }, 'token_url: applies only to oauth2 offerings'],
      [
        'a verify field that is not a credential',
        { verify: { url: 'https://api.example.com/me', auth: { type: 'bearer', field: 'token' } } },
        'verify.auth: names "token", which is not a credential field',
      ],
      [
        'an http verify URL',
        { verify: { url: 'http://api.example.com/me', auth: { type: 'bearer', field: 'api_key' } } },
        'verify.url: URL must use https (http is allowed only for 127.0.0.1, [::1] and localhost)',
      ],
    ])('refuses %s', (_name, change, expected) => {
      expect(problems({ ...keyed, ...change })).toContain(expected);
    });
  });

  it('lets operator schemas reuse the fields and rules without an id', () => {
    const createBody = offeringFields.omit({ id: true }).superRefine(checkOfferingDefinition);
    const { id: _id, ...body } = customOfferingInput();
    expect(createBody.safeParse(body).success).toBe(true);
    expect(createBody.safeParse({ ...body, token_url: undefined }).success).toBe(false);
  });
});
