import { afterEach, describe, expect, it, vi } from 'vitest';
import { notificationTransport } from '../../src/notifications/transport';

afterEach(() => vi.restoreAllMocks());

const PRODUCTION = 'https://edgelink.example.com';
const LOCAL = 'http://127.0.0.1:8787';
const NOTIFY_TOKEN = 'notify-token-0123456789abcdef';

describe('NOTIFY_URL and the outbound-URL policy', () => {
  it.each([
    [PRODUCTION, 'https://10.0.0.1/notify?key=s3cr3t-in-query'],
    [PRODUCTION, 'https://metadata.google.internal/notify?key=s3cr3t-in-query'],
    [PRODUCTION, 'https://127.0.0.1/notify?key=s3cr3t-in-query'],
    [PRODUCTION, 'http://localhost:9/notify?key=s3cr3t-in-query'],
    [LOCAL, 'https://[::ffff:a9fe:a9fe]/notify?key=s3cr3t-in-query'],
    [LOCAL, 'ftp://notify.example.com/?key=s3cr3t-in-query'],
  ])('with PUBLIC_URL %s, refuses %s: no transport, logged by name without the URL', (PUBLIC_URL, NOTIFY_URL) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(notificationTransport({ PUBLIC_URL, NOTIFY_URL, NOTIFY_TOKEN })).toBeNull();
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]?.[0]);
    expect(line).toContain('NOTIFY_URL');
    expect(line).not.toContain('s3cr3t');
    expect(line).not.toContain(new URL(NOTIFY_URL).hostname);
  });

  it('uses a loopback endpoint only while PUBLIC_URL is loopback http', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(notificationTransport({ PUBLIC_URL: LOCAL, NOTIFY_URL: 'http://127.0.0.1:9/notify', NOTIFY_TOKEN })?.name).toBe('https');
    expect(notificationTransport({ PUBLIC_URL: PRODUCTION, NOTIFY_URL: 'http://127.0.0.1:9/notify', NOTIFY_TOKEN })).toBeNull();
  });

  it('uses an https endpoint on a public host in production', () => {
    expect(notificationTransport({ PUBLIC_URL: PRODUCTION, NOTIFY_URL: 'https://notify.example.com/edgelink', NOTIFY_TOKEN })?.name).toBe('https');
  });
});
