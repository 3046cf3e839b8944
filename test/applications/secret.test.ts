import { describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/applications/service';
import { sha256Hex } from '../../src/lib/crypto';
import { call, newTenant } from '../helpers/api';
import { applicationRow, newApplication } from './fixtures';

describe('the client secret', () => {
  it('verifies when presented exactly, and nothing else does', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    const row = (await applicationRow(app.id))!;
    expect(await verifyClientSecret(row, app.client_secret)).toBe(true);
    for (const wrong of ['', app.client_secret.slice(0, -1), `${app.client_secret}x`, app.client_secret.toUpperCase(), row.clientSecretHash, app.client_id]) {
      expect(await verifyClientSecret(row, wrong)).toBe(false);
    }
  });

  it('is rotated: the new one is shown once and verifies, the old one stops at once', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey);
    const res = await call(`/api/v1/applications/${app.id}/secret`, { method: 'POST', token: apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: app.id, client_id: app.client_id, client_secret: expect.stringMatching(/^elk_cs_[A-Za-z0-9_-]{43}$/) });
    const rotated = res.json.client_secret as string;
    expect(rotated).not.toBe(app.client_secret);

    const row = (await applicationRow(app.id))!;
    expect(row.clientSecretHash).toBe(await sha256Hex(rotated));
    expect(await verifyClientSecret(row, rotated)).toBe(true);
    expect(await verifyClientSecret(row, app.client_secret)).toBe(false);

    const got = await call(`/api/v1/applications/${app.id}`, { token: apiKey });
    expect(got.text).not.toContain(rotated);
    expect(got.json).not.toHaveProperty('client_secret');
  });

  it('is different for every application', async () => {
    const { apiKey } = await newTenant();
    const a = await newApplication(apiKey);
    const b = await newApplication(apiKey);
    expect(a.client_secret).not.toBe(b.client_secret);
    expect(a.client_id).not.toBe(b.client_id);
    expect(await verifyClientSecret((await applicationRow(b.id))!, a.client_secret)).toBe(false);
  });
});
