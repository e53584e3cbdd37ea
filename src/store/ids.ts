import { createHash } from 'node:crypto';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hindsight's incident id: `inc_` + 12 hex characters of sha256(source + ':' + sourceId). Stable across re-imports. */
export function incidentId(source: string, sourceId: string): string {
  return `inc_${sha256Hex(`${source}:${sourceId}`).slice(0, 12)}`;
}

/** Hindsight's alert id: `al_` + 16 hex characters of sha256(source + ':' + sourceId). */
export function alertId(source: string, sourceId: string): string {
  return `al_${sha256Hex(`${source}:${sourceId}`).slice(0, 16)}`;
}

/** Content hash of a normalised record's JSON text. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
