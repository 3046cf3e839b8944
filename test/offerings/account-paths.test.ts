import { describe, expect, it } from 'vitest';
import { readAccountHints } from '../../src/provider/token-response';
import { customOffering } from './fixtures';

describe('account paths', () => {
  const offering = customOffering({ account: { id: ['sub', 'id', 'email'], email: 'email' } });

  it('take the first path of a list the reply has', () => {
    expect(readAccountHints({ sub: 'alice', id: 7, email: 'a@example.com' }, offering.account)).toEqual({ id: 'alice', email: 'a@example.com' });
    expect(readAccountHints({ id: 7, email: 'a@example.com' }, offering.account)).toEqual({ id: '7', email: 'a@example.com' });
    expect(readAccountHints({ email: 'a@example.com' }, offering.account)).toEqual({ id: 'a@example.com', email: 'a@example.com' });
  });

  it('name no account when the reply has none of them', () => {
    expect(readAccountHints({ login: 'alice' }, offering.account)).toEqual({});
  });

  it('refuse an empty list or a path that is not one', () => {
    expect(() => customOffering({ account: { id: [] } })).toThrow();
    expect(() => customOffering({ account: { id: ['sub', 'not a path'] } })).toThrow();
  });
});
