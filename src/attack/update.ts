/**
 * `hindsight attack update`: downloads a bundle from MITRE's attack-stix-data repository (or takes
 * one from `--from PATH|URL`), checks that it loads fully, then replaces the cached copy
 * atomically and writes its compact index.
 */
import { rm, stat } from 'node:fs/promises';
import { InputError, UsageError } from '../model/errors.js';
import { buildKnowledgeBaseData, versionFromName } from './build.js';
import { bundleKey, cacheDir, cachedBundlePath, indexPathFor, manifestPath, writeCompactIndex, writeFileAtomic, type CacheManifest } from './cache.js';
import { AttackKnowledgeBase } from './knowledge-base.js';
import { decodeBundleText, isUrl, parseJsonText, readSourceBytes } from './read-bundle.js';
import type { AttackDomain, KnowledgeBaseCounts } from './types.js';

/** MITRE's published STIX 2.1 collections; HINDSIGHT_ATTACK_BASE_URL overrides it (mirrors, tests). */
export const DEFAULT_ATTACK_BASE_URL = 'https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master';

export interface UpdateOptions {
  /** `enterprise`, `mobile` or `ics` (or the full `enterprise-attack`). Default enterprise. */
  domain?: string;
  /** An ATT&CK release such as `18.1`; default the latest. */
  version?: string;
  /** Install this path or URL instead of downloading from MITRE. */
  from?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (msg: string) => void;
}

export interface UpdateResult {
  domain: AttackDomain;
  version: string;
  source: string;
  path: string;
  bytes: number;
  counts: KnowledgeBaseCounts;
}

export function parseDomain(value: string): AttackDomain {
  const v = value.trim().toLowerCase();
  for (const d of ['enterprise', 'mobile', 'ics'] as const) if (v === d || v === `${d}-attack`) return `${d}-attack`;
  throw new UsageError(`unknown ATT&CK domain "${value}": expected enterprise, mobile or ics`);
}

/** The raw URL of a domain's bundle in attack-stix-data: `<base>/<domain>/<domain>[-X.Y].json`. */
export function attackDataUrl(domain: AttackDomain, version: string | undefined, baseUrl = DEFAULT_ATTACK_BASE_URL): string {
  if (version !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(version)) throw new UsageError(`invalid ATT&CK version "${version}": expected a release such as 18.1`);
  return `${baseUrl.replace(/\/+$/, '')}/${domain}/${domain}${version ? `-${version}` : ''}.json`;
}

export async function updateAttackCache(options: UpdateOptions): Promise<UpdateResult> {
  const env = options.env ?? process.env;
  const requested = options.domain ? parseDomain(options.domain) : undefined;
  const source = options.from ?? attackDataUrl(requested ?? 'enterprise-attack', options.version, env.HINDSIGHT_ATTACK_BASE_URL || DEFAULT_ATTACK_BASE_URL);
  options.onProgress?.(`${isUrl(source) ? 'Downloading' : 'Reading'} ${source}`);
  const bytes = await readSourceBytes(source);
  const text = decodeBundleText(bytes, source);
  const data = buildKnowledgeBaseData(parseJsonText(text, source), { source, versionHint: options.version ?? versionFromName(source) });
  if (data.techniques.length === 0) throw new InputError('the bundle holds no ATT&CK techniques', { file: source, path: '$.objects' });
  if (requested && data.meta.domain !== requested) {
    throw new InputError(`the bundle is ${data.meta.domain}, not ${requested}`, { file: source });
  }
  const kb = new AttackKnowledgeBase(data);

  const dir = cacheDir(env);
  const path = cachedBundlePath(dir, data.meta.domain);
  const indexPath = indexPathFor(dir, path, true);
  // Drop the old index first: if anything below fails, the next load rebuilds it from the bundle.
  await rm(indexPath, { force: true });
  await writeFileAtomic(path, bytes);
  const manifest: CacheManifest = { domain: data.meta.domain, version: data.meta.version, source, cachedAt: new Date().toISOString(), bytes: bytes.length };
  await writeFileAtomic(manifestPath(path), `${JSON.stringify(manifest, null, 2)}\n`);
  const key = await bundleKey(path);
  await writeCompactIndex(indexPath, key, { ...data, meta: { ...data.meta, source: path } });
  const size = (await stat(path)).size;
  return { domain: data.meta.domain, version: data.meta.version, source, path, bytes: size, counts: kb.counts() };
}
