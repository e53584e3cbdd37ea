import { loadKnowledgeBase } from '../attack/resolve.js';
import type { KnowledgeBase } from '../attack/types.js';
import { UsageError } from '../model/errors.js';

export interface KnowledgeBaseRequest {
  /** A bundle path or URL (--attack); else HINDSIGHT_ATTACK_DATA, else the cache. */
  attack?: string;
  env: NodeJS.ProcessEnv;
  onProgress?: (message: string) => void;
}

/** The ATT&CK knowledge base the options, the environment or the cache name. */
export function openKnowledgeBase(request: KnowledgeBaseRequest): Promise<KnowledgeBase> {
  return loadKnowledgeBase({ attack: request.attack, env: request.env, onProgress: request.onProgress });
}

/**
 * The knowledge base, downloading the latest Enterprise bundle into the cache first when none is
 * configured or cached yet: what a new user running `demo` or `serve` would do next anyway. A
 * bundle the user named is never replaced by a download.
 */
export async function openKnowledgeBaseOrDownload(request: KnowledgeBaseRequest): Promise<KnowledgeBase> {
  const configured = Boolean(request.attack || request.env.HINDSIGHT_ATTACK_DATA);
  try {
    return await openKnowledgeBase(request);
  } catch (error) {
    if (configured || !(error instanceof UsageError) || !/^no ATT&CK data/.test(error.message)) throw error;
  }
  request.onProgress?.('No ATT&CK data cached yet: downloading the latest ATT&CK Enterprise bundle from MITRE (hindsight attack update)...');
  // The downloader is loaded only when a download is needed.
  const { updateAttackCache } = await import('../attack/update.js');
  try {
    await updateAttackCache({ env: request.env, ...(request.onProgress ? { onProgress: request.onProgress } : {}) });
  } catch (error) {
    throw new UsageError(
      `could not download ATT&CK data (${error instanceof Error ? error.message : String(error)}); pass a bundle you have with --attack PATH (or set HINDSIGHT_ATTACK_DATA), or run \`hindsight attack update --from PATH|URL\``,
    );
  }
  return openKnowledgeBase(request);
}
