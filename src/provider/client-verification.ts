import { randomToken } from '../lib/crypto';
import { describeFailure, fetchOutbound } from '../lib/http';
import type { OfferingDefinition } from '../offerings/definition';
import { parseReplyBody, readOAuthError } from './provider-reply';
import { buildTokenRequest, type ClientCredentials } from './token-request';

/** What the token endpoint said about a client; integrations store it as their verification. */
export interface ClientVerification {
  result: 'verified' | 'invalid_credentials' | 'inconclusive' | 'unreachable';
  message: string;
  provider_error?: string;
  checked_at: string;
  pending_first_connection: boolean;
}

export interface VerifyTarget {
  offering: OfferingDefinition;
  client: ClientCredentials;
  inputs: Record<string, string>;
  callbackUrl: string;
  publicUrl: string;
}

type Finding = Omit<ClientVerification, 'checked_at'>;

/**
 * Asks the provider's token endpoint to redeem a code that cannot exist. A provider checks the
 * client before the code (RFC 6749 §3.2.1), so `invalid_grant` proves the credentials and
 * `invalid_client` (or a 401) disproves them. No answer, a failing server or a "try later"
 * (408, 429) is `unreachable`: nothing was learnt, so it is asked again later. Any other answer
 * cannot tell, and the first successful connection will decide.
 */
export async function verifyClientCredentials(target: VerifyTarget, now = Date.now()): Promise<ClientVerification> {
  const request = buildTokenRequest(
    target.offering,
    {
      type: 'authorization_code',
      code: `edgelink-verification-${randomToken(16)}`,
      redirectUri: target.callbackUrl,
      codeVerifier: randomToken(32),
    },
    target.client,
    { inputs: target.inputs, publicUrl: target.publicUrl },
  );
  const reply = await fetchOutbound(request.url, { method: 'POST', headers: request.headers, body: request.body });
  return { ...classify(reply), checked_at: new Date(now).toISOString() };
}

const RETRY_LATER = ' Edgelink asks again in the background; end users cannot connect until it answers.';

function classify(reply: Awaited<ReturnType<typeof fetchOutbound>>): Finding {
  if (!reply.ok) {
    return { result: 'unreachable', message: `${describeFailure(reply.failure, 'The token endpoint')}${RETRY_LATER}`, pending_first_connection: false };
  }
  if (reply.status >= 500) {
    // A failing server, or (locally) the runtime's own answer for a refused connection.
    return { result: 'unreachable', message: `The token endpoint failed with HTTP ${reply.status}.${RETRY_LATER}`, pending_first_connection: false };
  }
  if (reply.status === 408 || reply.status === 429) {
    // Timed out or rate limited: the endpoint did not look at the client at all.
    return { result: 'unreachable', message: `The token endpoint asked to try later (HTTP ${reply.status}).${RETRY_LATER}`, pending_first_connection: false };
  }
  const body = parseReplyBody(reply);
  const error = body.ok ? readOAuthError(body.body) : null;
  if (error?.error === 'invalid_grant') {
    return { result: 'verified', message: 'The provider accepted the client credentials.', provider_error: error.error, pending_first_connection: false };
  }
  if (error?.error === 'invalid_client' || error?.error === 'invalid_client_id' || reply.status === 401) {
    return {
      result: 'invalid_credentials',
      message: 'The provider refused the client credentials: check the client id and secret.',
      provider_error: error?.error ?? `HTTP ${reply.status}`,
      pending_first_connection: false,
    };
  }
  const seen = error ? `error "${error.error}"` : body.ok ? `HTTP ${reply.status} without an OAuth error` : `HTTP ${reply.status}: ${body.reason}`;
  return {
    result: 'inconclusive',
    message: `The provider's answer (${seen}) does not tell whether the credentials are right. The first successful connection will verify the integration.`,
    ...(error ? { provider_error: error.error } : {}),
    pending_first_connection: true,
  };
}
