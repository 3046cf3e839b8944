import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { requestDeps } from '../lib/deps';
import type { NotifyDeps } from './outbox';
import { notificationTransport } from './transport';

/** The request's dependencies plus the configured notification transport (or none). */
export async function notifyDeps(c: Context<AppEnv, any, any>): Promise<NotifyDeps> {
  const { db, waitUntil } = await requestDeps(c);
  return { db, waitUntil, transport: notificationTransport(c.env) };
}
