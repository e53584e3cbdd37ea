import { createHmac } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { RenderedMail } from './render.js';

/** Sends one e-mail; rejects with a message fit for logs (never a credential). */
export type MailSender = (to: string, mail: RenderedMail) => Promise<void>;
/** Posts one webhook body; rejects with a message fit for logs (never the URL, which may be secret). */
export type WebhookSender = (body: string, headers: Record<string, string>) => Promise<void>;

const SMTP_TIMEOUT_MS = 15_000;
const WEBHOOK_TIMEOUT_MS = 10_000;

/** An error's message with the secrets it could quote removed, on one short line. */
export function safeError(error: unknown, secrets: readonly (string | null | undefined)[]): string {
  let message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  if (cause && message === 'fetch failed') message = `${message}: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`;
  for (const secret of secrets) if (secret && secret.length >= 4) message = message.split(secret).join('[redacted]');
  message = message.replace(/\/\/[^/\s@]*:[^/\s@]*@/g, '//[redacted]@').replace(/\s+/g, ' ').trim();
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}

/** E-mail through the SMTP server at `smtpUrl` (smtp:// or smtps://, credentials in the URL). */
export function smtpSender(smtpUrl: string, from: string): MailSender & { close: () => void } {
  const url = new URL(smtpUrl);
  const password = decodeURIComponent(url.password);
  // A relay on this machine (a local Postfix, a test server) usually offers STARTTLS with a
  // self-signed certificate; the traffic never leaves the host, so its certificate is not checked
  // unless the URL says otherwise (`?tls.rejectUnauthorized=true`). Any other host is verified.
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(url.hostname);
  const explicitTls = [...url.searchParams.keys()].some((k) => k === 'tls.rejectUnauthorized');
  const transport = createTransport({
    url: smtpUrl,
    ...(loopback && !explicitTls ? { tls: { rejectUnauthorized: false } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // One pass sends many messages: pooled connections cost ~8 ms a message on loopback against
    // ~110 ms for a connection each (bench/notify.mjs). The pass closes the pool when it ends.
    pool: true,
    maxConnections: 2,
    maxMessages: 100,
  });
  const send = async (to: string, mail: RenderedMail) => {
    try {
      await transport.sendMail({ from, to, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'Auto-Submitted': 'auto-generated' } });
    } catch (error) {
      throw new Error(safeError(error, [password, url.password]));
    }
  };
  return Object.assign(send, { close: () => transport.close() });
}

/** `sha256=<hex>` of HMAC-SHA256 over the exact body bytes with the shared secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

/** Posts to the webhook URL; any answer but 2xx is a failure (retried by the caller). */
export function httpWebhookSender(webhookUrl: string): WebhookSender {
  const url = new URL(webhookUrl);
  return async (body, headers) => {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': 'Hindsight-Notifications/1', ...headers }, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), redirect: 'error' });
    } catch (error) {
      throw new Error(`webhook ${url.host}: ${safeError(error, [url.pathname, url.search, url.password])}`);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook ${url.host} answered HTTP ${response.status}`);
  };
}
