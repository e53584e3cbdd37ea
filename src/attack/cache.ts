/**
 * Where Hindsight keeps ATT&CK data, and the compact index beside each bundle: the already-built
 * `KnowledgeBaseData`, v8-serialised and keyed by the bundle's path, size and mtime, so that a
 * warm start skips JSON parsing and indexing. A stale or unreadable index is rebuilt.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { DATA_FORMAT_VERSION, type KnowledgeBaseData } from './data.js';
import type { AttackDomain } from './types.js';

/** HINDSIGHT_CACHE_DIR, else $XDG_CACHE_HOME/hindsight, else ~/.cache/hindsight. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HINDSIGHT_CACHE_DIR) return env.HINDSIGHT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'hindsight');
  return join(env.HOME || homedir(), '.cache', 'hindsight');
}

/** The cached bundle of a domain: `<cache>/attack/<domain>.json` (its bytes may be gzip). */
export function cachedBundlePath(dir: string, domain: AttackDomain): string {
  return join(dir, 'attack', `${domain}.json`);
}

/** What `hindsight attack update` recorded about a cached bundle. */
export interface CacheManifest {
  domain: AttackDomain;
  version: string;
  source: string;
  cachedAt: string;
  bytes: number;
}

export function manifestPath(bundlePath: string): string {
  return `${bundlePath}.manifest.json`;
}

export async function readManifest(bundlePath: string): Promise<CacheManifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(bundlePath), 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
}

/** The compact index of a cached bundle sits beside it; that of any other file under `<cache>/attack/indexes/`. */
export function indexPathFor(dir: string, bundlePath: string, cached: boolean): string {
  if (cached) return `${bundlePath}.index.v8`;
  const digest = createHash('sha256').update(bundlePath).digest('hex').slice(0, 32);
  return join(dir, 'attack', 'indexes', `${digest}.v8`);
}

interface IndexKey {
  formatVersion: number;
  path: string;
  size: number;
  mtimeMs: number;
}

interface IndexFile {
  key: IndexKey;
  data: KnowledgeBaseData;
}

export async function bundleKey(bundlePath: string): Promise<IndexKey> {
  const s = await stat(bundlePath);
  return { formatVersion: DATA_FORMAT_VERSION, path: bundlePath, size: s.size, mtimeMs: s.mtimeMs };
}

const sameKey = (a: IndexKey, b: IndexKey): boolean =>
  a.formatVersion === b.formatVersion && a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs;

/** The index's data when it exists, reads, and matches `key`; otherwise undefined. */
export async function readCompactIndex(indexPath: string, key: IndexKey): Promise<KnowledgeBaseData | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(indexPath);
  } catch {
    return undefined;
  }
  try {
    const file = deserialize(bytes) as Partial<IndexFile> | null;
    if (!file?.key || !file.data || !sameKey(file.key, key) || file.data.formatVersion !== DATA_FORMAT_VERSION) return undefined;
    return file.data;
  } catch {
    return undefined;
  }
}

/** Writes the index atomically (temp file, then rename). */
export async function writeCompactIndex(indexPath: string, key: IndexKey, data: KnowledgeBaseData): Promise<void> {
  const file: IndexFile = { key, data };
  await writeFileAtomic(indexPath, serialize(file));
}

/** Writes a file by writing a temp file beside it and renaming it into place. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
