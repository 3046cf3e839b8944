/** The README's redirect verification (verify-redirect.mjs), typed for the tests that run it. */
export function verifyEdgelinkRedirect(secret: string, params: URLSearchParams): boolean;
