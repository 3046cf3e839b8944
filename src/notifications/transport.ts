import { describeFailure, fetchOutbound } from '../lib/http';
import { checkOutboundUrl, outboundPolicy } from '../lib/outbound-url';
import { buildRawEmail, emailMessage, isPlainAddress } from './email';

/**
 * Optional configuration of notification delivery (see wrangler.toml): a `send_email`
 * binding, or an HTTPS endpoint with a bearer secret. With neither, notifications stay stored.
 */
export interface NotificationBindings {
  /** `[[send_email]] name = "EMAIL"`: Cloudflare Email Routing sends to verified addresses. */
  EMAIL?: SendEmail;
  /** Sender address for EMAIL; defaults to notifications@ the PUBLIC_URL host. */
  NOTIFY_FROM?: string;
  /** HTTPS endpoint that receives `POST {id, kind, to, subject, body}` as JSON. */
  NOTIFY_URL?: string;
  /** Bearer secret for NOTIFY_URL (`wrangler secret put NOTIFY_TOKEN`). */
  NOTIFY_TOKEN?: string;
  PUBLIC_URL: string;
}

export interface OutgoingNotification {
  id: string;
  kind: string;
  to: string[];
  subject: string;
  body: string;
}

/** Failures carry a message fit for `last_error`: never a secret, a URL's query or a reply body. */
export type SendResult = { ok: true } | { ok: false; error: string };

export interface Transport {
  name: 'email' | 'https';
  send(notification: OutgoingNotification): Promise<SendResult>;
}

const failed = (error: string): SendResult => ({ ok: false, error });

function emailTransport(binding: SendEmail, from: string): Transport {
  return {
    name: 'email',
    async send(n) {
      if (!isPlainAddress(from)) return failed('NOTIFY_FROM is not a plain email address.');
      const errors: string[] = [];
      // One message per recipient: the binding takes one envelope recipient at a time.
      for (const [i, to] of n.to.entries()) {
        if (!isPlainAddress(to)) {
          errors.push(`recipient ${i + 1} is not a plain email address`);
          continue;
        }
        const raw = buildRawEmail({ messageId: `${n.id}.${i}`, from, to, subject: n.subject, body: n.body, date: new Date() });
        try {
          await binding.send(emailMessage(from, to, raw));
        } catch (err) {
          // The binding's messages name the refused address at most.
          errors.push(`sending to recipient ${i + 1} failed (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'})`);
        }
      }
      return errors.length === 0 ? { ok: true } : failed(`Email: ${errors.join('; ')}.`);
    },
  };
}

function httpsTransport(url: string, token: string | undefined): Transport {
  return {
    name: 'https',
    async send(n) {
      if (!token) return failed('NOTIFY_TOKEN is not set.');
      const result = await fetchOutbound(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': n.id },
        body: JSON.stringify({ id: n.id, kind: n.kind, to: n.to, subject: n.subject, body: n.body }),
      });
      if (!result.ok) return failed(describeFailure(result.failure, 'The notification endpoint'));
      if (result.status < 200 || result.status > 299) return failed(`The notification endpoint answered HTTP ${result.status}.`);
      return { ok: true };
    },
  };
}

function isSendEmail(value: unknown): value is SendEmail {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function';
}

let refusedNotifyUrl: string | undefined;

/**
 * The configured transport, the email binding first; null when none is configured or when
 * NOTIFY_URL fails the outbound-URL policy.
 */
export function notificationTransport(env: NotificationBindings): Transport | null {
  if (isSendEmail(env.EMAIL)) {
    const host = URL.canParse(env.PUBLIC_URL) ? new URL(env.PUBLIC_URL).hostname : 'localhost';
    return emailTransport(env.EMAIL, env.NOTIFY_FROM || `notifications@${host}`);
  }
  if (typeof env.NOTIFY_URL === 'string' && env.NOTIFY_URL !== '') {
    const checked = checkOutboundUrl(env.NOTIFY_URL, outboundPolicy(env.PUBLIC_URL));
    if (checked.ok) return httpsTransport(env.NOTIFY_URL, env.NOTIFY_TOKEN);
    // Once per isolate, not per request; named, never quoted: its query may hold the receiver's secret.
    if (refusedNotifyUrl !== env.NOTIFY_URL) {
      refusedNotifyUrl = env.NOTIFY_URL;
      console.error(JSON.stringify({ level: 'error', msg: 'NOTIFY_URL refused; notifications stay in the outbox', reason: `NOTIFY_URL ${checked.message}` }));
    }
  }
  return null;
}
