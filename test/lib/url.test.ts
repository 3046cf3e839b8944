import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseSafeUrl, safeHttpsUrl } from '../../src/lib/url';

describe('parseSafeUrl', () => {
  it.each(['https://example.com', 'https://example.com/callback?x=1&y=two', 'https://sub.example.co.uk:8443/a/b', 'https://xn--bcher-kva.example/'])(
    'accepts %s',
    (value) => {
      expect(parseSafeUrl(value).ok).toBe(true);
    },
  );

  it.each([
    ['credential-bearing', 'https://user:pass@example.com/'],
    ['username only', 'https://user@example.com/'],
    ['empty userinfo', 'https://@example.com/'],
    ['userinfo hiding the real host', 'https://example.com@evil.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['JavaScript: in mixed case', 'JaVaScRiPt:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://example.com/'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['http to a public host', 'http://example.com/'],
    ['http to a private address', 'http://10.0.0.1/'],
    ['relative path', '/oauth/callback'],
    ['protocol-relative', '//example.com/'],
    ['bare host', 'example.com'],
    ['https without slashes', 'https:example.com'],
    ['https with one slash', 'https:/example.com'],
    ['backslashes', 'https:\\\\example.com\\path'],
    ['leading space', ' https://example.com/'],
    ['trailing space', 'https://example.com/ '],
    ['tab inside', 'https://exa\tmple.com/'],
    ['newline inside', 'https://example.com/\nSet-Cookie:x'],
    ['space in path', 'https://example.com/a b'],
    ['fragment', 'https://example.com/#frag'],
    ['empty fragment', 'https://example.com/#'],
    ['over-long', `https://example.com/${'a'.repeat(2048)}`],
    ['empty', ''],
    ['no host', 'https:///path'],
    ['nonsense', 'not a url'],
  ])('refuses %s', (_name, value) => {
    const result = parseSafeUrl(value, { allowHttpLoopback: true });
    expect(result.ok).toBe(false);
  });

  it('allows http only for loopback hosts, and only when asked', () => {
    for (const value of ['http://127.0.0.1:8787/cb', 'http://[::1]:3000/cb', 'http://localhost/cb']) {
      expect(parseSafeUrl(value, { allowHttpLoopback: true }).ok).toBe(true);
      expect(parseSafeUrl(value).ok).toBe(false);
    }
    expect(parseSafeUrl('http://127.0.0.2/', { allowHttpLoopback: true }).ok).toBe(false);
    expect(parseSafeUrl('http://localhost.evil.com/', { allowHttpLoopback: true }).ok).toBe(false);
  });

  it('explains each refusal clearly', () => {
    const message = (value: string) => {
      const result = parseSafeUrl(value, { allowHttpLoopback: true });
      return result.ok ? '' : result.message;
    };
    expect(message('https://a:b@example.com')).toMatch(/credentials/);
    expect(message('javascript:alert(1)')).toMatch(/javascript: scheme is not allowed/);
    expect(message('http://example.com')).toMatch(/http is allowed only for 127\.0\.0\.1/);
    expect(message('/relative')).toMatch(/absolute URL/);
    expect(message('https://example.com/#x')).toMatch(/fragment/);
    expect(message(' https://example.com')).toMatch(/whitespace/);
    expect(message(`https://example.com/${'a'.repeat(2100)}`)).toMatch(/2048/);
  });
});

describe('isLoopbackHost', () => {
  it('knows the RFC 8252 loopback hosts and nothing else', () => {
    expect(['127.0.0.1', '[::1]', '::1', 'localhost', 'LOCALHOST'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.2', '0.0.0.0', 'localhost.example.com', 'example.com', '10.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});

describe('safeHttpsUrl', () => {
  it('passes a safe URL through unchanged', () => {
    expect(safeHttpsUrl.parse('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
    expect(safeHttpsUrl.parse('http://127.0.0.1:8787/cb')).toBe('http://127.0.0.1:8787/cb');
  });

  it('fails with a message that says what is wrong', () => {
    const result = safeHttpsUrl.safeParse('https://user:secret@example.com/');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('URL must not contain credentials (user:password@)');
  });

  it('refuses non-strings', () => {
    expect(safeHttpsUrl.safeParse(42).success).toBe(false);
  });
});
