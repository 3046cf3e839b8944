import { z } from 'zod';
import { randomToken, sha256Hex } from '../lib/crypto';

/** What a flow remembers between the redirect to the provider and the callback. */
export const flowState = z.object({
  orgId: z.string(),
  linkId: z.string(),
  integrationId: z.string(),
  endUser: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
  codeVerifier: z.string(),
  inputs: z.record(z.string(), z.string()),
  /** SHA-256 of the browser-binding cookie's value. */
  bindingHash: z.string(),
  createdAt: z.number(),
});
export type FlowState = z.infer<typeof flowState>;

/** KV's minimum TTL is 60 s; ten minutes is enough to sign in at any provider. */
export const FLOW_TTL_SECONDS = 600;

export const stateKey = (stateHash: string) => `flow:${stateHash}`;

export async function newFlowSecrets() {
  const state = randomToken(32);
  const binding = randomToken(32);
  return { state, stateHash: await sha256Hex(state), binding, bindingHash: await sha256Hex(binding) };
}

/**
 * The cookie that binds a flow to the browser that started it, so a callback URL forwarded to
 * someone else cannot attach their account. `__Host-` needs Secure, which browsers only honour
 * over https; local development on http://127.0.0.1 uses a plain name.
 */
export function bindingCookieName(publicUrl: string): string {
  return publicUrl.startsWith('https://') ? '__Host-elk_flow' : 'elk_flow';
}

export function bindingCookieAttributes(publicUrl: string) {
  const secure = publicUrl.startsWith('https://');
  return { path: '/', httpOnly: true, secure, sameSite: 'Lax' as const, maxAge: FLOW_TTL_SECONDS };
}
