import { z } from 'zod';
import type { ErrorDetail } from './errors';
import { parseSafeUrl, type SafeUrlResult } from './url';
import { validationError } from './validate';

/**
 * The one outbound-URL policy: every URL Edgelink will call or send a browser to that someone
 * else chose (webhook endpoints, link `redirect_url`, offering URLs, NOTIFY_URL) passes
 * {@link checkOutboundUrl}. On top of {@link parseSafeUrl}'s syntax rules it refuses hosts that
 * are private, link-local, CGNAT, multicast, unspecified, reserved or cloud metadata, in every
 * spelling, and allows loopback only in local development (see {@link outboundPolicy}).
 *
 * Hosts are judged as written, not resolved: a public name whose DNS points at a private
 * address is not caught here. OAuth application `redirect_uris` are not under this policy:
 * RFC 8252 §7.3 loopback redirects stay allowed for native apps (applications/shapes.ts).
 */

export type HostKind = 'public' | 'loopback' | 'private' | 'link_local' | 'shared' | 'multicast' | 'unspecified' | 'reserved' | 'metadata' | 'internal';

export interface OutboundPolicy {
  /** Loopback hosts (127.0.0.0/8, ::1, localhost), over http too: local development only. */
  allowLoopback: boolean;
}

/** Production (an https PUBLIC_URL): https to public hosts only. */
export const PRODUCTION_POLICY: OutboundPolicy = { allowLoopback: false };
/** Local development (a loopback http PUBLIC_URL): loopback allowed as well. */
export const LOCAL_DEVELOPMENT_POLICY: OutboundPolicy = { allowLoopback: true };

/**
 * The policy for a deployment: local development when PUBLIC_URL is itself http on a loopback
 * host, production otherwise (also when PUBLIC_URL is missing or unparsable).
 */
export function outboundPolicy(publicUrl: string | undefined): OutboundPolicy {
  if (publicUrl === undefined || !URL.canParse(publicUrl)) return PRODUCTION_POLICY;
  const url = new URL(publicUrl);
  return url.protocol === 'http:' && classifyHost(url.hostname) === 'loopback' ? LOCAL_DEVELOPMENT_POLICY : PRODUCTION_POLICY;
}

/** Dotted decimal as WHATWG writes it; a leading zero (octal to some resolvers) is not read as decimal. */
const dottedQuad = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

const ipv4Blocks: [cidr: string, kind: HostKind][] = [
  // Cloud metadata endpoints first, so the table says what they are: AWS/GCP/Azure/OCI,
  // AWS ECS task metadata, Alibaba, Oracle's legacy address.
  ['169.254.169.254/32', 'metadata'],
  ['169.254.170.2/32', 'metadata'],
  ['100.100.100.200/32', 'metadata'],
  ['192.0.0.192/32', 'metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const ipv4Table = ipv4Blocks.map(([cidr, kind]) => {
  const [base, bits] = cidr.split('/') as [string, string];
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return { network: (parseIpv4(base)! & mask) >>> 0, mask, kind };
});

/** AWS's IPv6 metadata address (fd00:ec2::254) is in fc00::/7 but named for clarity. */
const ipv6Metadata = 'fd00:ec2:0:0:0:0:0:254';

const metadataNames = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data']);
/**
 * Suffixes that never name a public host: `.internal` (reserved by ICANN for private use),
 * `.local` (mDNS, RFC 6762), `.home.arpa` (RFC 8375), `.localdomain` (the /etc/hosts
 * convention). `.localhost` names are loopback (RFC 6761).
 */
const internalSuffixes = ['.internal', '.local', '.home.arpa', '.localdomain'];

/**
 * What kind of host this is, from a hostname as WHATWG URL parsing leaves it (`url.hostname`):
 * the parser has already turned `127.1`, `0x7f000001`, `2130706433` and `0177.0.0.1` into
 * `127.0.0.1` and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`. Trailing dots are ignored.
 */
export function classifyHost(hostname: string): HostKind {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  if (host.startsWith('[') || host.includes(':')) {
    const groups = parseIpv6(host.replace(/^\[|\]$/g, ''));
    return groups === null ? 'reserved' : classifyIpv6(groups);
  }
  const ipv4 = parseIpv4(host);
  if (ipv4 !== null) return classifyIpv4(ipv4);
  return classifyName(host);
}

function classifyName(name: string): HostKind {
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (metadataNames.has(name)) return 'metadata';
  // A single label resolves through the resolver's search domains: an intranet name.
  if (name === '' || !name.includes('.')) return 'internal';
  if (internalSuffixes.some((suffix) => name.endsWith(suffix))) return 'internal';
  // A numeric last label is an IPv4 spelling that was not normalised (WHATWG would have
  // parsed it as an address); no public DNS name ends in one.
  if (/\.(\d+|0x[0-9a-f]*)$/.test(name)) return 'reserved';
  return 'public';
}

function parseIpv4(text: string): number | null {
  const match = dottedQuad.exec(text);
  if (match === null) return null;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return null;
  return octets.reduce((n, octet) => n * 256 + octet, 0);
}

function classifyIpv4(address: number): HostKind {
  return ipv4Table.find((block) => (address & block.mask) >>> 0 === block.network)?.kind ?? 'public';
}

/** Eight 16-bit groups, or null; accepts `::` and a dotted IPv4 tail. */
function parseIpv6(text: string): number[] | null {
  let body = text;
  const tail = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body)?.[1];
  if (tail !== undefined) {
    const ipv4 = parseIpv4(tail);
    if (ipv4 === null) return null;
    body = `${body.slice(0, body.length - tail.length)}${(ipv4 >>> 16).toString(16)}:${(ipv4 & 0xffff).toString(16)}`;
  }
  const [before = '', after, ...more] = body.split('::');
  if (more.length > 0) return null;
  const head = before === '' ? [] : before.split(':');
  const rest = after === undefined ? null : after === '' ? [] : after.split(':');
  if (rest !== null && head.length + rest.length > 7) return null;
  const parts = rest === null ? head : [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  if (parts.length !== 8 || parts.some((part) => !/^[0-9a-f]{1,4}$/.test(part))) return null;
  return parts.map((part) => Number.parseInt(part, 16));
}

function classifyIpv6(g: readonly number[]): HostKind {
  const first = g[0] ?? 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  const embedded = (high: number, low: number) => classifyIpv4((((g[high] ?? 0) << 16) | (g[low] ?? 0)) >>> 0);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:0:0/96) and SIIT (::ffff:0:0:0/96) addresses reach their IPv4 address.
  if (zeros(0, 5) && g[5] === 0xffff) return embedded(6, 7);
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return embedded(6, 7);
  // NAT64 (64:ff9b::/96, RFC 6052) reaches its embedded IPv4 address; 64:ff9b:1::/48 is local use.
  if (first === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embedded(6, 7);
  if (first === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private';
  // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
  if (first === 0x2002) return embedded(1, 2);
  if (g.map((group) => group.toString(16)).join(':') === ipv6Metadata) return 'metadata';
  if ((first & 0xfe00) === 0xfc00) return 'private';
  if ((first & 0xffc0) === 0xfe80) return 'link_local';
  if ((first & 0xffc0) === 0xfec0) return 'private';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  // Deprecated IPv4-compatible ::a.b.c.d is refused, as its IPv4 address if that is not public;
  // the rest of ::/16, 100::/64 (discard), Teredo 2001::/32 and 2001:db8::/32 (documentation)
  // are not public destinations either.
  if (zeros(0, 6)) {
    const kind = embedded(6, 7);
    return kind === 'public' ? 'reserved' : kind;
  }
  if (first === 0) return 'reserved';
  if (first === 0x100 && zeros(1, 4)) return 'reserved';
  if (first === 0x2001 && (g[1] === 0 || g[1] === 0xdb8)) return 'reserved';
  return 'public';
}

/** Why the policy refuses this parsed URL, or null when it may be used. */
export function outboundUrlProblem(url: URL, policy: OutboundPolicy): string | null {
  const kind = classifyHost(url.hostname);
  if (kind === 'public') return url.protocol === 'https:' ? null : 'must use https';
  if (kind === 'loopback') {
    return policy.allowLoopback ? null : 'must not point at a loopback address (allowed only in local development)';
  }
  return 'must not point at a private or internal address';
}

/**
 * The whole check: {@link parseSafeUrl}'s syntax (https, plain http only for 127.0.0.1, [::1]
 * and localhost), then the host under the policy. Messages never quote the URL.
 */
export function checkOutboundUrl(value: string, policy: OutboundPolicy): SafeUrlResult {
  const parsed = parseSafeUrl(value, { allowHttpLoopback: true });
  if (!parsed.ok) return parsed;
  const problem = outboundUrlProblem(parsed.url, policy);
  return problem === null ? parsed : { ok: false, message: problem };
}

/**
 * The part of the policy a schema can check without knowing PUBLIC_URL: private and metadata
 * hosts are refused everywhere, loopback passes here and is decided by the service with
 * {@link requireOutboundUrls}. The URL text is kept as given.
 */
export const outboundUrl = z.string().superRefine((value, ctx) => {
  const result = checkOutboundUrl(value, LOCAL_DEVELOPMENT_POLICY);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: `URL ${result.message}` });
});

/**
 * Throws 400 `validation_failed` with one body detail per field whose URL the policy refuses;
 * absent and null values are skipped.
 */
export function requireOutboundUrls(policy: OutboundPolicy, urls: Readonly<Record<string, string | null | undefined>>): void {
  const details: ErrorDetail[] = [];
  for (const [field, value] of Object.entries(urls)) {
    if (value === undefined || value === null) continue;
    const result = checkOutboundUrl(value, policy);
    if (!result.ok) details.push({ location: 'body', field, message: `URL ${result.message}` });
  }
  if (details.length > 0) throw validationError(details);
}
