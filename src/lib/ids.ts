import { z } from 'zod';
import { randomBytes } from './crypto';

export const ID_PREFIXES = ['org', 'usr', 'key', 'off', 'int', 'lnk', 'con', 'app', 'evt', 'ntf', 'grt'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lowercase
const ID_LENGTH = 24; // 24 × 5 bits = 120 random bits

/** A new random id such as `org_0f3k…`: prefixed so a leaked id says what it is. */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(ID_LENGTH);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

// One per prefix: routes ask for them per request, and building a schema costs more than using it.
const idSchemas = new Map<IdPrefix, z.ZodString>();

/**
 * Schema for an id of one kind. Catalog offerings use readable slugs (`off_salesforce`),
 * so the body after the prefix is any short run of lowercase letters, digits and `_`.
 */
export function idSchema(prefix: IdPrefix) {
  let schema = idSchemas.get(prefix);
  if (!schema) {
    schema = z.string().regex(new RegExp(`^${prefix}_[a-z0-9_]{2,48}$`), `must be an id starting with '${prefix}_'`);
    idSchemas.set(prefix, schema);
  }
  return schema;
}
