import { integrationConnections } from './connections/cascade';
import { dbFor, type Db } from './db/client';
import type { CloudflareBindings } from './env';
import type { IntegrationConnections } from './integrations/delete';
import { countIntegrationsOfOffering } from './integrations/service';
import { parseKeyring, type Keyring } from './lib/crypto';
import { notificationTransport, type Transport } from './notifications/transport';

/**
 * Everything a service may need from the outside world, built in one place: once per request
 * (on `c.var.deps`) and once per cron run. Services take `Pick<AppDeps, …>` of what they use,
 * so tests and cron hand them plain values, never Hono's context.
 */
export interface AppDeps {
  db: Db;
  kv: KVNamespace;
  keyring: Keyring;
  /** Public origin of this deployment (PUBLIC_URL), e.g. for callback and link URLs. */
  publicUrl: string;
  /** ExecutionContext.waitUntil: work (webhook and email delivery) that runs after the response. */
  waitUntil: (promise: Promise<unknown>) => void;
  /** The configured notification transport; null keeps notifications readable in the outbox only. */
  transport: Transport | null;
  dependents: Dependents;
}

/**
 * Questions a feature asks about rows of the features built on it (before deleting what they
 * hang on). The feature that owns those rows answers, so imports keep pointing down the layers.
 */
export interface Dependents {
  /** integrations/ asks, connections/ answers. */
  connectionsOfIntegration: IntegrationConnections;
  /** offerings/ asks (a custom offering in use cannot be deleted), integrations/ answers. */
  integrationsOfOffering: (db: Db, offeringId: string) => Promise<number>;
}

/** CASCADE_CHUNK_SIZE is for tests, which need several chunks without hundreds of rows. */
const dependentsFor = (env: Pick<CloudflareBindings, 'CASCADE_CHUNK_SIZE'>): Dependents => ({
  connectionsOfIntegration: integrationConnections(env.CASCADE_CHUNK_SIZE ? Number(env.CASCADE_CHUNK_SIZE) || undefined : undefined),
  integrationsOfOffering: countIntegrationsOfOffering,
});

/** The keyring is parsed (and its keys imported) once per isolate; see parseKeyring. */
export async function buildDeps(env: CloudflareBindings, waitUntil: AppDeps['waitUntil']): Promise<AppDeps> {
  return {
    db: dbFor(env.DB),
    kv: env.KV,
    keyring: await parseKeyring(env.ENCRYPTION_KEYS),
    publicUrl: env.PUBLIC_URL,
    waitUntil,
    transport: notificationTransport(env),
    dependents: dependentsFor(env),
  };
}
