import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Sessions and tokens are stored by this digest only: a copy of the database signs nobody in. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `bytes` random bytes, base64url: cookies, CSRF tokens and API tokens. */
export function randomSecret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A new id with a kind prefix, e.g. `usr_0123456789abcdef`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}
