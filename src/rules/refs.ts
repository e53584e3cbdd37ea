/** Helpers shared by the importers: technique-ID syntax, deprecation by path, plain-value access. */
import type { DetectionRule, RuleFormat } from './types.js';

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/i;

export function isTechniqueId(value: string): boolean {
  return TECHNIQUE_ID.test(value);
}

/** Collects technique references: valid ones upper-cased and deduplicated in order, the rest kept as written. */
export class TechniqueCollector {
  readonly ids: string[] = [];
  readonly invalid: string[] = [];
  private readonly seen = new Set<string>();

  /** `written` is what goes into `invalid` when `id` is malformed (defaults to `id`). */
  add(id: string, written: string = id): void {
    const trimmed = id.trim();
    if (!trimmed) return;
    if (TECHNIQUE_ID.test(trimmed)) {
      const upper = trimmed.toUpperCase();
      if (!this.seen.has(upper)) {
        this.seen.add(upper);
        this.ids.push(upper);
      }
    } else if (!this.invalid.includes(written)) {
      this.invalid.push(written);
    }
  }
}

/** Deduplicates strings keeping the first occurrence. */
export function uniq(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

export type PlainObject = Record<string, unknown>;


/** A scalar as text (numbers and booleans included), else null. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A list of scalars as text; a single scalar becomes a one-item list; other things are dropped. */
export function textList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text).filter((v): v is string => v !== null);
  const single = text(value);
  return single === null ? [] : [single];
}

/** The path segment that marks a rule deprecated (`deprecated/`, Elastic's `_deprecated/`), if any. */
export function deprecatedFolder(file: string): string | null {
  const segments = file.split(/[\\/]/).slice(0, -1);
  const hit = segments.find((s) => /^_?deprecated$/i.test(s));
  return hit ?? null;
}

/** A fresh rule record with the defaults every importer starts from. */
export function emptyRule(format: RuleFormat, file: string, id: string, name: string): DetectionRule {
  return {
    id,
    name,
    format,
    file,
    status: null,
    level: null,
    deprecated: false,
    deprecatedReason: null,
    techniqueIds: [],
    invalidReferences: [],
    tactics: [],
    logsource: null,
    dataSources: [],
    tags: [],
  };
}

/** Applies the path rule for deprecation when the content did not already flag it. */
export function applyDeprecatedFolder(rule: DetectionRule): void {
  if (rule.deprecated) return;
  const folder = deprecatedFolder(rule.file);
  if (folder) {
    rule.deprecated = true;
    rule.deprecatedReason = `in a folder named ${folder}/`;
  }
}
