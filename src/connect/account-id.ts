import type { OfferingDefinition } from '../offerings/definition';
import type { AccountHints } from '../provider/token-response';

/**
 * Which provider account API-key credentials belong to, so typing a new key for the same
 * account replaces the old connection instead of adding one: the id the verify reply names,
 * else the non-secret values (Twilio's Account SID, Jira's site and email), else one
 * connection per end user and integration, as the OAuth callback does.
 */
export function accountIdFor(
  offering: OfferingDefinition,
  credentials: Readonly<Record<string, string>>,
  endUserInputs: Readonly<Record<string, string>>,
  hints: AccountHints,
): string {
  if (hints.id) return hints.id;
  const parts = [
    ...offering.inputs.filter((i) => i.source === 'end_user').map((i) => endUserInputs[i.key]),
    ...offering.credentials.filter((c) => !c.secret).map((c) => credentials[c.key]),
  ].filter((v): v is string => v !== undefined && v !== '');
  return parts.length > 0 ? parts.join('/') : 'default';
}
