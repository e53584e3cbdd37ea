/** The ATT&CK knowledge base: load a STIX bundle, index it once, answer lookups fast. */
export type * from './types.js';
export type { KnowledgeBaseData, RevokedEntry } from './data.js';
export { AttackKnowledgeBase } from './knowledge-base.js';
export { buildKnowledgeBaseData, versionFromName } from './build.js';
export { loadKnowledgeBase, loadBundle, loadKnowledgeBaseData, loadIndexedFile, findCachedBundle } from './resolve.js';
export { updateAttackCache, attackDataUrl, parseDomain, DEFAULT_ATTACK_BASE_URL } from './update.js';
export { cacheDir, cachedBundlePath } from './cache.js';
export { tacticKey, mapForeignTactic, TACTIC_SPLITS } from './tactic-names.js';
