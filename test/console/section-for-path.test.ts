import { describe, expect, it } from 'vitest';
import { sectionForPath } from '../../src/console/layout';

describe('sectionForPath', () => {
  it('is the navigation item the path is under, the longest match winning', () => {
    expect(sectionForPath('/console/settings/developer/api-keys')).toBe('api-keys');
    expect(sectionForPath('/console/admin/organizations/org_123')).toBe('admin-organizations');
    expect(sectionForPath('/console/my-user/oauth-applications')).toBe('my-apps');
    expect(sectionForPath('/console/oauth/int_1?done=created')).toBe('integrations');
    expect(sectionForPath('/console/authorizations')).toBe('authorizations');
  });

  it('is null for a path under no item, and a prefix of a word is not a match', () => {
    expect(sectionForPath('/console/unknown')).toBeNull();
    expect(sectionForPath('/console/linksmore')).toBeNull();
  });
});
