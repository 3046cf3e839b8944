import { and, eq, getTableColumns, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { connectionSealedColumns } from '../connections/sealed';
import type { Db } from '../db/client';
import type { SealedColumn } from '../db/sealed';
import { integrationSealedColumns } from '../integrations/sealed';
import { CryptoError, decrypt, encrypt, needsReencryption, type Keyring } from '../lib/crypto';
import { safeError } from '../lib/log';
import { linkSealedColumns } from '../links/sealed';
import { webhookSealedColumns } from '../webhooks/sealed';

// Each feature declares its sealed columns beside the AAD it writes them with.
const SEALED_COLUMNS: SealedColumn[] = [...integrationSealedColumns, ...connectionSealedColumns, ...linkSealedColumns, ...webhookSealedColumns];

export interface ReencryptCounts {
  /** Rows found under an old key. */
  stale: number;
  reencrypted: number;
  /** Changed by someone else between our read and write; the next run looks again. */
  raced: number;
  /** Did not decrypt (tampered, or bound to other data); left as they are. */
  failed: number;
  /** Columns whose read or write failed this run (a D1 failure); the next run tries them again. */
  errors: number;
}

/**
 * Envelopes sealed with an old key that is still in the keyring. Envelopes of a key no longer
 * in the keyring cannot be opened, so selecting them would only fill every run's budget.
 */
function staleUnder(prefixes: string[], column: SQLiteColumn): SQL | undefined {
  // substr, not LIKE: a kid may contain `_`, which LIKE reads as a wildcard.
  return or(...prefixes.map((prefix) => sql`substr(${column}, 1, ${prefix.length}) = ${prefix}`));
}

/** drizzle's update takes TypeScript keys, not column names. */
function propertyOf(sealed: SealedColumn): string {
  const entry = Object.entries(getTableColumns(sealed.table)).find(([, column]) => column === sealed.column);
  if (!entry) throw new Error(`${sealed.name} is not a column of its table`);
  return entry[0];
}

/**
 * Re-encrypts up to `limit` envelopes of one column under the active key. Each write is a
 * conditional UPDATE on the old ciphertext, so a token refreshed or a secret rotated meanwhile
 * is never overwritten with the older value; all writes of a column go in one batch, and each
 * lands whole or not at all, so a failure leaves every envelope opening as before.
 */
async function reencryptColumn(db: Db, keyring: Keyring, sealed: SealedColumn, oldPrefixes: string[], limit: number, counts: ReencryptCounts): Promise<void> {
  const rows = (await db
    .select({ key: sealed.key, value: sealed.column })
    .from(sealed.table)
    .where(and(isNotNull(sealed.column), staleUnder(oldPrefixes, sealed.column)))
    .limit(limit)) as { key: string; value: string }[];
  const writes = [];
  for (const row of rows) {
    if (!needsReencryption(keyring, row.value)) continue;
    counts.stale++;
    try {
      const plaintext = await decrypt(keyring, row.value, sealed.aad(row.key));
      const sealedAgain = await encrypt(keyring, plaintext, sealed.aad(row.key));
      writes.push(
        db
          .update(sealed.table)
          .set({ [propertyOf(sealed)]: sealedAgain })
          .where(and(eq(sealed.key, row.key), eq(sealed.column, row.value)))
          .returning({ key: sealed.key }),
      );
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      counts.failed++;
      console.error(JSON.stringify({ level: 'error', msg: 'envelope does not decrypt', column: sealed.name, row: row.key, error: err.code }));
    }
  }
  if (writes.length === 0) return;
  const results = await db.batch(writes as [(typeof writes)[number], ...(typeof writes)[number][]]);
  for (const changed of results) {
    if (changed.length > 0) counts.reencrypted++;
    else counts.raced++;
  }
}

/**
 * Re-encrypts up to `limit` envelopes per column under the active key. Columns fail alone: a
 * D1 failure on one is logged and counted, and the others still move; the next run retries it.
 */
export async function reencryptStaleSecrets(db: Db, keyring: Keyring, limit: number): Promise<ReencryptCounts> {
  const counts: ReencryptCounts = { stale: 0, reencrypted: 0, raced: 0, failed: 0, errors: 0 };
  const oldPrefixes = [...keyring.keys.keys()].filter((kid) => kid !== keyring.activeKid).map((kid) => `v1.${kid}.`);
  if (oldPrefixes.length === 0) return counts;
  for (const sealed of SEALED_COLUMNS) {
    try {
      await reencryptColumn(db, keyring, sealed, oldPrefixes, limit, counts);
    } catch (err) {
      counts.errors++;
      console.error(JSON.stringify({ level: 'error', msg: 're-encrypting a column failed', column: sealed.name, ...safeError(err) }));
    }
  }
  return counts;
}
