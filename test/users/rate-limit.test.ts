import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ipBucket, MAX_FAILURES_PER_ACCOUNT_ADDRESS, MAX_FAILURES_PER_IP } from '../../src/users/rate-limit';
import { newTenant, cookieSet } from '../helpers/api';
import { addUser, PASSWORD, submitLogin, uniqueEmail, uniqueIp } from './fixtures';

async function newUser() {
  const { orgId } = await newTenant();
  const email = uniqueEmail();
  await addUser(orgId, { email, role: 'member', password: PASSWORD });
  return email;
}

/** Failures at one account from one address: only that pair's counter fills (the address allows 20). */
async function failFrom(email: string, ip: string, times: number) {
  for (let i = 0; i < times; i++) expect((await submitLogin({ email, password: 'wrong password here' }, ip)).status).toBe(400);
}

describe('sign-in rate limits', () => {
  it('refuses an (account, address) pair after 5 failures in 15 minutes with 429, even with the right password', async () => {
    const email = await newUser();
    const ip = uniqueIp();
    await failFrom(email, ip, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    const res = await submitLogin({ email, password: PASSWORD }, ip);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('900');
    expect(cookieSet(res.headers)).toBeNull();
    expect(res.text).toContain('Too many failed sign-in attempts.');
    expect(res.text).toContain('role="alert"');
  });

  it('lets the owner sign in from a fresh address after failures from many others: nobody can lock an account', async () => {
    const email = await newUser();
    const attackers = Array.from({ length: 6 }, () => uniqueIp());
    for (const ip of attackers) await failFrom(email, ip, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    for (const ip of attackers) expect((await submitLogin({ email, password: PASSWORD }, ip)).status).toBe(429);
    const owner = await submitLogin({ email, password: PASSWORD });
    expect(owner.status).toBe(303);
    expect(cookieSet(owner.headers)).not.toBeNull();
  });

  it('limits an unknown email exactly like a known one', async () => {
    const known = await newUser();
    const unknown = uniqueEmail('nobody');
    const [ipA, ipB] = [uniqueIp(), uniqueIp()];
    await failFrom(known, ipA, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    await failFrom(unknown, ipB, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    const a = await submitLogin({ email: known, password: 'wrong password here' }, ipA);
    const b = await submitLogin({ email: unknown, password: 'wrong password here' }, ipB);
    expect([a.status, b.status]).toEqual([429, 429]);
    expect(b.text.replaceAll(unknown, '{email}')).toBe(a.text.replaceAll(known, '{email}'));
  });

  it('refuses a client address after 20 failures across accounts, while other addresses still sign in', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      expect((await submitLogin({ email: uniqueEmail('spray'), password: 'wrong password here' }, ip)).status).toBe(400);
    }
    const email = await newUser();
    const refused = await submitLogin({ email, password: PASSWORD }, ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('900');
    expect((await submitLogin({ email, password: PASSWORD }, uniqueIp())).status).toBe(303);
  });

  it('does not charge an account for attempts its address was refused', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) await submitLogin({ email: uniqueEmail('spray'), password: 'wrong password here' }, ip);
    const email = await newUser();
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_ADDRESS + 2; i++) expect((await submitLogin({ email, password: 'wrong' }, ip)).status).toBe(429);
    expect((await submitLogin({ email, password: PASSWORD })).status).toBe(303);
  });

  it('gives the pair its attempts back after a successful sign-in', async () => {
    const email = await newUser();
    const ip = uniqueIp();
    await failFrom(email, ip, MAX_FAILURES_PER_ACCOUNT_ADDRESS - 1);
    expect((await submitLogin({ email, password: PASSWORD }, ip)).status).toBe(303);
    await failFrom(email, ip, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    expect((await submitLogin({ email, password: PASSWORD }, ip)).status).toBe(429);
  });

  it('opens a new window once 15 minutes have passed', async () => {
    const email = await newUser();
    const ip = uniqueIp();
    await failFrom(email, ip, MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    expect((await submitLogin({ email, password: PASSWORD }, ip)).status).toBe(429);
    await env.DB.prepare("UPDATE sign_in_attempts SET window_start = window_start - 15 * 60000 WHERE key LIKE 'account:%'").run();
    expect((await submitLogin({ email, password: PASSWORD }, ip)).status).toBe(303);
  });

  it('lets no more than 5 concurrent guesses at one account from one address through', async () => {
    const email = await newUser();
    const ip = uniqueIp();
    const results = await Promise.all(Array.from({ length: 12 }, () => submitLogin({ email, password: 'wrong password here' }, ip)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(MAX_FAILURES_PER_ACCOUNT_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - MAX_FAILURES_PER_ACCOUNT_ADDRESS);
  });

  it('stores neither the email nor the address in clear', async () => {
    const email = await newUser();
    const ip = uniqueIp();
    await submitLogin({ email, password: 'wrong password here' }, ip);
    const rows = await env.DB.prepare('SELECT key FROM sign_in_attempts').all<{ key: string }>();
    const keys = rows.results.map((r) => r.key).join('\n');
    expect(keys).not.toContain(email);
    expect(keys).not.toContain(ip);
    expect(rows.results.every((r) => /^(account|ip):[0-9a-f]{64}$/.test(r.key))).toBe(true);
  });

  it('counts an IPv6 /64 as one address', () => {
    expect(ipBucket('2001:db8:1:2:aaaa::1')).toBe(ipBucket('2001:db8:1:2:ffff:1:2:3'));
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(ipBucket('2001:db8:1:2::1'));
    expect(ipBucket('203.0.113.9')).toBe('203.0.113.9');
  });
});
