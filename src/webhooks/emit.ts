import type { Db } from '../db/client';
import type { Keyring } from '../lib/crypto';
import type { EventType } from './schema';

export interface EmitDeps {
  db: Db;
  keyring: Keyring;
  /** ExecutionContext.waitUntil: delivery runs after the response is sent. */
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Records an event for the organization and delivers it to its webhook endpoint in the
 * background. Payloads describe what happened and never carry credentials.
 * CONTRACT STUB: the webhooks feature replaces the body; the signature stays.
 */
export async function emitEvent(_deps: EmitDeps, _orgId: string, _type: EventType, _data: Record<string, unknown>): Promise<void> {}
