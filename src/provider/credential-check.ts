import { describeFailure, fetchOutbound } from '../lib/http';
import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { parseReplyBody } from './provider-reply';
import type { OfferingContext } from './resolve-urls';
import { readAccountHints, type AccountHints } from './token-response';
import { buildVerifyRequest } from './verify-request';

export type CredentialCheck = { ok: true; account: AccountHints } | { ok: false; kind: 'invalid' | 'refused' | 'unreachable'; message: string; field?: string };

/** A credential check that hangs must not keep the end user waiting for long. */
const VERIFY_TIMEOUT_MS = 8000;

/**
 * Asks the provider whether the credentials an end user typed work, where the offering says
 * how (`verify`). Messages name the provider and the status at most, never a credential.
 */
export async function checkEndUserCredentials(
  offering: OfferingDefinition,
  credentials: Readonly<Record<string, string>>,
  context: OfferingContext,
): Promise<CredentialCheck> {
  let request: ReturnType<typeof buildVerifyRequest>;
  try {
    request = buildVerifyRequest(offering, credentials, context);
  } catch (err) {
    if (err instanceof OfferingError) return { ok: false, kind: 'invalid', message: err.message, field: err.field };
    throw err;
  }
  if (request === null) return { ok: true, account: {} };
  const reply = await fetchOutbound(request.url, { method: request.method, headers: request.headers }, VERIFY_TIMEOUT_MS);
  if (!reply.ok) {
    return { ok: false, kind: 'unreachable', message: `${describeFailure(reply.failure, offering.name)} Try again in a moment.` };
  }
  if (offering.verify!.ok_status.includes(reply.status)) {
    const parsed = parseReplyBody(reply);
    return { ok: true, account: parsed.ok ? readAccountHints(parsed.body, offering.account) : {} };
  }
  if (reply.status >= 500 || reply.status === 429) {
    return { ok: false, kind: 'unreachable', message: `${offering.name} could not check the key right now (HTTP ${reply.status}). Try again in a moment.` };
  }
  return { ok: false, kind: 'refused', message: `${offering.name} refused these credentials (HTTP ${reply.status}). Check them and try again.` };
}
