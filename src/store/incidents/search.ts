import { sql, type RawBuilder } from 'kysely';

/**
 * The words of a search: runs of letters and digits, lower case, at most 8 of at most 64
 * characters. Each must begin a word of the title or description. Only letters and digits reach the
 * full-text query syntax, so no input can change its meaning.
 */
export function searchTerms(q: string): string[] {
  return [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 8).map((t) => t.slice(0, 64));
}

/** The SQLite full-text (FTS5) query of the terms: every term as the beginning of a word. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${t}"*`).join(' ');
}

/**
 * Whether incident `i` has every term at the beginning of a word of its title or description, through
 * the full-text index of migration 0008 (FTS5 on SQLite, a GIN expression index on PostgreSQL; the
 * expression here must stay the one indexed).
 */
export function matchesText(postgres: boolean, terms: readonly string[]): RawBuilder<boolean> {
  if (postgres) {
    const query = terms.map((t) => `${t}:*`).join(' & ');
    return sql<boolean>`to_tsvector('simple', regexp_replace(coalesce(i.title, '') || ' ' || coalesce(i.description, ''), '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('simple', ${query})`;
  }
  // SQLite: searches start from the index (queryIncidents); this form serves other callers.
  return sql<boolean>`i.id in (select k.incident_id from incident_search_keys k where k.docid in (select rowid from incident_search where incident_search match ${ftsQuery(terms)}))`;
}
