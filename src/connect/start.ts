import type { AppDeps } from '../deps';
import { base64urlEncode, randomToken, sha256Bytes } from '../lib/crypto';
import { callbackUrl } from '../integrations/service';
import type { OfferingDefinition } from '../offerings/definition';
import { buildAuthorizationUrl } from '../provider/authorization-url';
import { FLOW_TTL_SECONDS, newFlowSecrets, stateKey, type FlowState } from './state';

export interface StartFlowInput {
  orgId: string;
  link: { id: string; endUserId: string; endUserEmail: string | null; endUserName: string | null };
  integration: { id: string; clientId: string | null; scopes: string[]; authorizationParams: Record<string, string>; inputs: Record<string, string> };
  offering: OfferingDefinition;
  /** Values the end user gave for the offering's end-user inputs (Zendesk subdomain, Shopify shop). */
  endUserInputs: Record<string, string>;
}

/**
 * Starts an OAuth flow: remembers it in KV for ten minutes under the hash of a random state,
 * and returns the provider URL plus the cookie value that binds the flow to this browser.
 * Throws an OfferingError when an input is missing or malformed.
 */
export async function startOAuthFlow(deps: Pick<AppDeps, 'kv' | 'publicUrl'>, input: StartFlowInput, now = Date.now()) {
  const { state, stateHash, binding, bindingHash } = await newFlowSecrets();
  const codeVerifier = randomToken(32);
  const inputs = { ...input.integration.inputs, ...input.endUserInputs };
  const redirectUrl = buildAuthorizationUrl(input.offering, {
    clientId: input.integration.clientId ?? '',
    redirectUri: callbackUrl(deps.publicUrl),
    scopes: input.integration.scopes,
    state,
    codeChallenge: input.offering.pkce ? base64urlEncode(await sha256Bytes(codeVerifier)) : undefined,
    extraParams: input.integration.authorizationParams,
    inputs,
    publicUrl: deps.publicUrl,
  });
  const flow: FlowState = {
    orgId: input.orgId,
    linkId: input.link.id,
    integrationId: input.integration.id,
    endUser: { id: input.link.endUserId, email: input.link.endUserEmail, name: input.link.endUserName },
    codeVerifier,
    inputs,
    bindingHash,
    createdAt: now,
  };
  await deps.kv.put(stateKey(stateHash), JSON.stringify(flow), { expirationTtl: FLOW_TTL_SECONDS });
  return { redirectUrl, binding };
}
