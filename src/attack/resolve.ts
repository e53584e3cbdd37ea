/**
 * Which ATT&CK data a command uses: `--attack PATH|URL`, else HINDSIGHT_ATTACK_DATA, else the
 * cached bundle (`hindsight attack update`). Local files get a compact index in the cache so that
 * later starts skip parsing and indexing.
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { UsageError } from '../model/errors.js';
import { bundleKey, cacheDir, cachedBundlePath, indexPathFor, readCompactIndex, readManifest, writeCompactIndex } from './cache.js';
import type { KnowledgeBaseData } from './data.js';
import { AttackKnowledgeBase } from './knowledge-base.js';
import type { AttackDomain, KnowledgeBase } from './types.js';

export interface LoadKnowledgeBaseOptions {
  /** A bundle path or http(s) URL (the `--attack` option). */
  attack?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (msg: string) => void;
}

const DOMAINS: readonly AttackDomain[] = ['enterprise-attack', 'mobile-attack', 'ics-attack'];

/** Parses and indexes a bundle's bytes from a path or URL, without any cache. */
export async function loadKnowledgeBaseData(source: string, versionHint?: string): Promise<KnowledgeBaseData> {
  // Parsing and indexing a bundle is only needed when no compact index serves: loaded on demand.
  const [{ buildKnowledgeBaseData }, { decodeBundleText, parseJsonText, readSourceBytes }] = await Promise.all([import('./build.js'), import('./read-bundle.js')]);
  const bytes = await readSourceBytes(source);
  const text = decodeBundleText(bytes, source);
  return buildKnowledgeBaseData(parseJsonText(text, source), { source, versionHint });
}

/** Loads a bundle from a path or URL, without any cache. */
export async function loadBundle(source: string): Promise<AttackKnowledgeBase> {
  return new AttackKnowledgeBase(await loadKnowledgeBaseData(source));
}

/**
 * Loads a local bundle through its compact index: reuses the index when it matches the file's
 * path, size and mtime, otherwise parses the bundle and rewrites the index (failures to write it
 * are reported and otherwise ignored).
 */
export async function loadIndexedFile(
  bundlePath: string,
  options: { indexPath: string; versionHint?: string; onProgress?: (msg: string) => void },
): Promise<AttackKnowledgeBase> {
  const key = await bundleKey(bundlePath).catch(() => undefined);
  if (key) {
    const cached = await readCompactIndex(options.indexPath, key);
    if (cached) return new AttackKnowledgeBase(cached);
  }
  const data = await loadKnowledgeBaseData(bundlePath, options.versionHint);
  if (key) {
    try {
      await writeCompactIndex(options.indexPath, key, data);
    } catch (error) {
      options.onProgress?.(`warning: could not write the ATT&CK index ${options.indexPath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return new AttackKnowledgeBase(data);
}

/** The knowledge base the options and environment name. */
export async function loadKnowledgeBase(options: LoadKnowledgeBaseOptions): Promise<KnowledgeBase> {
  const env = options.env ?? process.env;
  const source = options.attack || env.HINDSIGHT_ATTACK_DATA;
  const dir = cacheDir(env);
  if (source) {
    const { isUrl } = await import('./read-bundle.js');
    if (isUrl(source)) {
      options.onProgress?.(`Fetching ATT&CK data from ${source}`);
      return loadBundle(source);
    }
    const path = resolvePath(source);
    return loadIndexedFile(path, { indexPath: indexPathFor(dir, path, false), onProgress: options.onProgress });
  }
  const bundlePath = findCachedBundle(dir, env);
  if (!bundlePath) {
    throw new UsageError(
      `no ATT&CK data: run \`hindsight attack update\` to download it into ${dir}, or pass --attack PATH|URL, or set HINDSIGHT_ATTACK_DATA`,
    );
  }
  const manifest = await readManifest(bundlePath);
  return loadIndexedFile(bundlePath, { indexPath: indexPathFor(dir, bundlePath, true), versionHint: manifest?.version, onProgress: options.onProgress });
}

/** The cached bundle to use: HINDSIGHT_ATTACK_DOMAIN's, else Enterprise, else any cached domain. */
export function findCachedBundle(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const wanted = DOMAINS.find((d) => d === env.HINDSIGHT_ATTACK_DOMAIN || `${d.replace(/-attack$/, '')}` === env.HINDSIGHT_ATTACK_DOMAIN);
  const order = wanted ? [wanted] : DOMAINS;
  for (const domain of order) {
    const path = cachedBundlePath(dir, domain);
    if (existsSync(path)) return path;
  }
  return undefined;
}
