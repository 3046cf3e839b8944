import { EmailMessage } from 'cloudflare:email';

export interface EmailParts {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  date: Date;
}

/** Addresses go into headers: nothing that could end a header line or smuggle a second address. */
const PLAIN_ADDRESS = /^[^\s<>()",;:\\@]+@[A-Za-z0-9.-]+$/;

export function isPlainAddress(address: string): boolean {
  return PLAIN_ADDRESS.test(address) && address.length <= 320;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** RFC 2047 encoded-word when the subject is not plain ASCII. */
function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${toBase64(new TextEncoder().encode(value))}?=`;
}

/**
 * A minimal RFC 5322 message: plain text, UTF-8, base64 body in 76-character lines, CRLF
 * line ends. The subject is one line already (templates refuse control characters).
 */
export function buildRawEmail(parts: EmailParts): string {
  const body = toBase64(new TextEncoder().encode(parts.body.replace(/\r?\n/g, '\r\n')));
  const lines = body.match(/.{1,76}/g) ?? [];
  const headers = [
    `From: Edgelink <${parts.from}>`,
    `To: <${parts.to}>`,
    `Subject: ${encodeHeader(parts.subject.replace(/[\r\n]+/g, ' '))}`,
    `Date: ${parts.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${parts.messageId}@${parts.from.split('@')[1]}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n`;
}

export function emailMessage(from: string, to: string, raw: string): EmailMessage {
  return new EmailMessage(from, to, raw);
}
