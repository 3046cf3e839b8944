import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { integrations } from '../integrations/schema';
import type { IntegrationRow } from '../integrations/service';
import { links } from '../links/schema';
import type { LinkRow } from '../links/service';
import type { OfferingDefinition } from '../offerings/definition';
import { offeringRows } from '../offerings/schema';
import { fromParts } from '../offerings/service';

/** Where a flow ends: its link, its integration and that integration's offering, each possibly gone. */
export interface FlowTarget {
  link: LinkRow | undefined;
  integration: IntegrationRow | undefined;
  offering: OfferingDefinition | undefined;
}

/**
 * The three reads as statements for one batch (they cannot see each other's results, so the
 * offering is found through the integration in SQL). Catalog offerings live in code.
 */
export function flowTargetQueries(db: Db, orgId: string, linkId: string, integrationId: string) {
  const ownIntegration = and(eq(integrations.id, integrationId), eq(integrations.orgId, orgId));
  return [
    db
      .select()
      .from(links)
      .where(and(eq(links.id, linkId), eq(links.orgId, orgId)))
      .limit(1),
    db.select().from(integrations).where(ownIntegration).limit(1),
    db
      .select()
      .from(offeringRows)
      .where(inArray(offeringRows.id, db.select({ id: integrations.offeringId }).from(integrations).where(ownIntegration))),
  ] as const;
}

export function readFlowTarget(linkRows: LinkRow[], integrationRows: IntegrationRow[], customOfferings: (typeof offeringRows.$inferSelect)[]): FlowTarget {
  const integration = integrationRows[0];
  const offering = integration ? fromParts(integration.offeringId, customOfferings[0], { orgId: integration.orgId })?.definition : undefined;
  return { link: linkRows[0], integration, offering };
}

/** The flow's target in one round trip. */
export async function loadFlowTarget(db: Db, orgId: string, linkId: string, integrationId: string): Promise<FlowTarget> {
  const [linkRows, integrationRows, customOfferings] = await db.batch(flowTargetQueries(db, orgId, linkId, integrationId));
  return readFlowTarget(linkRows, integrationRows, customOfferings);
}
