import { vi } from 'vitest';

export interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/**
 * Answers the Worker's outbound calls (to providers) from a handler, for route tests that run
 * inside workerd where no provider can listen. Tests against real providers live in test/e2e.
 */
export function stubProvider(handler: (req: SeenRequest) => Response | Promise<Response>) {
  const seen: SeenRequest[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    // Bytes, then text: workerd warns when .text() reads a body that is not declared as text.
    const body = new TextDecoder().decode(await request.arrayBuffer());
    const req = { url: request.url, method: request.method, headers: request.headers, body };
    seen.push(req);
    return handler(req);
  });
  return { seen, restore: () => spy.mockRestore() };
}

export const oauthError = (error: string, status = 400) => new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json' } });
