import type { JoinedCredential } from '../auth/joined-credential';
import type { HotQuery } from '../hot/route';
import type { ConnectionRow } from './schema';
import type { FreshnessColumns } from './refresh';
import type { ShownColumns } from './render';
import type { TokenColumns } from './token';

/**
 * The hot routes' statements, hand-written beside their drizzle twins (findKeyAndConnection,
 * findConnection): built once per isolate, bound per request, read with `.raw()`. Drizzle builds
 * its SQL anew on every call, which was half the token route's own CPU time.
 * test/connections/hot-sql.test.ts holds each to the rows its twin returns.
 */

type Column = readonly [key: string, sql: string, json?: 'json'];

/** A list of columns and how a `.raw()` row of them becomes the object drizzle would make. */
function columnsOf<T>(table: string, list: readonly Column[]) {
  return {
    sql: list.map(([, name]) => `${table}.${name}`).join(', '),
    width: list.length,
    read(values: unknown[]): T {
      const row: Record<string, unknown> = {};
      list.forEach(([key, , json], i) => {
        const value = values[i];
        row[key] = json && typeof value === 'string' ? JSON.parse(value) : value;
      });
      return row as T;
    },
  };
}

export type HotTokenRow = TokenColumns & FreshnessColumns & Pick<ConnectionRow, 'orgId'>;

const tokenColumns = columnsOf<HotTokenRow>('c', [
  ['id', 'id'],
  ['orgId', 'org_id'],
  ['status', 'status'],
  ['credentialMode', 'credential_mode'],
  ['leaseId', 'lease_id'],
  ['leaseUntil', 'lease_until'],
  ['expiresAt', 'expires_at'],
  ['providerAccountId', 'provider_account_id'],
  ['scopes', 'scopes', 'json'],
  ['metadata', 'metadata', 'json'],
  ['tokenType', 'token_type'],
  ['accessTokenEnc', 'access_token_enc'],
]);

export type HotShownRow = ShownColumns & Pick<ConnectionRow, 'orgId'>;

const shownColumns = columnsOf<HotShownRow>('c', [
  ['id', 'id'],
  ['orgId', 'org_id'],
  ['integrationId', 'integration_id'],
  ['linkId', 'link_id'],
  ['endUserId', 'end_user_id'],
  ['endUserEmail', 'end_user_email'],
  ['endUserName', 'end_user_name'],
  ['providerAccountId', 'provider_account_id'],
  ['accountEmail', 'account_email'],
  ['accountName', 'account_name'],
  ['metadata', 'metadata', 'json'],
  ['userMetadata', 'user_metadata', 'json'],
  ['tags', 'tags', 'json'],
  ['scopes', 'scopes', 'json'],
  ['status', 'status'],
  ['expiresAt', 'expires_at'],
  ['lastRefreshedAt', 'last_refreshed_at'],
  ['lastRefreshError', 'last_refresh_error'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
]);

const integrationColumns = columnsOf<{ offeringId: string; scopes: string[] }>('i', [
  ['offeringId', 'offering_id'],
  ['scopes', 'scopes', 'json'],
]);

export interface Joined<K, R> {
  found: K;
  /** Null when the caller is known but has no such connection. */
  resource: R | null;
}

/**
 * A credential's subquery joined with one connection of its organization: `?1` the secret's
 * hash, `?2` now, `?3` the connection id. Statements are cached per credential.
 */
function joinedStatement<R>(resourceSql: (cred: string) => { columns: string; from: string }, read: (values: unknown[]) => R | null) {
  const sqlOf = new Map<JoinedCredential, string>();
  return async <K>(query: HotQuery, credential: JoinedCredential<K>, secretHash: string, now: number, connectionId: string) => {
    let sql = sqlOf.get(credential as JoinedCredential);
    if (sql === undefined) {
      const resource = resourceSql('cred');
      sql = `SELECT cred.*, ${resource.columns} FROM (${credential.sql}) AS cred ${resource.from} LIMIT 1`;
      sqlOf.set(credential as JoinedCredential, sql);
    }
    const [row] = await query(sql, secretHash, now, connectionId);
    if (!row) return undefined;
    return { found: credential.read(row.slice(0, credential.width)), resource: read(row.slice(credential.width)) } satisfies Joined<K, R>;
  };
}

/** The token route's caller and the columns of its connection it needs. */
export const callerAndTokenRow = joinedStatement(
  (cred) => ({ columns: tokenColumns.sql, from: `LEFT JOIN connections c ON c.id = ?3 AND c.org_id = ${cred}.org_id` }),
  (values) => (values[0] === null ? null : tokenColumns.read(values)),
);

/** GET /connections/{id}'s caller, the connection as shown, and its integration's offering and scopes. */
export const callerAndShownRow = joinedStatement(
  (cred) => ({
    columns: `${shownColumns.sql}, ${integrationColumns.sql}`,
    from: `LEFT JOIN connections c ON c.id = ?3 AND c.org_id = ${cred}.org_id LEFT JOIN integrations i ON i.id = c.integration_id`,
  }),
  (values) => {
    if (values[0] === null) return null;
    const integration = values[shownColumns.width] === null ? null : integrationColumns.read(values.slice(shownColumns.width));
    return { connection: shownColumns.read(values), integration };
  },
);
