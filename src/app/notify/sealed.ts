import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { loadOrCreateKeyring } from '../../store/audit/keyring.js';

/**
 * Secrets the admin screen stores (SMTP password, webhook URL and secret) are sealed with
 * AES-256-GCM under a key derived from the first key of the audit keyring, a file outside the
 * database: a copy of the database alone reveals none of them. The first key is used because it
 * never changes when the audit key is rotated.
 */
const PREFIX = 'sealed:v1:';

function sealingKey(keyFile: string): Buffer {
  const first = loadOrCreateKeyring(keyFile).keys[0];
  if (!first) throw new Error('the audit keyring holds no key');
  return Buffer.from(hkdfSync('sha256', first.key, Buffer.alloc(0), Buffer.from('hindsight notification secrets'), 32));
}

export function sealSecret(keyFile: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(keyFile), iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${PREFIX}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** The secret, or undefined when the value was sealed with another key (a keyring that was replaced). */
export function openSecret(keyFile: string, sealed: string): string | undefined {
  if (!sealed.startsWith(PREFIX)) return undefined;
  const [iv, tag, body] = sealed.slice(PREFIX.length).split('.');
  if (!iv || !tag || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(keyFile), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
