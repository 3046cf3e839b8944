import { describe, expect, it } from 'vitest';
import {
  LOCAL_DEVELOPMENT_POLICY,
  PRODUCTION_POLICY,
  checkOutboundUrl,
  classifyHost,
  outboundPolicy,
  outboundUrl,
  requireOutboundUrls,
  type HostKind,
} from '../../src/lib/outbound-url';

/** Each host as a client would write it, after `https://`; the kind is what WHATWG parsing plus the policy make of it. */
const spellings: [host: string, kind: HostKind][] = [
  // Loopback, every spelling
  ['127.0.0.1', 'loopback'],
  ['127.1', 'loopback'],
  ['127.0.1', 'loopback'],
  ['127.0.0.2', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['0X7F.0.0.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['017700000001', 'loopback'],
  ['127.0.0.1.', 'loopback'],
  ['１２７.０.０.１', 'loopback'],
  ['[::1]', 'loopback'],
  ['[0:0:0:0:0:0:0:1]', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['[::ffff:7f00:1]', 'loopback'],
  ['[0:0:0:0:0:ffff:7f00:1]', 'loopback'],
  ['[64:ff9b::127.0.0.1]', 'loopback'],
  ['[2002:7f00:1::]', 'loopback'],
  ['localhost', 'loopback'],
  ['LOCALHOST', 'loopback'],
  ['localhost.', 'loopback'],
  ['app.localhost', 'loopback'],
  // Unspecified
  ['0.0.0.0', 'unspecified'],
  ['0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['[::]', 'unspecified'],
  ['[::ffff:0.0.0.0]', 'unspecified'],
  // Private (RFC 1918, ULA, site-local)
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['10.1', 'private'],
  ['0x0a000001', 'private'],
  ['167772161', 'private'],
  ['012.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['192.168.0.1.', 'private'],
  ['[fc00::1]', 'private'],
  ['[fd12:3456:789a::1]', 'private'],
  ['[fec0::1]', 'private'],
  ['[::ffff:10.0.0.1]', 'private'],
  ['[::ffff:a00:1]', 'private'],
  ['[64:ff9b::10.0.0.1]', 'private'],
  ['[64:ff9b:1::1]', 'private'],
  ['[2002:c0a8:101::1]', 'private'],
  ['[::10.0.0.1]', 'private'],
  // Link-local
  ['169.254.0.1', 'link_local'],
  ['169.254.255.255', 'link_local'],
  ['[fe80::1]', 'link_local'],
  ['[febf::1]', 'link_local'],
  // CGNAT (shared address space, RFC 6598)
  ['100.64.0.1', 'shared'],
  ['100.127.255.255', 'shared'],
  // Multicast
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['[ff02::1]', 'multicast'],
  ['[::ffff:224.0.0.1]', 'multicast'],
  // Reserved, broadcast, benchmarking, documentation, unnormalised numbers
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.1', 'reserved'],
  ['203.0.113.1', 'reserved'],
  ['[2001:db8::1]', 'reserved'],
  ['[2001::1]', 'reserved'],
  ['[100::1]', 'reserved'],
  ['[::1:0:0:0]', 'reserved'],
  ['[::8.8.8.8]', 'reserved'],
  // Cloud metadata, by address and by name
  ['169.254.169.254', 'metadata'],
  ['169.254.43518', 'metadata'],
  ['0xa9fea9fe', 'metadata'],
  ['0xa9.0xfe.0xa9.0xfe', 'metadata'],
  ['2852039166', 'metadata'],
  ['0251.0376.0251.0376', 'metadata'],
  ['[::ffff:169.254.169.254]', 'metadata'],
  ['[::ffff:a9fe:a9fe]', 'metadata'],
  ['[64:ff9b::a9fe:a9fe]', 'metadata'],
  ['[2002:a9fe:a9fe::]', 'metadata'],
  ['[fd00:ec2::254]', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['192.0.0.192', 'metadata'],
  ['metadata.google.internal', 'metadata'],
  ['metadata.google.internal.', 'metadata'],
  ['METADATA.GOOGLE.INTERNAL', 'metadata'],
  ['metadata', 'metadata'],
  ['metadata.goog', 'metadata'],
  ['instance-data', 'metadata'],
  // Internal names
  ['intranet', 'internal'],
  ['instance-data.ec2.internal', 'internal'],
  ['db.corp.internal', 'internal'],
  ['printer.local', 'internal'],
  ['nas.home.arpa', 'internal'],
  ['host.localdomain', 'internal'],
  // Public
  ['example.com', 'public'],
  ['hooks.example.com', 'public'],
  ['example.com.', 'public'],
  ['xn--bcher-kva.example', 'public'],
  ['localhost.example.com', 'public'],
  ['metadata.example.com', 'public'],
  ['internal.example.com', 'public'],
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['11.0.0.1', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.1', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.1', 'public'],
  ['192.169.0.1', 'public'],
  ['198.20.0.1', 'public'],
  ['223.255.255.255', 'public'],
  ['[2606:4700:4700::1111]', 'public'],
  ['[::ffff:8.8.8.8]', 'public'],
  ['[64:ff9b::8.8.8.8]', 'public'],
];

describe('classifyHost', () => {
  it.each(spellings)('https://%s is %s', (host, kind) => {
    expect(classifyHost(new URL(`https://${host}/`).hostname)).toBe(kind);
  });

  it('reads a hostname that did not go through WHATWG parsing conservatively', () => {
    expect(classifyHost('::1')).toBe('loopback');
    expect(classifyHost('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyHost('127.1')).toBe('reserved');
    expect(classifyHost('0177.0.0.1')).toBe('reserved');
    expect(classifyHost('0x7f000001')).toBe('internal');
    expect(classifyHost('[not:an:address]')).toBe('reserved');
  });
});

describe('checkOutboundUrl', () => {
  const verdict = (url: string, policy = PRODUCTION_POLICY) => {
    const result = checkOutboundUrl(url, policy);
    return result.ok ? 'ok' : result.message;
  };

  it.each(spellings)('https://%s (%s) under both policies', (host, kind) => {
    const url = `https://${host}/hook`;
    const expected = (allowLoopback: boolean) =>
      kind === 'public' || (kind === 'loopback' && allowLoopback)
        ? 'ok'
        : kind === 'loopback'
          ? 'must not point at a loopback address (allowed only in local development)'
          : 'must not point at a private or internal address';
    expect(verdict(url, PRODUCTION_POLICY)).toBe(expected(false));
    expect(verdict(url, LOCAL_DEVELOPMENT_POLICY)).toBe(expected(true));
  });

  it('allows plain http only to loopback, and only in local development', () => {
    for (const url of ['http://127.0.0.1:8787/hook', 'http://localhost:3000/hook', 'http://[::1]:3000/hook', 'http://127.1/hook']) {
      expect(verdict(url, LOCAL_DEVELOPMENT_POLICY)).toBe('ok');
      expect(verdict(url, PRODUCTION_POLICY)).toMatch(/loopback/);
    }
    for (const policy of [PRODUCTION_POLICY, LOCAL_DEVELOPMENT_POLICY]) {
      expect(verdict('http://example.com/hook', policy)).toMatch(/^must use https/);
      expect(verdict('http://10.0.0.1/hook', policy)).toMatch(/^must use https/);
    }
  });

  it('keeps the syntax rules of parseSafeUrl', () => {
    expect(verdict('https://user:pw@example.com/')).toMatch(/credentials/);
    expect(verdict('javascript:alert(1)')).toMatch(/scheme is not allowed/);
    expect(verdict('https://example.com/#x')).toMatch(/fragment/);
  });

  it('never quotes the URL in its message', () => {
    const result = checkOutboundUrl('https://10.0.0.1/hook?token=s3cret', PRODUCTION_POLICY);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toMatch(/s3cret|10\.0\.0\.1/);
  });
});

describe('outboundPolicy', () => {
  it.each([
    ['http://127.0.0.1:8787', true],
    ['http://localhost:8787', true],
    ['http://[::1]:8787/', true],
    ['http://127.0.0.1', true],
    ['https://edgelink.example.com', false],
    ['https://127.0.0.1:8787', false],
    ['https://localhost', false],
    ['http://edgelink.example.com', false],
    ['http://10.0.0.1:8787', false],
    ['', false],
    ['not a url', false],
    [undefined, false],
  ])('PUBLIC_URL %s allows loopback: %s', (publicUrl, allowLoopback) => {
    expect(outboundPolicy(publicUrl).allowLoopback).toBe(allowLoopback);
  });
});

describe('outboundUrl (the schema check)', () => {
  it('refuses what every deployment refuses and leaves loopback to the service', () => {
    expect(outboundUrl.safeParse('https://169.254.169.254/').error?.issues[0]?.message).toBe('URL must not point at a private or internal address');
    expect(outboundUrl.parse('http://127.0.0.1:9000/hooks')).toBe('http://127.0.0.1:9000/hooks');
    expect(outboundUrl.parse('https://hooks.example.com/a?b=c')).toBe('https://hooks.example.com/a?b=c');
  });
});

describe('requireOutboundUrls', () => {
  it('throws validation_failed naming each refused field, skipping absent ones', () => {
    expect(() => requireOutboundUrls(PRODUCTION_POLICY, { url: 'https://[::1]/', redirect_url: null, other: undefined, docs: 'https://10.0.0.1/' })).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'validation_failed',
        details: [
          { location: 'body', field: 'url', message: 'URL must not point at a loopback address (allowed only in local development)' },
          { location: 'body', field: 'docs', message: 'URL must not point at a private or internal address' },
        ],
      }),
    );
    expect(() => requireOutboundUrls(PRODUCTION_POLICY, { url: 'https://hooks.example.com/' })).not.toThrow();
  });
});
