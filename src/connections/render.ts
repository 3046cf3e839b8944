import type { integrations } from '../integrations/schema';
import { iso } from '../lib/shapes';
import type { ConnectionRow } from './schema';
import type { ConnectionObject } from './shapes';

type IntegrationRow = typeof integrations.$inferSelect;

/** The columns the connection object is made of: no credential among them. */
export type ShownColumns = Pick<
  ConnectionRow,
  | 'id'
  | 'integrationId'
  | 'linkId'
  | 'endUserId'
  | 'endUserEmail'
  | 'endUserName'
  | 'providerAccountId'
  | 'accountEmail'
  | 'accountName'
  | 'userMetadata'
  | 'tags'
  | 'metadata'
  | 'scopes'
  | 'status'
  | 'expiresAt'
  | 'lastRefreshedAt'
  | 'lastRefreshError'
  | 'createdAt'
  | 'updatedAt'
>;

/** The connection as the API shows it: everything but credentials. */
export function renderConnection(row: ShownColumns, integration?: Pick<IntegrationRow, 'offeringId' | 'scopes'> | null): ConnectionObject {
  const granted = new Set(row.scopes);
  return {
    id: row.id,
    integration_id: row.integrationId,
    offering_id: integration?.offeringId ?? null,
    link_id: row.linkId,
    end_user: { id: row.endUserId, email: row.endUserEmail, display_name: row.endUserName },
    provider_account_id: row.providerAccountId,
    account: { email: row.accountEmail, name: row.accountName },
    metadata: row.userMetadata,
    tags: row.tags,
    provider_metadata: row.metadata,
    scopes: row.scopes,
    // Against the integration's scopes as they are now: adding one later shows who must reconnect.
    missing_scopes: integration ? integration.scopes.filter((s) => !granted.has(s)) : [],
    status: row.status,
    expires_at: iso(row.expiresAt),
    last_refreshed_at: iso(row.lastRefreshedAt),
    last_refresh_error: row.lastRefreshError,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

/**
 * Webhook payload for connection events: who and what, never credentials. Tags as they are at
 * the event (small, and what receivers route by); metadata stays out (up to 8 KiB each time).
 */
export function connectionEventData(row: ConnectionRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connection_id: row.id,
    integration_id: row.integrationId,
    end_user_id: row.endUserId,
    provider_account_id: row.providerAccountId,
    status: row.status,
    tags: row.tags,
    ...extra,
  };
}
