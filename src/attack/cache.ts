/**
 * Where Hindsight keeps ATT&CK data, and the compact index beside each bundle: the already-built
 * `KnowledgeBaseData`, v8-serialised and keyed by the bundle's path, size and mtime, so that a
 * warm start skips JSON parsing and indexing. A stale or unreadable index is rebuilt.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { DATA_FORMAT_VERSION, type KnowledgeBaseData } from './data.js';
import type { AttackDomain, UsesRelationship } from './types.js';

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

/**
 * The file's layout. The `uses` relationships (about 17,000 small objects in Enterprise ATT&CK, half
 * the cost of deserialising the whole index) are stored column-wise: the ATT&CK IDs as two string
 * arrays, the STIX types as one-byte codes into a small table. The rest of the data is stored as is,
 * under `compact` (not `data`, so that an older Hindsight finds no data it understands and rebuilds).
 */
const INDEX_LAYOUT = 2;

interface UsesColumns {
  sourceIds: string[];
  targetIds: string[];
  types: string[];
  sourceTypes: Uint8Array;
  targetTypes: Uint8Array;
}

interface IndexFile {
  key: IndexKey;
  layout: number;
  compact: KnowledgeBaseData;
  uses: UsesColumns;
}

function usesToColumns(uses: readonly UsesRelationship[]): UsesColumns {
  const types: string[] = [];
  const code = (type: string): number => {
    let i = types.indexOf(type);
    if (i < 0) i = types.push(type) - 1;
    return i;
  };
  const columns: UsesColumns = {
    sourceIds: new Array<string>(uses.length),
    targetIds: new Array<string>(uses.length),
    types,
    sourceTypes: new Uint8Array(uses.length),
    targetTypes: new Uint8Array(uses.length),
  };
  uses.forEach((u, i) => {
    columns.sourceIds[i] = u.sourceId;
    columns.targetIds[i] = u.targetId;
    columns.sourceTypes[i] = code(u.sourceType);
    columns.targetTypes[i] = code(u.targetType);
  });
  if (types.length > 255) throw new Error('too many distinct STIX types in uses relationships');
  return columns;
}

function usesColumnsValid(c: UsesColumns): boolean {
  const n = c.sourceIds.length;
  if (c.targetIds.length !== n || c.sourceTypes.length !== n || c.targetTypes.length !== n) return false;
  const types = c.types.length;
  for (let i = 0; i < n; i++) if ((c.sourceTypes[i] as number) >= types || (c.targetTypes[i] as number) >= types) return false;
  return true;
}

function usesFromColumns(c: UsesColumns): UsesRelationship[] {
  const n = c.sourceIds.length;
  const uses = new Array<UsesRelationship>(n);
  for (let i = 0; i < n; i++) {
    uses[i] = {
      sourceId: c.sourceIds[i] as string,
      sourceType: c.types[c.sourceTypes[i] as number] as UsesRelationship['sourceType'],
      targetId: c.targetIds[i] as string,
      targetType: c.types[c.targetTypes[i] as number] as UsesRelationship['targetType'],
    };
  }
  return uses;
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
    // One synchronous read: fs/promises reads a file of megabytes in 512 KB round trips through the
    // thread pool, which on a busy machine cost more than the read itself.
    bytes = readFileSync(indexPath);
  } catch {
    return undefined;
  }
  try {
    const file = deserialize(bytes) as Partial<IndexFile> | null;
    if (file?.layout !== INDEX_LAYOUT || !file.key || !file.compact || !file.uses || !sameKey(file.key, key)) return undefined;
    if (file.compact.formatVersion !== DATA_FORMAT_VERSION) return undefined;
    const columns = file.uses;
    if (!usesColumnsValid(columns)) return undefined;
    // Most commands never list the uses relationships: the objects are made on first read.
    const data = file.compact;
    let uses: UsesRelationship[] | undefined;
    Object.defineProperty(data, 'uses', {
      enumerable: true,
      configurable: true,
      get: () => (uses ??= usesFromColumns(columns)),
    });
    return data;
  } catch {
    return undefined;
  }
}

/** Writes the index atomically (temp file, then rename). */
export async function writeCompactIndex(indexPath: string, key: IndexKey, data: KnowledgeBaseData): Promise<void> {
  const file: IndexFile = { key, layout: INDEX_LAYOUT, compact: { ...data, uses: [] }, uses: usesToColumns(data.uses) };
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
