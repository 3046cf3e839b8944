import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { connections, type ConnectionStatus } from '../connections/schema';
import type { Db } from '../db/client';
import { preparedOnce, type RawQuery, runRaw } from '../db/prepared';
import { isConnectable, type IntegrationRow } from '../integrations/service';
import { integrations } from '../integrations/schema';
import { sha256Hex } from '../lib/crypto';
import type { OfferingDefinition } from '../offerings/definition';
import { offeringRows } from '../offerings/schema';
import { definitionOf } from '../offerings/service';
import { organizations } from '../organizations/schema';
import { links } from '../links/schema';
import { LINK_TOKEN_PATTERN, type LinkRow } from '../links/service';

/** What the page shows about an end user's existing connection to one integration. */
export interface ExistingConnection {
  status: ConnectionStatus;
  accountEmail: string | null;
  accountName: string | null;
}

/** The integration columns the link page reads: what it shows, and what says it is connectable. */
export type LinkPageIntegration = Pick<IntegrationRow, 'id' | 'orgId' | 'name' | 'offeringId' | 'inputs' | 'status' | 'verification' | 'deletingAt'>;

export interface LinkPageEntry {
  integration: LinkPageIntegration;
  offering: OfferingDefinition;
  connection: ExistingConnection | null;
}

/** The link columns the page reads: what it offers, whom it greets, and whether it is active. */
export type LinkPageLink = Pick<LinkRow, 'integrationIds' | 'endUserName' | 'disabled' | 'expiresAt' | 'maxUses' | 'uses'>;

export interface LinkPageData {
  link: LinkPageLink;
  orgName: string;
  /** The link's allowed, connectable integrations, by name. */
  entries: LinkPageEntry[];
}

/** Whether the link offers this integration: listed (or all allowed) and ready to connect. */
export function isOffered(link: Pick<LinkRow, 'integrationIds'>, integration: Pick<IntegrationRow, 'id' | 'status' | 'verification' | 'deletingAt'>): boolean {
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

const best = alias(connections, 'best');

/**
 * The link page's one statement, built once per isolate: the link by its token's hash, its
 * organization's name, and one row per integration of the organization with the custom
 * offering's definition and the connection to show joined in. That connection is the end
 * user's active one, else the one needing re-authorization, the newest first; revoked ones
 * count as none. Every table is an index search: one per integration for its connections,
 * on (integration_id, end_user_id), however many the end user has.
 */
const linkPageStatement = preparedOnce((db) => {
  const bestConnection = db
    .select({ id: best.id })
    .from(best)
    .where(and(eq(best.integrationId, integrations.id), eq(best.endUserId, links.endUserId), inArray(best.status, ['active', 'needs_reauth'])))
    .orderBy(desc(sql`${best.status} = 'active'`), desc(best.updatedAt), desc(best.id))
    .limit(1);
  return db
    .select({
      // Only what the page reads: every column more is bytes D1 sends and the Worker parses.
      link: {
        integrationIds: links.integrationIds,
        endUserName: links.endUserName,
        disabled: links.disabled,
        expiresAt: links.expiresAt,
        maxUses: links.maxUses,
        uses: links.uses,
      },
      orgName: organizations.name,
      integration: {
        id: integrations.id,
        orgId: integrations.orgId,
        name: integrations.name,
        offeringId: integrations.offeringId,
        inputs: integrations.inputs,
        status: integrations.status,
        verification: integrations.verification,
        deletingAt: integrations.deletingAt,
      },
      offering: { definition: offeringRows.definition, orgId: offeringRows.orgId },
      connection: { status: connections.status, accountEmail: connections.accountEmail, accountName: connections.accountName },
    })
    .from(links)
    .innerJoin(organizations, eq(organizations.id, links.orgId))
    .leftJoin(integrations, and(eq(integrations.orgId, links.orgId), isNull(integrations.deletingAt)))
    .leftJoin(offeringRows, eq(offeringRows.id, integrations.offeringId))
    .leftJoin(connections, eq(connections.id, bestConnection))
    .where(eq(links.tokenHash, sql.placeholder('tokenHash')))
    .orderBy(asc(integrations.name), asc(integrations.id))
    .prepare();
});

type LinkPageRow = Awaited<ReturnType<ReturnType<typeof linkPageStatement>['all']>>[number];

const json = (value: unknown) => (value === null ? null : JSON.parse(value as string));
/** Whether values[from..to) are all null: a left join that found nothing. */
function allNull(values: unknown[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (values[i] !== null) return false;
  return true;
}

/**
 * A `.raw()` row of linkPageStatement as drizzle maps it: its columns in the select's order,
 * JSON and boolean columns decoded, a left-joined object null when all its columns are.
 * test/connect/link-page.test.ts holds it to drizzle's mapping.
 */
function readLinkPageRow(v: unknown[]): LinkPageRow {
  return {
    link: { integrationIds: json(v[0]), endUserName: v[1], disabled: v[2] === null ? null : Number(v[2]) === 1, expiresAt: v[3], maxUses: v[4], uses: v[5] },
    orgName: v[6],
    integration: allNull(v, 7, 15)
      ? null
      : { id: v[7], orgId: v[8], name: v[9], offeringId: v[10], inputs: json(v[11]), status: v[12], verification: json(v[13]), deletingAt: v[14] },
    offering: allNull(v, 15, 17) ? null : { definition: json(v[15]), orgId: v[16] },
    connection: allNull(v, 17, 20) ? null : { status: v[17], accountEmail: v[18], accountName: v[19] },
  } as LinkPageRow;
}

/**
 * Everything the link page needs, in one statement; undefined for an unknown token. With
 * `query` (the hot route's), the statement is sent through it rather than through `db`.
 */
export async function loadLinkPage(db: Db, token: string, query?: RawQuery): Promise<LinkPageData | undefined> {
  if (!LINK_TOKEN_PATTERN.test(token)) return undefined;
  const statement = linkPageStatement(db);
  const values = { tokenHash: await sha256Hex(token) };
  const rows = await (query ? runRaw(statement, query, values, readLinkPageRow) : statement.all(values));
  const first = rows[0];
  if (!first) return undefined;

  const entries: LinkPageEntry[] = [];
  for (const { integration, offering: row, connection } of rows) {
    if (!integration) continue;
    const offering = definitionOf(integration.offeringId, row, { orgId: integration.orgId });
    if (!offering || !isOffered(first.link, integration)) continue;
    entries.push({ integration, offering, connection });
  }
  return { link: first.link, orgName: first.orgName, entries };
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
    offering: integration ? definitionOf(integration.offeringId, customOfferings[0], { orgId: integration.orgId }) : undefined,
  };
}
