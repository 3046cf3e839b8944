import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { connections, type ConnectionStatus } from '../connections/schema';
import type { Db } from '../db/client';
import { isConnectable, type IntegrationRow } from '../integrations/service';
import { integrations } from '../integrations/schema';
import { sha256Hex } from '../lib/crypto';
import type { OfferingDefinition } from '../offerings/definition';
import { offeringRows } from '../offerings/schema';
import { fromParts } from '../offerings/service';
import { organizations } from '../organizations/schema';
import { links } from '../links/schema';
import { LINK_TOKEN_PATTERN, type LinkRow } from '../links/service';

/** What the page shows about an end user's existing connection to one integration. */
export interface ExistingConnection {
  status: ConnectionStatus;
  accountEmail: string | null;
  accountName: string | null;
}

export interface LinkPageEntry {
  integration: IntegrationRow;
  offering: OfferingDefinition;
  connection: ExistingConnection | null;
}

export interface LinkPageData {
  link: LinkRow;
  orgName: string;
  /** The link's allowed, connectable integrations, by name. */
  entries: LinkPageEntry[];
}

/**
 * Catalog offerings live in code (their row, if any, only switches them off for new
 * integrations); custom ones are rows. Existing integrations keep connecting either way.
 */
function offeringOf(integration: IntegrationRow, rows: (typeof offeringRows.$inferSelect)[]): OfferingDefinition | undefined {
  const id = integration.offeringId;
  return fromParts(
    id,
    rows.find((r) => r.id === id),
    { orgId: integration.orgId },
  )?.definition;
}

/** Whether the link offers this integration: listed (or all allowed) and ready to connect. */
export function isOffered(link: Pick<LinkRow, 'integrationIds'>, integration: IntegrationRow): boolean {
  return (link.integrationIds === null || link.integrationIds.includes(integration.id)) && isConnectable(integration);
}

/** The link's row and its organization's name, looked up by the token's hash. */
function linkByHash(db: Db, tokenHash: string) {
  return (
    db
      // Aliased: both tables have a `name` column, and D1 batches hand rows back keyed by name.
      .select({ link: links, orgName: sql<string>`${organizations.name}`.as('org_name') })
      .from(links)
      .innerJoin(organizations, eq(organizations.id, links.orgId))
      .where(eq(links.tokenHash, tokenHash))
      .limit(1)
  );
}

/**
 * Everything the link page needs in one D1 round trip: the statements of a batch cannot see
 * each other's results, so each one finds the link's organization and end user by the token
 * hash itself (a unique-index lookup). An unknown token returns undefined.
 */
export async function loadLinkPage(db: Db, token: string): Promise<LinkPageData | undefined> {
  if (!LINK_TOKEN_PATTERN.test(token)) return undefined;
  const tokenHash = await sha256Hex(token);
  const linkOrg = db.select({ orgId: links.orgId }).from(links).where(eq(links.tokenHash, tokenHash));
  const linkEndUser = db.select({ endUserId: links.endUserId }).from(links).where(eq(links.tokenHash, tokenHash));
  const orgIntegrationIds = db.select({ id: integrations.id }).from(integrations).where(inArray(integrations.orgId, linkOrg));
  const orgOfferingIds = db.select({ id: integrations.offeringId }).from(integrations).where(inArray(integrations.orgId, linkOrg));

  const [found, integrationRows, customOfferings, connectionRows] = await db.batch([
    linkByHash(db, tokenHash),
    db.select().from(integrations).where(inArray(integrations.orgId, linkOrg)).orderBy(asc(integrations.name), asc(integrations.id)),
    db.select().from(offeringRows).where(inArray(offeringRows.id, orgOfferingIds)),
    // (integration_id, end_user_id) leads the connections' unique index, so this is a seek per integration.
    db
      .select({
        integrationId: connections.integrationId,
        status: connections.status,
        accountEmail: connections.accountEmail,
        accountName: connections.accountName,
        updatedAt: connections.updatedAt,
      })
      .from(connections)
      .where(and(inArray(connections.integrationId, orgIntegrationIds), inArray(connections.endUserId, linkEndUser))),
  ]);
  const row = found[0];
  if (!row) return undefined;

  const entries: LinkPageEntry[] = [];
  for (const integration of integrationRows) {
    const offering = offeringOf(integration, customOfferings);
    if (!offering || !isOffered(row.link, integration)) continue;
    entries.push({ integration, offering, connection: bestConnection(connectionRows.filter((c) => c.integrationId === integration.id)) });
  }
  return { link: row.link, orgName: row.orgName, entries };
}

/** An active connection wins over one needing re-authorization; revoked ones count as none. */
function bestConnection(rows: (ExistingConnection & { updatedAt: number })[]): ExistingConnection | null {
  const rank = (s: ConnectionStatus) => (s === 'active' ? 2 : s === 'needs_reauth' ? 1 : 0);
  const best = rows.filter((r) => rank(r.status) > 0).sort((a, b) => rank(b.status) - rank(a.status) || b.updatedAt - a.updatedAt)[0];
  return best ? { status: best.status, accountEmail: best.accountEmail, accountName: best.accountName } : null;
}

export interface ConnectTarget {
  link: LinkRow;
  orgName: string;
  /** Undefined when the integration is not the link organization's, or is gone. */
  integration: IntegrationRow | undefined;
  offering: OfferingDefinition | undefined;
}

/** A target the end user may connect: an active link that offers this set-up integration. */
export interface ConnectableTarget {
  link: LinkRow;
  orgName: string;
  integration: IntegrationRow;
  offering: OfferingDefinition;
}

/** The link and one of its organization's integrations, in one round trip. */
export async function loadConnectTarget(db: Db, token: string, integrationId: string): Promise<ConnectTarget | undefined> {
  if (!LINK_TOKEN_PATTERN.test(token)) return undefined;
  const tokenHash = await sha256Hex(token);
  const linkOrg = db.select({ orgId: links.orgId }).from(links).where(eq(links.tokenHash, tokenHash));
  const sameOrgIntegration = and(eq(integrations.id, integrationId), inArray(integrations.orgId, linkOrg));
  const offeringId = db.select({ id: integrations.offeringId }).from(integrations).where(sameOrgIntegration);

  const [found, integrationRows, customOfferings] = await db.batch([
    linkByHash(db, tokenHash),
    db.select().from(integrations).where(sameOrgIntegration).limit(1),
    db.select().from(offeringRows).where(inArray(offeringRows.id, offeringId)),
  ]);
  const row = found[0];
  if (!row) return undefined;
  const integration = integrationRows[0];
  return {
    link: row.link,
    orgName: row.orgName,
    integration,
    offering: integration ? offeringOf(integration, customOfferings) : undefined,
  };
}
