import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/canonical-json.js';
import { InputError } from '../model/errors.js';
import { attackIdsOf, type CacaoPlaybook } from './cacao.js';
import type { LibraryPlaybookRef } from './generate.js';
import { validateCacaoPlaybook, type CacaoValidationError } from './validate.js';

/**
 * The team's playbook library, the pure side (the rows are store/playbooks/library.ts, the use
 * cases app/playbooks.ts): CACAO 2.0 playbooks, versioned, linked to ATT&CK techniques.
 *
 * - A playbook is keyed by its CACAO `id`. Saving a document whose content (ignoring `modified`)
 *   and technique links equal the current version's creates nothing; any other change creates the
 *   next version. Every version is kept whole, with who made it, why, and when.
 * - Technique links: given explicitly, else the ATT&CK technique IDs (`T1234`, `T1234.001`) in the
 *   playbook's and its steps' external references (name "mitre-attack"). The links of the current
 *   version are the ones a lookup by technique searches.
 * - A proposed change is how a review changes a procedure: the new version records the incident
 *   (and optionally the review finding) that drove it.
 *
 * Every document is validated with `validateCacaoPlaybook` before anything is written; an invalid
 * one is refused whole (InputError naming the JSON path of every error).
 */

export interface LibraryPlaybookVersion {
  playbookId: string;
  version: number;
  name: string;
  playbook: CacaoPlaybook;
  techniques: string[];
  reason: string | null;
  createdBy: string;
  createdAt: string;
  /** The incident whose review drove this version, if any. */
  drivenByIncidentId: string | null;
  /** The review finding that drove this version, if any. */
  drivenByFindingId: string | null;
}

export interface SavePlaybookInput {
  /** The CACAO document (validated before anything is written). */
  playbook: unknown;
  /** ATT&CK technique IDs to link; default: those in the playbook's external references. */
  techniques?: string[];
  reason?: string;
  author: string;
  /** The incident that drove this change. */
  incidentId?: string;
  /** The review finding that drove this change (must belong to `incidentId`). */
  findingId?: string;
  /** Where the document came from, for error messages. */
  file?: string;
}

export interface SavePlaybookResult {
  /** False when the content and links equal the current version's: nothing was written. */
  created: boolean;
  /** The new version, or the unchanged current one. */
  version: LibraryPlaybookVersion;
  /** Values of the document outside CACAO's open vocabularies (allowed; worth a word to whoever added it). */
  warnings: CacaoValidationError[];
}

export interface ProposePlaybookChange {
  incidentId: string;
  findingId?: string;
  reason: string;
  author: string;
  /** The proposed CACAO document: the same playbook id, changed content. */
  playbook: unknown;
  techniques?: string[];
  file?: string;
}

const TECHNIQUE_RE = /^T\d{4}(\.\d{3})?$/;

/**
 * The document as a CACAO playbook with its validation warnings, or an InputError listing every
 * validation error (the first one's path as location).
 */
export function checkedPlaybook(doc: unknown, file: string | undefined): { playbook: CacaoPlaybook; warnings: CacaoValidationError[] } {
  const { errors, warnings } = validateCacaoPlaybook(doc);
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new InputError(`not a valid CACAO 2.0 playbook (${errors.length} error${errors.length === 1 ? '' : 's'}): ${list}`, {
      ...(file ? { file } : {}),
      path: errors[0]?.path ?? '$',
    });
  }
  return { playbook: doc as CacaoPlaybook, warnings };
}

/** Technique links upper-cased, each once, sorted; an InputError naming the malformed ones and where they came from. */
export function checkedTechniques(ids: readonly string[], option: string | undefined, file: string | undefined): string[] {
  const out = [...new Set(ids.map((t) => t.trim().toUpperCase()).filter((t) => t !== ''))].sort();
  const bad = out.filter((t) => !TECHNIQUE_RE.test(t));
  if (bad.length > 0) {
    const what = option ?? 'the external references';
    throw new InputError(`${what}: not ATT&CK technique IDs (T1234 or T1234.001): ${bad.join(', ')}`, file && !option ? { file } : undefined);
  }
  return out;
}

/** ATT&CK technique IDs in the playbook's and its steps' external references. */
export function techniquesOf(playbook: CacaoPlaybook): string[] {
  const ids = [...attackIdsOf(playbook.external_references), ...Object.values(playbook.workflow).flatMap((s) => attackIdsOf(s.external_references))];
  return [...new Set(ids.filter((id) => TECHNIQUE_RE.test(id)))].sort();
}

/** SHA-256 of the canonical JSON of the playbook without `modified`, and the sorted links. */
export function contentHash(playbook: CacaoPlaybook, techniques: readonly string[]): string {
  const { modified: _modified, ...content } = playbook;
  void _modified;
  return createHash('sha256').update(canonicalJson({ content, techniques: [...techniques].sort() })).digest('hex');
}

/** What the audit trail keeps of a version: its identity, a SHA-256 of the document, and who, why and what drove it. */
export function versionAuditSummary(v: LibraryPlaybookVersion) {
  return {
    playbookId: v.playbookId,
    version: v.version,
    name: v.name,
    sha256: createHash('sha256').update(JSON.stringify(v.playbook)).digest('hex'),
    techniques: v.techniques,
    reason: v.reason,
    createdBy: v.createdBy,
    drivenByIncidentId: v.drivenByIncidentId,
    drivenByFindingId: v.drivenByFindingId,
  };
}

/** Library versions in the form the generator takes (`GeneratePlaybookOptions.library`). */
export function asLibraryRefs(versions: readonly LibraryPlaybookVersion[]): LibraryPlaybookRef[] {
  return versions.map((v) => ({ playbook: v.playbook, techniques: v.techniques }));
}
