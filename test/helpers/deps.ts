import { env } from 'cloudflare:test';
import { buildDeps, type AppDeps } from '../../src/deps';

/**
 * The app's dependencies over the test's own bindings, for service functions the API does not
 * expose (cron, the connect flow). Background work handed to waitUntil is kept in `pending`,
 * so a test can await it.
 */
export async function testDeps(): Promise<AppDeps & { pending: Promise<unknown>[] }> {
  const pending: Promise<unknown>[] = [];
  const deps = await buildDeps(env, (promise) => void pending.push(promise));
  return { ...deps, pending };
}
