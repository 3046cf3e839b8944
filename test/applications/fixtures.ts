import { env } from 'cloudflare:test';
import { createDb } from '../../src/db/client';
import type { ApplicationRow } from '../../src/applications/service';
import { newId } from '../../src/lib/ids';
import { call } from '../helpers/api';

export const REDIRECT = 'https://app.example.com/callback';

export const validApplication = {
  name: 'Acme Reports',
  description: 'Builds weekly reports from your connections.',
  redirect_uris: [REDIRECT],
};

/** Creates an application through the API and returns the response body, secret included. */
export async function newApplication(apiKey: string, body: Record<string, unknown> = {}) {
  const res = await call('/api/v1/applications', { method: 'POST', token: apiKey, body: { ...validApplication, ...body } });
  if (res.status !== 201) throw new Error(`creating an application failed: ${res.status} ${res.text}`);
  return res.json as { id: string; client_id: string; client_secret: string; organization_id: string; name: string } & Record<string, unknown>;
}

/**
 * A user who belongs to the organization. Written straight to D1: signing users up is another
 * feature's route, and these tests only need someone to own an application.
 */
export async function addMember(orgId: string, options: { email?: string; name?: string | null; role?: 'owner' | 'admin' | 'member' } = {}) {
  const id = newId('usr');
  const email = options.email ?? `${id}@people.example.com`;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare('INSERT INTO users (id, email, name, is_platform_admin, created_at) VALUES (?, ?, ?, 0, ?)').bind(
      id,
      email,
      options.name === undefined ? 'Ada Lovelace' : options.name,
      now,
    ),
    env.DB.prepare('INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)').bind(id, orgId, options.role ?? 'owner', now),
  ]);
  return { userId: id, email };
}

/** The stored row, as the token endpoint would read it. */
export async function applicationRow(id: string): Promise<ApplicationRow | undefined> {
  return createDb(env.DB).query.applications.findFirst({ where: (t, { eq }) => eq(t.id, id) });
}

export async function countApplications(orgId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM applications WHERE org_id = ?').bind(orgId).first<{ n: number }>();
  return row!.n;
}
