import { describe, expect, it } from 'vitest';
import { consoleUser, page, platformAdmin } from './fixtures';

describe('operator pages', () => {
  it('are listed and served for a platform admin', async () => {
    const admin = await platformAdmin();
    const res = await page(admin, '/console/oauth');
    expect(res.text).toContain('href="/console/admin/offerings"');
    for (const path of ['/console/admin/offerings', '/console/admin/publish-requests', '/console/admin/organizations']) {
      expect((await page(admin, path)).status, path).toBe(200);
    }
    expect((await page(admin, '/console/admin')).headers.get('location')).toBe('/console/admin/offerings');
  });

  it('are neither listed nor served for an organization owner who is not a platform admin', async () => {
    const owner = await consoleUser('owner');
    expect((await page(owner, '/console/oauth')).text).not.toContain('/console/admin');
    for (const path of ['/console/admin', '/console/admin/offerings', '/console/admin/publish-requests', '/console/admin/organizations']) {
      const res = await page(owner, path);
      expect(res.status, path).toBe(404);
      expect(res.text).toContain('There is no such page in the console.');
    }
  });
});
