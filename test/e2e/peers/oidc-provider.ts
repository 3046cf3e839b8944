import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A client registered at the peer, as a provider's developer console would show it. */
/** POST here to revoke every grant, as a user removing the app's access at the provider would. */
export const REVOKE_PATH = '/__test/revoke-grants';

export interface PeerClient {
  client_id: string;
  client_secret: string;
}

export interface OidcPeer {
  issuer: string;
  client: PeerClient;
  /** Revokes every refresh token the peer issued, as a user removing the app's access would. */
  revokeAllGrants(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts oidc-provider (a certified OpenID provider) on loopback as the third-party provider
 * Edgelink connects to. Dev interactions give it a real sign-in and consent page.
 */
export async function startOidcPeer(options: { redirectUris: string[] }): Promise<OidcPeer> {
  const client: PeerClient = { client_id: 'edgelink-test-client', client_secret: 'peer-client-secret-0123456789abcdef' };
  const grantIds = new Set<string>();

  const build = (iss: string) => {
    const provider = new Provider(iss, {
      clients: [
        {
          ...client,
          redirect_uris: options.redirectUris,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      scopes: ['openid', 'offline_access', 'email', 'profile'],
      claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
      features: { devInteractions: { enabled: true }, revocation: { enabled: true }, introspection: { enabled: true } },
      pkce: { required: () => true },
      // Access tokens live 2 minutes, inside Edgelink's 5-minute skew: every token request refreshes.
      ttl: { AccessToken: 120, AuthorizationCode: 60, RefreshToken: 86_400, Grant: 86_400, Interaction: 600, Session: 86_400 },
      issueRefreshToken: async (_ctx, c, code) => c.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      findAccount: async (_ctx, id) => ({
        accountId: id,
        claims: async () => ({ sub: id, email: `${id}@peer.test`, name: `Peer user ${id}` }),
      }),
    });
    provider.on('refresh_token.saved', (token: { grantId?: string }) => {
      if (token.grantId) grantIds.add(token.grantId);
    });
    provider.on('server_error', (_ctx: unknown, err: Error) => console.error('[oidc peer] server_error', err));
    return provider;
  };

  // The issuer must name the port, known only once the socket listens: listen first, then
  // hand the requests to a provider built for that address.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = build(issuer);
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // Test-only control: lets a test in another process revoke what the peer granted.
    if (req.method === 'POST' && req.url === REVOKE_PATH) {
      revokeAll().then((n) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revoked: n })));
      return;
    }
    handle(req, res);
  });

  async function revokeAll() {
    let n = 0;
    for (const grantId of grantIds) {
      await provider.RefreshToken.revokeByGrantId(grantId);
      await provider.AccessToken.revokeByGrantId(grantId);
      n++;
    }
    grantIds.clear();
    return n;
  }

  return {
    issuer,
    client,
    revokeAllGrants: revokeAll,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
