import type { AppDeps } from '../deps';
import { decryptClientSecret, isConnectable, callbackUrl } from '../integrations/service';
import { sha256Hex, timingSafeEqual } from '../lib/crypto';
import { describeFailure, fetchOutbound } from '../lib/http';
import { linkStatus, type LinkRow } from '../links/service';
import { resolveOfferingUrls } from '../provider/resolve-urls';
import { buildTokenRequest } from '../provider/token-request';
import { parseTokenResponse } from '../provider/token-response';
import { buildUserinfoRequest, resolveAccount } from '../provider/userinfo';
import { finishConnection } from './finish-connection';
import { flowTargetQueries, readFlowTarget } from './flow-target';
import { discardParkedCallback, parkCallbackReply, type ParkedCallback } from './parked-callback';
import { revokeIssuedTokens } from './revoke-issued';
import { usedStates } from './schema';
import { flowState, stateKey, type FlowState } from './state';
import { writeOfParked } from './parked-write';

export interface CallbackQuery {
  state?: string;
  code?: string;
  error?: string;
  error_description?: string;
  iss?: string;
  /** Every query parameter, for offerings that keep some as metadata (QuickBooks realmId). */
  all: Record<string, string>;
}

/** Why a callback ends without a connection; each becomes a page the end user can act on. */
export type CallbackFailure = {
  ok: false;
  status: 400 | 403 | 409 | 410 | 502 | 503 | 504;
  reason: string;
  title: string;
  message: string;
  flow?: FlowState;
  /** The flow's link, whose redirect_url (if any) gets the error. */
  link?: LinkRow;
  providerError?: string;
};

export type CallbackOutcome =
  | {
      ok: true;
      connectionId: string;
      created: boolean;
      integrationName: string;
      /** The link's redirect_url with the signed outcome; null when the link has none. */
      redirectTo: string | null;
    }
  | CallbackFailure;

const fail = (status: CallbackFailure['status'], reason: string, title: string, message: string, extra: Partial<CallbackFailure> = {}): CallbackFailure => ({
  ok: false,
  status,
  reason,
  title,
  message,
  ...extra,
});

const START_AGAIN = 'Open your connect link again to start over.';

/**
 * The one OAuth callback every integration registers. Order matters: the flow must be known
 * (KV), started in this browser (cookie), and not used before (a unique insert in D1, because
 * a KV delete can take a minute to be seen everywhere) before the code is worth exchanging.
 */
export async function completeOAuthCallback(
  deps: Pick<AppDeps, 'db' | 'kv' | 'keyring' | 'publicUrl' | 'waitUntil'>,
  query: CallbackQuery,
  bindingCookie: string | undefined,
  now = Date.now(),
): Promise<CallbackOutcome> {
  if (!query.state) return fail(400, 'missing_state', 'This sign-in could not be completed', `The provider sent no state. ${START_AGAIN}`);
  const stateHash = await sha256Hex(query.state);
  const stored = await deps.kv.get(stateKey(stateHash));
  const parsed = stored ? flowState.safeParse(JSON.parse(stored)) : null;
  if (!parsed?.success) {
    return fail(400, 'unknown_state', 'This sign-in has expired', `It was started more than ten minutes ago, or not from a connect link. ${START_AGAIN}`);
  }
  const flow = parsed.data;
  if (!bindingCookie || !timingSafeEqual(await sha256Hex(bindingCookie), flow.bindingHash)) {
    return fail(
      403,
      'cookie_mismatch',
      'This sign-in was started in another browser',
      `For your safety it can only be finished where it began. ${START_AGAIN}`,
    );
  }
  // The replay guard and every read the flow needs, in one round trip.
  const [inserted, linkRows, integrationRows, customOfferings] = await deps.db.batch([
    deps.db.insert(usedStates).values({ stateHash, createdAt: now }).onConflictDoNothing().returning(),
    ...flowTargetQueries(deps.db, flow.orgId, flow.linkId, flow.integrationId),
  ]);
  if (inserted.length === 0) {
    return fail(409, 'replayed_state', 'This sign-in was already completed', `Each sign-in can be used once. ${START_AGAIN}`);
  }
  deps.waitUntil(deps.kv.delete(stateKey(stateHash)));

  const { link, integration, offering: definition } = readFlowTarget(linkRows, integrationRows, customOfferings);
  const withFlow = { flow, link };

  if (query.error) {
    const described = query.error === 'access_denied' ? 'You did not allow access.' : `The provider answered "${query.error.slice(0, 100)}".`;
    return fail(400, 'provider_error', 'No account was connected', `${described} ${START_AGAIN}`, { ...withFlow, providerError: query.error.slice(0, 100) });
  }
  if (!link || linkStatus(link, now) !== 'active') {
    return fail(
      410,
      'link_inactive',
      'This link can no longer connect accounts',
      'It has expired, been used up or been turned off. Ask for a new link.',
      withFlow,
    );
  }
  if (!integration || !definition || !isConnectable(integration)) {
    return fail(410, 'integration_unavailable', 'This service is no longer available', 'The app that sent you this link has removed or changed it.', withFlow);
  }
  const context = { inputs: flow.inputs, publicUrl: deps.publicUrl };

  // RFC 9207: a provider that names itself must be the one this flow went to (mix-up defence).
  if (query.iss !== undefined) {
    const expected = new URL(resolveOfferingUrls(definition, context).authorizationUrl ?? '').origin;
    if (!URL.canParse(query.iss) || new URL(query.iss).origin !== expected) {
      return fail(400, 'issuer_mismatch', 'This sign-in came back from the wrong provider', `For your safety it was stopped. ${START_AGAIN}`, withFlow);
    }
  }
  if (!query.code) return fail(400, 'missing_code', 'This sign-in could not be completed', `The provider sent no authorization code. ${START_AGAIN}`, withFlow);

  const clientSecret = await decryptClientSecret(deps.keyring, integration);
  const request = buildTokenRequest(
    definition,
    { type: 'authorization_code', code: query.code, redirectUri: callbackUrl(deps.publicUrl), codeVerifier: flow.codeVerifier },
    { clientId: integration.clientId ?? '', clientSecret: clientSecret ?? '' },
    context,
  );
  const reply = await fetchOutbound(request.url, { method: 'POST', headers: request.headers, body: request.body });
  if (!reply.ok) {
    return fail(
      reply.failure.kind === 'timeout' ? 504 : 502,
      `token_${reply.failure.kind}`,
      `${definition.name} did not answer`,
      `${describeFailure(reply.failure, `${definition.name}'s token endpoint`)} ${START_AGAIN}`,
      withFlow,
    );
  }
  const tokens = parseTokenResponse(definition, reply, now);
  if (!tokens.ok) {
    const detail = tokens.kind === 'oauth_error' ? `It answered "${tokens.error}".` : `Its answer could not be read (${tokens.reason}).`;
    return fail(502, `token_${tokens.kind}`, `${definition.name} refused to finish the sign-in`, `${detail} ${START_AGAIN}`, {
      ...withFlow,
      providerError: tokens.kind === 'oauth_error' ? tokens.error : 'malformed_token_response',
    });
  }

  const userinfoRequest = buildUserinfoRequest(definition, tokens.accessToken, context);
  const userinfo = userinfoRequest ? await fetchOutbound(userinfoRequest.url, { method: userinfoRequest.method, headers: userinfoRequest.headers }) : null;
  const account = resolveAccount(definition, userinfo?.ok ? userinfo : null, tokens.account);
  const client = { clientId: integration.clientId ?? '', clientSecret: clientSecret ?? '' };
  const revoke = () => revokeIssuedTokens(integration.id, definition, client, context, tokens);
  if (account.refused) {
    await revoke();
    return fail(
      502,
      'account_malformed',
      `${definition.name} refused to finish the sign-in`,
      `Its answer could not be read (${account.refused}). ${START_AGAIN}`,
      { ...withFlow, providerError: 'malformed_userinfo_response' },
    );
  }

  const parkedReply: ParkedCallback = {
    orgId: flow.orgId,
    linkId: link.id,
    integrationId: integration.id,
    endUser: flow.endUser,
    // Without an account id from the provider, one connection per end user and integration.
    account: { id: account.id ?? 'default', email: account.email, name: account.name },
    metadata: { ...tokens.metadata, ...pick(query.all, definition.callback_metadata) },
    inputs: flow.inputs,
    scopes: tokens.scopes ?? integration.scopes,
    tokens: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, tokenType: tokens.tokenType, expiresAt: tokens.expiresAt },
  };
  // Parked before the save, so a save that fails is finished (stored or revoked) by the settle job.
  const parked = await parkCallbackReply(deps, stateHash, parkedReply);
  const finished = await finishConnection(deps, link, integration, { kind: 'oauth_state', hash: stateHash }, writeOfParked(parkedReply, integration), now);
  if (finished.ok) {
    deps.waitUntil(discardParkedCallback(deps, stateHash));
    return { ok: true, connectionId: finished.connectionId, created: finished.created, integrationName: integration.name, redirectTo: finished.redirectTo };
  }
  if (finished.reason === 'not_saved' && parked) {
    // No redirect: the developer's page would be told of a connection that does not exist yet.
    return fail(
      503,
      'saving_deferred',
      `Your ${integration.name} account is authorized`,
      'It could not be saved just now; it will be saved within a few minutes. You can close this page.',
      { flow },
    );
  }
  // Tokens that will never be stored are given back to the provider.
  await revoke();
  deps.waitUntil(discardParkedCallback(deps, stateHash));
  if (finished.reason === 'link_used_up') {
    return fail(410, 'link_used_up', 'This link has been used up', 'It could connect a limited number of accounts. Ask for a new link.', withFlow);
  }
  if (finished.reason === 'integration_unavailable') {
    return fail(410, 'integration_unavailable', 'This service is no longer available', 'The app that sent you this link has removed or changed it.', withFlow);
  }
  return fail(503, 'saving_failed', 'Your account could not be saved', `Nothing was stored, and the access you gave was withdrawn. ${START_AGAIN}`, { flow });
}

function pick(all: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => all[k] !== undefined).map((k) => [k, all[k]!]));
}
