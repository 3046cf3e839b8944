import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { reverifyDueIntegrations } from '../../src/integrations/reverify';
import { call } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { oauthError, stubProvider } from '../helpers/outbound';

export const MIN = 60_000;

/** A token endpoint nobody answers at: the connection is refused. */
export const refused = () => {
  throw new TypeError('Network connection lost.');
};

/** A Salesforce integration whose verification could not reach the provider. */
export async function unreachableIntegration(apiKey: string, name = 'Salesforce') {
  const provider = stubProvider(refused);
  try {
    const res = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name, offering_id: 'off_salesforce', client_id: 'sf-client', client_secret: 'sf-secret-never-shown', scopes: ['api', 'refresh_token'] },
    });
    expect(res.status).toBe(201);
    expect(res.json.verification.result).toBe('unreachable');
    return res.json as { id: string; name: string; next_verification_at: string };
  } finally {
    provider.restore();
  }
}

/** The cron's job at `now`, with the provider answering as `answer` says; returns what the provider saw. */
export async function runReverify(now: number, answer: () => Response = () => oauthError('invalid_grant')) {
  const provider = stubProvider(answer);
  try {
    const counts = await reverifyDueIntegrations(await testDeps(), now, 200);
    return { counts, seen: provider.seen };
  } finally {
    provider.restore();
  }
}

export const getIntegration = (apiKey: string, id: string) => call(`/api/v1/integrations/${id}`, { token: apiKey });

export const scheduleOf = (id: string) =>
  env.DB.prepare('SELECT status, next_verification_at, verification_attempts FROM integrations WHERE id = ?')
    .bind(id)
    .first<{ status: string; next_verification_at: number | null; verification_attempts: number }>();
