/** The authorization server's issuer identifier (RFC 8414): PUBLIC_URL without a trailing slash. */
export const issuerOf = (publicUrl: string) => publicUrl.replace(/\/+$/, '');
