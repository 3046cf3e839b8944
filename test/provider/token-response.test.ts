import { describe, expect, it } from 'vitest';
import { parseTokenResponse } from '../../src/provider/token-response';
import { NOW, catalogOffering, customOffering, jsonReply } from '../offerings/fixtures';

const offering = customOffering();
const secretToken = 'at-SECRET-0123456789';

describe('parseTokenResponse', () => {
  it('reads a standard RFC 6749 §5.1 reply', () => {
    const result = parseTokenResponse(
      offering,
      jsonReply({
        access_token: secretToken,
        refresh_token: 'rt-1',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read write',
      }),
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      accessToken: secretToken,
      refreshToken: 'rt-1',
      tokenType: 'Bearer',
      expiresAt: NOW + 3_600_000,
      scopes: ['read', 'write'],
      metadata: {},
      account: {},
    });
  });

  it('accepts expires_in sent as a string', () => {
    const result = parseTokenResponse(offering, jsonReply({ access_token: secretToken, expires_in: '7200' }), NOW);
    expect(result.ok && result.expiresAt).toBe(NOW + 7_200_000);
  });

  it('treats a missing or unusable expires_in as the offering default (none: never expires)', () => {
    for (const expires_in of [undefined, null, 'soon', -5, 0]) {
      const result = parseTokenResponse(offering, jsonReply({ access_token: secretToken, expires_in }), NOW);
      expect(result.ok && result.expiresAt).toBeNull();
    }
    const withDefault = customOffering({ token_response: { default_expires_in: 900 } });
    const result = parseTokenResponse(withDefault, jsonReply({ access_token: secretToken }), NOW);
    expect(result.ok && result.expiresAt).toBe(NOW + 900_000);
  });

  it('leaves refreshToken out when the reply has none, so a refresh keeps the old one', () => {
    const result = parseTokenResponse(offering, jsonReply({ access_token: secretToken, expires_in: 60 }), NOW);
    expect(result.ok).toBe(true);
    expect(result).not.toHaveProperty('refreshToken');
  });

  it('splits a scope string on the offering separator and tolerates spaces', () => {
    const commas = customOffering({ scope_separator: ',' });
    const result = parseTokenResponse(commas, jsonReply({ access_token: secretToken, scope: 'read,write, admin read' }), NOW);
    expect(result.ok && result.scopes).toEqual(['read', 'write', 'admin']);
  });

  it('accepts scopes as an array and says null when the reply has none', () => {
    const array = parseTokenResponse(offering, jsonReply({ access_token: secretToken, scope: ['a', 'b'] }), NOW);
    expect(array.ok && array.scopes).toEqual(['a', 'b']);
    const none = parseTokenResponse(offering, jsonReply({ access_token: secretToken }), NOW);
    expect(none.ok && none.scopes).toBeNull();
  });

  it('normalizes the token type and defaults it to Bearer', () => {
    const lower = parseTokenResponse(offering, jsonReply({ access_token: secretToken, token_type: 'bearer' }), NOW);
    expect(lower.ok && lower.tokenType).toBe('Bearer');
    const missing = parseTokenResponse(offering, jsonReply({ access_token: secretToken }), NOW);
    expect(missing.ok && missing.tokenType).toBe('Bearer');
  });

  it('reads a form-encoded reply', () => {
    const result = parseTokenResponse(
      offering,
      {
        status: 200,
        contentType: 'application/x-www-form-urlencoded',
        bodyText: `access_token=${secretToken}&expires_in=60&scope=read+write`,
      },
      NOW,
    );
    expect(result).toMatchObject({ ok: true, accessToken: secretToken, expiresAt: NOW + 60_000, scopes: ['read', 'write'] });
  });

  it('turns an RFC 6749 §5.2 error into oauth_error', () => {
    const result = parseTokenResponse(offering, jsonReply({ error: 'invalid_grant', error_description: 'code expired' }, 400), NOW);
    expect(result).toEqual({ ok: false, kind: 'oauth_error', status: 400, error: 'invalid_grant', description: 'code expired' });
  });

  it('sees an error even when the status is 200', () => {
    const result = parseTokenResponse(offering, jsonReply({ error: 'invalid_client' }), NOW);
    expect(result).toMatchObject({ ok: false, kind: 'oauth_error', status: 200, error: 'invalid_client' });
  });

  it.each([
    ['an HTML page', { status: 200, contentType: 'text/html', bodyText: '<!doctype html><p>Sign in</p>' }],
    ['HTML without a content type', { status: 502, contentType: null, bodyText: '<html>Bad gateway</html>' }],
    ['an empty body', { status: 200, contentType: 'application/json', bodyText: '' }],
    ['broken JSON', { status: 200, contentType: 'application/json', bodyText: `{"access_token":"${secretToken}"` }],
    ['a JSON array', { status: 200, contentType: 'application/json', bodyText: '[1,2]' }],
    ['plain text', { status: 200, contentType: 'text/plain', bodyText: 'Service temporarily unavailable' }],
    ['a reply without access_token', jsonReply({ token_type: 'Bearer', refresh_token: secretToken })],
    ['an empty access_token', jsonReply({ access_token: '' })],
    ['a non-string access_token', jsonReply({ access_token: 12345 })],
    ['a 500 without an OAuth error', jsonReply({ message: 'oops' }, 500)],
    ['a token with status 400', jsonReply({ access_token: secretToken }, 400)],
  ])('calls %s malformed, without the token in the reason', (_name, reply) => {
    const result = parseTokenResponse(offering, reply, NOW);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.kind).toBe('malformed');
    expect(JSON.stringify(result)).not.toContain(secretToken);
  });

  it('keeps the offering metadata paths that are present, as strings', () => {
    const withMetadata = customOffering({ token_response: { metadata: ['instance_url', 'team.id', 'livemode', 'missing.path'] } });
    const result = parseTokenResponse(
      withMetadata,
      jsonReply({
        access_token: secretToken,
        instance_url: 'https://na1.example.com',
        team: { id: 'T1' },
        livemode: false,
      }),
      NOW,
    );
    expect(result.ok && result.metadata).toEqual({ instance_url: 'https://na1.example.com', 'team.id': 'T1', livemode: 'false' });
  });

  it('reads account hints from the token reply', () => {
    const asana = catalogOffering('off_asana');
    const result = parseTokenResponse(
      asana,
      jsonReply({
        access_token: secretToken,
        expires_in: 3600,
        data: { gid: '12345', email: 'ada@example.com', name: 'Ada' },
      }),
      NOW,
    );
    expect(result.ok && result.account).toEqual({ id: '12345', email: 'ada@example.com', name: 'Ada' });
  });
});
