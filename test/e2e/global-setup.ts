import { createTestHarness } from 'wrangler';
import type { TestProject } from 'vitest/node';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS } from '../helpers/secrets';
import { startOidcPeer, type PeerClient } from './peers/oidc-provider';

declare module 'vitest' {
  export interface ProvidedContext {
    workerUrl: string;
    oidcIssuer: string;
    oidcClient: PeerClient;
  }
}

/**
 * Starts the Worker locally (workerd through wrangler's test harness, fresh in-memory storage)
 * and the real peers it talks to, for tests that run in Node: browsers, OAuth peers, the
 * OpenAPI linter. Everything stops when the run ends.
 */
export default async function setup(project: TestProject) {
  process.env.WRANGLER_SEND_METRICS = 'false';
  const worker = (publicUrl: string) => ({
    configPath: './wrangler.toml',
    vars: { PUBLIC_URL: publicUrl },
    secrets: { ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
  });
  const server = createTestHarness({ workers: [worker('http://127.0.0.1')] });
  const { url } = await server.listen();
  const origin = url.origin;
  // The Worker must know the address it is reached at: links and callbacks are built from it.
  await server.update({ workers: [worker(origin)] });
  await server.getWorker().applyD1Migrations('DB');

  const peer = await startOidcPeer({ redirectUris: [`${origin}/api/v1/oauth/callback`] });

  project.provide('workerUrl', origin);
  project.provide('oidcIssuer', peer.issuer);
  project.provide('oidcClient', peer.client);
  return async () => {
    await peer.close();
    await server.close();
  };
}
