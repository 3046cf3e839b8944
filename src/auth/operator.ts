import { timingSafeEqual } from '../lib/crypto';
import type { VerifyInputs } from './authenticate';
import type { Caller } from './caller';

/** The deployment's ADMIN_TOKEN, compared in constant time; an unset token opens nothing. */
export async function verifyOperatorToken(token: string, { env }: Pick<VerifyInputs, 'env'>): Promise<Caller | null> {
  return env.ADMIN_TOKEN && timingSafeEqual(token, env.ADMIN_TOKEN) ? { kind: 'operator' } : null;
}
