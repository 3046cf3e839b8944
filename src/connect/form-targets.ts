import type { OfferingDefinition } from '../offerings/definition';
import { PUBLIC_URL_PLACEHOLDER, normalizePublicUrl } from '../offerings/template';

/**
 * The CSP source a Connect form needs in `form-action` for the provider redirect that answers
 * it (see views/headers.ts). `known` holds the input values already fixed (the integration's,
 * and on the link page the end-user defaults); a host still naming an end-user input becomes
 * `*.rest.of.host` when the input is its first label, and the bare scheme otherwise
 * (`https://{my_domain}/…`), since the end user has yet to type it.
 */
export function authorizationFormTarget(offering: OfferingDefinition, known: Readonly<Record<string, string>>, publicUrl: string): string | null {
  const template = offering.authorization_url;
  if (offering.auth_mode !== 'oauth2' || template === undefined) return null;
  let text = template;
  if (text.includes(`{${PUBLIC_URL_PLACEHOLDER}}`)) {
    try {
      text = text.replaceAll(`{${PUBLIC_URL_PLACEHOLDER}}`, normalizePublicUrl(publicUrl));
    } catch {
      return null;
    }
  }
  text = text.replace(/\{([a-z][a-z0-9_]*)\}/g, (whole, name: string) => (Object.hasOwn(known, name) ? known[name]! : whole));
  const match = /^(https?):\/\/([^/?#]+)/i.exec(text);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!;
  if (!host.includes('{')) return `${scheme}://${host.toLowerCase()}`;
  const firstLabel = /^\{[a-z][a-z0-9_]*\}(\.[A-Za-z0-9.-]+(?::\d+)?)$/.exec(host);
  return firstLabel ? `${scheme}://*${firstLabel[1]!.toLowerCase()}` : `${scheme}:`;
}

/** The origin of a link's redirect_url, where a successful API-key form ends up. */
export function redirectFormTarget(redirectUrl: string | null): string | null {
  return redirectUrl && URL.canParse(redirectUrl) ? new URL(redirectUrl).origin : null;
}
