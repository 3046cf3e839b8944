import type { AppDeps } from '../deps';
import { and, eq } from 'drizzle-orm';
import { decryptClientSecret } from '../integrations/service';
import { integrations } from '../integrations/schema';
import type { OfferingDefinition } from '../offerings/definition';
import { findOffering } from '../offerings/service';
import type { OfferingContext } from '../provider/resolve-urls';
import type { ClientCredentials } from '../provider/token-request';
import type { ConnectionRow } from './schema';

/** What a call to the provider on behalf of a connection needs: its client and its URLs. */
export interface ProviderContext {
  integration: typeof integrations.$inferSelect;
  offering: OfferingDefinition;
  /** Null when the integration lacks a client id or secret. */
  client: ClientCredentials | null;
  /** The integration's inputs overlaid with the end user's (Salesforce My Domain): same host as at connect time. */
  urls: OfferingContext;
}

/** Two reads: the integration, then its offering (catalog or custom). Null if either is gone. */
export async function loadProviderContext(deps: Pick<AppDeps, 'db' | 'keyring' | 'publicUrl'>, row: ConnectionRow): Promise<ProviderContext | null> {
  const integration = await deps.db.query.integrations.findFirst({
    where: and(eq(integrations.id, row.integrationId), eq(integrations.orgId, row.orgId)),
  });
  if (!integration) return null;
  const offering = await findOffering(deps.db, integration.offeringId, { orgId: integration.orgId });
  if (!offering) return null;
  const secret = await decryptClientSecret(deps.keyring, integration);
  return {
    integration,
    offering: offering.definition,
    client: integration.clientId && secret ? { clientId: integration.clientId, clientSecret: secret } : null,
    urls: { inputs: { ...integration.inputs, ...row.inputs }, publicUrl: deps.publicUrl },
  };
}
