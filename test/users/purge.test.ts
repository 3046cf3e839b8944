import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client';
import { purgeSignInRows } from '../../src/users/purge';
import { SIGN_IN_WINDOW_MS } from '../../src/users/rate-limit';
import { newTenant } from '../helpers/api';
import { addUser, PASSWORD, uniqueEmail } from './fixtures';

const NOW = Date.now();
const keys = async (table: string, column: string) =>
  (await env.DB.prepare(`SELECT ${column} AS k FROM ${table}`).all<{ k: string }>()).results.map((r) => r.k).sort();

describe('purging sign-in rows', () => {
  it('deletes expired sessions, spent set-password tokens and finished counters, and nothing live', async () => {
    const { orgId } = await newTenant();
    const user = await addUser(orgId, { email: uniqueEmail(), role: 'owner', password: PASSWORD });
    const userId = user.json.user_id as string;
    const insert = (sql: string, ...values: unknown[]) =>
      env.DB.prepare(sql)
        .bind(...values)
        .run();
    await insert('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', 'expired', userId, NOW - 2, NOW - 1);
    await insert('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', 'live', userId, NOW, NOW + 60_000);
    await insert('INSERT INTO password_setup_tokens (token_hash, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)', 'used', userId, NOW + 60_000, NOW);
    await insert('INSERT INTO password_setup_tokens (token_hash, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)', 'expired', userId, NOW - 1, null);
    await insert('INSERT INTO password_setup_tokens (token_hash, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)', 'live', userId, NOW + 60_000, null);
    await insert('INSERT INTO sign_in_attempts (key, window_start, failures) VALUES (?, ?, ?)', 'ip:old', NOW - SIGN_IN_WINDOW_MS, 3);
    await insert('INSERT INTO sign_in_attempts (key, window_start, failures) VALUES (?, ?, ?)', 'ip:current', NOW - 60_000, 3);

    expect(await purgeSignInRows(createDb(env.DB), NOW, 100)).toEqual({ sessions: 1, password_setup_tokens: 2, sign_in_attempts: 1 });
    expect(await keys('sessions', 'token_hash')).toEqual(['live']);
    expect(await keys('password_setup_tokens', 'token_hash')).toEqual(['live']);
    expect(await keys('sign_in_attempts', 'key')).toEqual(['ip:current']);
  });
});
