import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * A column of AES-GCM envelopes and the row key its AAD is bound to. Each feature declares its
 * own, next to the AAD it writes with, so the re-encryption pass can never spell one differently.
 */
export interface SealedColumn {
  /** `table.column`, for logs. */
  name: string;
  table: SQLiteTable;
  key: SQLiteColumn;
  column: SQLiteColumn;
  aad: (key: string) => string;
}
