import { env } from 'cloudflare:test';
import type { JoinedCredential } from '../../src/auth/joined-credential';
import { callerAndTokenRow } from '../../src/connections/hot-sql';
import type { HotQuery } from '../../src/hot/route';
import { sha256Hex } from '../../src/lib/crypto';

/** The hot routes' statements on the test's own D1 binding, read with `.raw()` as the Worker reads them. */
export const d1Query: HotQuery = (sql, ...binds) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .raw();

/**
 * What a credential's subquery finds for a secret at `now`, bound as the hot routes bind it
 * (`?1` the secret's hash, `?2` now) inside the statement they run. Run inside that statement
 * because D1 refuses a binding the SQL does not use (an API key's subquery has no `?2`); the
 * connection id matches no row, so only the credential's columns count. Undefined: refused.
 */
export async function joinedFound<K>(credential: JoinedCredential<K>, secret: string, now: number): Promise<K | undefined> {
  const joined = await callerAndTokenRow(d1Query, credential, await sha256Hex(secret), now, 'con_no_such_connection');
  return joined?.found;
}
