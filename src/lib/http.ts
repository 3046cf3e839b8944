/** Why an outbound call produced no usable HTTP answer. */
export type TransportFailure = { kind: 'timeout' } | { kind: 'network'; reason: string };

export type OutboundResult = { ok: true; status: number; contentType: string; bodyText: string; headers: Headers } | { ok: false; failure: TransportFailure };

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Provider replies larger than this are not token replies; stop reading. */
const MAX_REPLY_BYTES = 256 * 1024;

/**
 * The one way Edgelink calls other servers: a deadline on every call, the body read as text
 * (callers parse by content type), and transport failures returned rather than thrown so
 * every caller decides what a timeout means for it.
 */
export async function fetchOutbound(url: string, init: RequestInit, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<OutboundResult> {
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const bodyText = await readCapped(res);
    return { ok: true, status: res.status, contentType: res.headers.get('content-type') ?? '', bodyText, headers: res.headers };
  } catch (err) {
    if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return { ok: false, failure: { kind: 'timeout' } };
    }
    // The message of a network error names the host at most; keep it short and free of URLs' queries.
    const reason = err instanceof Error ? err.message.slice(0, 200) : 'network error';
    return { ok: false, failure: { kind: 'network', reason } };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_REPLY_BYTES) {
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concat(chunks));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

export function describeFailure(failure: TransportFailure, what: string): string {
  return failure.kind === 'timeout' ? `${what} did not answer in time.` : `${what} could not be reached (${failure.reason}).`;
}
