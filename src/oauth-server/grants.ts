import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { base64urlEncode, sha256Bytes, sha256Hex, timingSafeEqual } from '../lib/crypto';
import { newId } from '../lib/ids';
import type { Application } from './client-auth';
import { invalidGrant, invalidRequest, OAuthError } from './errors';
import { oauthCodes, oauthGrants, oauthTokens } from './schema';
import { isRefreshExpired, newTokens, revokeGrant, type IssuedTokens } from './tokens';
import { allowsGrant } from '../applications/grant-types';
import { isApplicationScope, mayAsk } from '../applications/scopes';
import { memberships } from '../users/schema';

const required = (form: Map<string, string>, name: string) => {
  const value = form.get(name);
  if (!value) throw invalidRequest(`The parameter "${name}" is required.`);
  return value;
};

function parseScope(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : [...new Set(value.split(' ').filter(Boolean))];
}

/**
 * authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6): the code must belong to this client,
 * name the same redirect_uri and match the PKCE verifier, and is used once — decided by a
 * conditional UPDATE. A second use is treated as theft: the grant and its tokens are revoked
 * (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
 */
export async function exchangeCode(db: Db, app: Application, form: Map<string, string>, now: number): Promise<IssuedTokens> {
  const code = required(form, 'code');
  const redirectUri = required(form, 'redirect_uri');
  const verifier = required(form, 'code_verifier');
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw invalidRequest('code_verifier must be 43–128 unreserved characters (RFC 7636 §4.1).');

  const codeHash = await sha256Hex(code);
  const [found] = await db
    .select({ code: oauthCodes, grant: oauthGrants })
    .from(oauthCodes)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthCodes.grantId))
    .where(eq(oauthCodes.codeHash, codeHash))
    .limit(1);
  if (!found || found.grant.applicationId !== app.id) throw invalidGrant('The authorization code is invalid.');
  if (found.code.usedAt !== null) {
    await revokeGrant(db, found.grant.id, now);
    throw invalidGrant('The authorization code was already used; everything it issued has been revoked.');
  }
  if (found.code.expiresAt <= now || found.grant.revokedAt !== null) throw invalidGrant('The authorization code has expired.');
  if (found.code.redirectUri !== redirectUri) throw invalidGrant('redirect_uri does not match the authorization request.');
  const challenge = base64urlEncode(await sha256Bytes(verifier));
  if (!timingSafeEqual(challenge, found.code.codeChallenge)) throw invalidGrant('code_verifier does not match the code challenge.');

  // offline_access brings a refresh token only to an app that may use the refresh_token grant.
  const { insertWhere, body } = await newTokens(db, found.grant, found.code.scopes, now, allowsGrant(app, 'refresh_token'));
  // One batch (one transaction): the tokens are inserted only while the code is unused, then
  // the code is marked used under the same condition. A failure before it leaves the code
  // unused, so the client's retry is a first use; nothing is ever half-written.
  const unused = and(eq(oauthCodes.codeHash, codeHash), isNull(oauthCodes.usedAt), gt(oauthCodes.expiresAt, now));
  const [first, ...rest] = insertWhere(oauthCodes, unused);
  const results = await db.batch([first!, ...rest, db.update(oauthCodes).set({ usedAt: now }).where(unused).returning({ codeHash: oauthCodes.codeHash })]);
  const used = results.at(-1) as { codeHash: string }[];
  if (used.length === 0) {
    // Another request redeemed it between our read and this batch: the same replay rule applies.
    await revokeGrant(db, found.grant.id, now);
    throw invalidGrant('The authorization code was already used; everything it issued has been revoked.');
  }
  return body;
}

/**
 * refresh_token (RFC 6749 §6) with rotation: each refresh token is used once, and a reused
 * one revokes the whole grant (RFC 9700 §4.14.2). The scope can narrow, never widen.
 */
export async function refreshGrant(db: Db, app: Application, form: Map<string, string>, now: number): Promise<IssuedTokens> {
  const token = required(form, 'refresh_token');
  const tokenHash = await sha256Hex(token);
  const [found] = await db
    .select({ token: oauthTokens, grant: oauthGrants, role: memberships.role })
    .from(oauthTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
    .leftJoin(memberships, and(eq(memberships.userId, oauthGrants.userId), eq(memberships.orgId, oauthGrants.orgId)))
    .where(and(eq(oauthTokens.tokenHash, tokenHash), eq(oauthTokens.kind, 'refresh')))
    .limit(1);
  if (!found || found.grant.applicationId !== app.id) throw invalidGrant('The refresh token is invalid.');
  if (found.token.revokedAt !== null || found.grant.revokedAt !== null) throw invalidGrant('The refresh token has been revoked.');
  if (isRefreshExpired(found.token.createdAt, found.grant.createdAt, now)) throw invalidGrant('The refresh token has expired.');
  if (found.token.usedAt !== null) {
    await revokeGrant(db, found.grant.id, now);
    throw invalidGrant('The refresh token was already used; the grant has been revoked.');
  }
  // As for access tokens (findLiveToken): a grant dies with its user's membership.
  if (found.grant.userId !== null && found.role === null) throw invalidGrant('The user is no longer a member of the organization.');
  const requested = parseScope(form.get('scope'));
  const scopes = requested ?? found.token.scopes;
  const wider = scopes.filter((s) => !found.token.scopes.includes(s));
  if (wider.length > 0) throw new OAuthError(400, 'invalid_scope', `A refresh cannot add scopes: ${wider.join(' ')}.`);
  // offline_access keeps its refresh token only while it stays in the scope.
  const { insertWhere, body } = await newTokens(db, found.grant, scopes, now);
  // As for codes: the new tokens only while the old one is unused, then its used-mark, in one
  // batch. A failure before the batch lands leaves the old token usable, so a retry is not
  // reuse. If the batch landed but the reply was lost, the retry presents a used token and
  // revokes the grant: RFC 9700 §4.14.2 cannot tell that from a stolen token replayed.
  const unused = and(eq(oauthTokens.tokenHash, tokenHash), isNull(oauthTokens.usedAt), isNull(oauthTokens.revokedAt));
  const [first, ...rest] = insertWhere(oauthTokens, unused);
  const results = await db.batch([first!, ...rest, db.update(oauthTokens).set({ usedAt: now }).where(unused).returning({ tokenHash: oauthTokens.tokenHash })]);
  const rotated = results.at(-1) as { tokenHash: string }[];
  if (rotated.length === 0) {
    await revokeGrant(db, found.grant.id, now);
    throw invalidGrant('The refresh token was already used; the grant has been revoked.');
  }
  return body;
}

/**
 * client_credentials (RFC 6749 §4.4): the confidential client acts for its own organization,
 * with the scopes it asks for among those it was registered with; never a refresh token.
 */
export async function clientCredentialsGrant(db: Db, app: Application, form: Map<string, string>, now: number): Promise<IssuedTokens> {
  const requested = parseScope(form.get('scope')) ?? app.scopes.filter((s) => s !== 'offline_access');
  const unknown = requested.filter((s) => !mayAsk(app.scopes, s) || s === 'offline_access' || !isApplicationScope(s));
  if (unknown.length > 0) throw new OAuthError(400, 'invalid_scope', `This client may not ask for: ${unknown.join(' ')}.`);
  const grantId = newId('grt');
  const { insert, body } = await newTokens(db, { id: grantId, createdAt: now }, requested, now);
  await db.batch([
    db.insert(oauthGrants).values({ id: grantId, applicationId: app.id, orgId: app.orgId, userId: null, scopes: requested, createdAt: now }),
    insert,
  ]);
  return body;
}
