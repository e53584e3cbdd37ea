/**
 * The audit trail's MAC keys, kept in a file outside the database: someone who can change the
 * database but cannot read this file cannot forge an entry. The file holds every key used so far
 * (the last one signs new entries), so entries sealed before a rotation still verify.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../model/errors.js';

export interface AuditKey {
  /** Named in every entry the key seals (not secret: a digest of the key). */
  id: string;
  key: Buffer;
  /** ISO time the key was made. */
  created: string;
}

export interface AuditKeyring {
  file: string;
  /** Oldest first; the last one signs new entries. */
  keys: AuditKey[];
}

interface KeyFileShape {
  hindsightAuditKeys: 1;
  keys: { id: string; key: string; created: string }[];
}

/** HINDSIGHT_AUDIT_KEY_FILE, else $XDG_CONFIG_HOME/hindsight/audit.key, else ~/.config/hindsight/audit.key. */
export function auditKeyFileOf(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.HINDSIGHT_AUDIT_KEY_FILE?.trim();
  if (explicit) return resolve(explicit);
  const config = env.XDG_CONFIG_HOME?.trim() || join(env.HOME || homedir(), '.config');
  return join(config, 'hindsight', 'audit.key');
}

export function currentKey(keyring: AuditKeyring): AuditKey {
  const key = keyring.keys[keyring.keys.length - 1];
  if (!key) throw new UsageError(`the audit key file ${keyring.file} holds no key`);
  return key;
}

export function keyById(keyring: AuditKeyring | undefined, id: string): AuditKey | undefined {
  return keyring?.keys.find((k) => k.id === id);
}

/** A new random 256-bit key. */
export function newKey(): AuditKey {
  const key = randomBytes(32);
  return { id: `k${createHash('sha256').update(key).digest('hex').slice(0, 15)}`, key, created: new Date().toISOString() };
}

/** Reads the key file; undefined when there is none. A file others can read, or a damaged one, is refused. */
export function readKeyring(file: string): AuditKeyring | undefined {
  if (!existsSync(file)) return undefined;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new UsageError(`the audit key file ${file} can be read by others (mode ${mode.toString(8)}); make it owner-only: chmod 600 ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`the audit key file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const shape = parsed as Partial<KeyFileShape>;
  if (shape.hindsightAuditKeys !== 1 || !Array.isArray(shape.keys)) throw new UsageError(`${file} is not a Hindsight audit key file`);
  const keys = shape.keys.map((k, i) => {
    if (typeof k?.id !== 'string' || typeof k.key !== 'string' || typeof k.created !== 'string') throw new UsageError(`${file}: keys[${i}] is not a key`);
    const key = Buffer.from(k.key, 'base64');
    if (key.length < 32) throw new UsageError(`${file}: keys[${i}] is shorter than 32 bytes`);
    return { id: k.id, key, created: k.created };
  });
  return { file, keys };
}

/** Writes the keyring to a new owner-only file beside `file` and returns its path. */
function writeTemp(keyring: AuditKeyring): string {
  mkdirSync(dirname(keyring.file), { recursive: true, mode: 0o700 });
  const temp = `${keyring.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const body: KeyFileShape = { hindsightAuditKeys: 1, keys: keyring.keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created: k.created })) };
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  return temp;
}

/**
 * The keyring, created with one new key at first use. Two processes creating it at once: the file
 * is linked into place, so one wins and the other reads the winner's key.
 */
export function loadOrCreateKeyring(file: string): AuditKeyring {
  const existing = readKeyring(file);
  if (existing) return existing;
  const temp = writeTemp({ file, keys: [newKey()] });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw new UsageError(`cannot create the audit key file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    unlinkSync(temp);
  }
  const created = readKeyring(file);
  if (!created) throw new UsageError(`cannot create the audit key file ${file}`);
  return created;
}

/** The keyring with a new current key added (written in place atomically); the old keys stay. */
export function rotateKeyring(keyring: AuditKeyring, next: AuditKey = newKey()): { keyring: AuditKeyring; next: AuditKey } {
  const rotated = { file: keyring.file, keys: [...keyring.keys, next] };
  renameSync(writeTemp(rotated), keyring.file);
  return { keyring: rotated, next };
}
