import { env } from 'cloudflare:test';
import { vi } from 'vitest';
import { call } from '../helpers/api';

export const NOTIFY_URL = 'https://notify.example.com/edgelink';
export const NOTIFY_TOKEN = 'notify-token-0123456789abcdef';

type Env = Record<string, unknown>;
const bindings = env as unknown as Env;

/**
 * Sets optional bindings (NOTIFY_URL, NOTIFY_TOKEN, EMAIL, NOTIFY_FROM) for this test; the
 * Worker reads the same env object. Returns the function that takes them away again.
 */
export function configure(values: Env): () => void {
  const before = Object.fromEntries(Object.keys(values).map((k) => [k, bindings[k]]));
  Object.assign(bindings, values);
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete bindings[k];
      else bindings[k] = v;
    }
  };
}

export interface NotificationJson {
  id: string;
  kind: string;
  recipients: string[];
  locale: string;
  subject: string;
  body: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export async function notificationsOf(apiKey: string, query = ''): Promise<NotificationJson[]> {
  const res = await call(`/api/v1/notifications${query}`, { token: apiKey });
  if (res.status !== 200) throw new Error(`listing notifications failed: ${res.status} ${res.text}`);
  return res.json.data;
}

/** Delivery runs after the response (waitUntil): wait until the newest notification settles. */
export async function settledNotification(apiKey: string): Promise<NotificationJson> {
  return vi.waitFor(
    async () => {
      const [latest] = await notificationsOf(apiKey);
      if (!latest || latest.status === 'pending') throw new Error('still pending');
      return latest;
    },
    { timeout: 5000, interval: 20 },
  );
}

export async function putTemplate(apiKey: string, body: unknown) {
  return call('/api/v1/notification_templates', { method: 'PUT', token: apiKey, body });
}
