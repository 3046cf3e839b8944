import { checkOutboundUrl, outboundPolicy, type OutboundPolicy } from '../lib/outbound-url';
import type { OfferingDefinition } from '../offerings/definition';
import { OfferingError } from '../offerings/errors';
import { resolveInputValues } from '../offerings/inputs';
import { PUBLIC_URL_PLACEHOLDER, fillTemplate, listPlaceholders, normalizePublicUrl } from '../offerings/template';

/** What a template needs besides the offering: input values and this deployment's origin. */
export interface OfferingContext {
  /** Values for the offering's inputs (integration and end-user ones together). */
  inputs?: Readonly<Record<string, string | undefined>>;
  /**
   * PUBLIC_URL of this deployment: filled into `{public_url}`, and it decides the outbound-URL
   * policy (without it, the production one: no loopback).
   */
  publicUrl?: string;
}

export interface ResolvedOfferingUrls {
  authorizationUrl?: string;
  tokenUrl?: string;
  userinfoUrl?: string;
  revocationUrl?: string;
  introspectionUrl?: string;
  verifyUrl?: string;
}

/** Fills one template and checks that the result is still a URL the outbound policy allows. */
export function resolveUrlTemplate(template: string, values: Readonly<Record<string, string>>, field: string, policy: OutboundPolicy): string {
  const url = fillTemplate(template, values);
  const result = checkOutboundUrl(url, policy);
  if (!result.ok) throw new OfferingError('invalid_url', `${field} URL ${result.message}`, field);
  return url;
}

/**
 * The offering's concrete URLs for one integration or connection. Input values are validated
 * against their patterns before substitution; throws an {@link OfferingError} for a missing or
 * invalid input, an unknown placeholder, or a missing PUBLIC_URL.
 */
export function resolveOfferingUrls(offering: OfferingDefinition, context: OfferingContext = {}): ResolvedOfferingUrls {
  const values = resolveInputValues(offering, context.inputs);
  const templates = {
    authorizationUrl: offering.authorization_url,
    tokenUrl: offering.token_url,
    userinfoUrl: offering.userinfo_url,
    revocationUrl: offering.revocation_url,
    introspectionUrl: offering.introspection_url,
    verifyUrl: offering.verify?.url,
  };
  const needsPublicUrl = Object.values(templates).some((template) => template !== undefined && listPlaceholders(template).includes(PUBLIC_URL_PLACEHOLDER));
  if (needsPublicUrl) {
    if (context.publicUrl === undefined || context.publicUrl === '') {
      throw new OfferingError('invalid_public_url', 'PUBLIC_URL is not configured', PUBLIC_URL_PLACEHOLDER);
    }
    values[PUBLIC_URL_PLACEHOLDER] = normalizePublicUrl(context.publicUrl);
  }
  const policy = outboundPolicy(context.publicUrl);
  const resolved: ResolvedOfferingUrls = {};
  for (const [field, template] of Object.entries(templates) as [keyof ResolvedOfferingUrls, string | undefined][]) {
    if (template !== undefined) resolved[field] = resolveUrlTemplate(template, values, field, policy);
  }
  return resolved;
}
