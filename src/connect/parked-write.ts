import type { ConnectionWrite } from '../connections/write-plan';
import type { IntegrationRow } from '../integrations/service';
import type { ParkedCallback } from './parked-callback';

/** The connection a callback reply makes, whether stored by the callback or later by the settle job. */
export function writeOfParked(reply: ParkedCallback, integration: IntegrationRow): ConnectionWrite {
  const { tokens } = reply;
  return {
    integration,
    linkId: reply.linkId,
    endUser: reply.endUser,
    account: reply.account,
    metadata: reply.metadata,
    inputs: reply.inputs,
    scopes: reply.scopes,
    secret: {
      kind: 'oauth',
      tokens: {
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        tokenType: tokens.tokenType,
        expiresAt: tokens.expiresAt,
      },
    },
  };
}
