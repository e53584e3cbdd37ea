/**
 * A team's own rule inventory as CSV: a header row naming the columns (case and punctuation are
 * ignored): rule id (`id`, `rule_id`, `ruleId`), name (`name`, `title`, `rule_name`), technique IDs
 * (`techniques`, `technique_ids`, `mitre_attack_id`, `attack_ids`; several per cell separated by `,`
 * `;` `|` or whitespace), and optionally status, level (or severity), tactics, deprecated. A row
 * that does not parse, or has neither id nor name, is a problem naming its line; the other rows are
 * still imported.
 */
import { parse, type CsvError } from 'csv-parse/sync';
import { applyDeprecatedFolder, emptyRule, TechniqueCollector, uniq } from './refs.js';
import type { DetectionRule, FileParseResult, RuleFileProblem } from './types.js';

const HEADER_NAMES: Record<string, readonly string[]> = {
  id: ['id', 'ruleid', 'detectionid', 'uuid'],
  name: ['name', 'title', 'rulename', 'detectionname'],
  techniques: ['techniques', 'technique', 'techniqueids', 'techniqueid', 'mitreattackid', 'mitreattackids', 'attackids', 'attackid', 'mitretechniques', 'attacktechniques'],
  status: ['status', 'maturity', 'state'],
  level: ['level', 'severity', 'risk', 'riskscore'],
  tactics: ['tactics', 'tactic', 'mitretactics', 'attacktactics'],
  deprecated: ['deprecated'],
  dataSources: ['datasources', 'datasource', 'logsource'],
};

type Column = keyof typeof HEADER_NAMES;

function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Maps each known column to its index in the header row. */
export function csvColumns(header: string[]): Partial<Record<Column, number>> {
  const columns: Partial<Record<Column, number>> = {};
  const keys = header.map(normaliseHeader);
  keys.forEach((key, index) => {
    for (const [column, names] of Object.entries(HEADER_NAMES)) {
      if (names.includes(key) && columns[column] === undefined) columns[column] = index;
    }
  });
  // Looser names as a fallback: `MITRE Technique IDs`, `ATT&CK techniques`, `MITRE tactic`.
  if (columns.techniques === undefined) {
    const index = keys.findIndex((k) => k.includes('technique') || /att(?:ack|ck)ids?$/.test(k));
    if (index >= 0) columns.techniques = index;
  }
  if (columns.tactics === undefined) {
    const index = keys.findIndex((k) => k.includes('tactic'));
    if (index >= 0) columns.tactics = index;
  }
  return columns;
}

/** csv-parse errors carry the line they stopped at in `lines`. */
function lineOf(error: unknown): { line?: number } {
  const lines = (error as { lines?: unknown } | null)?.lines;
  return typeof lines === 'number' ? { line: lines } : {};
}

const SPLIT = /[,;|\s]+/;

/**
 * `strict` (the format was named explicitly) makes a header without the needed columns a problem;
 * otherwise (auto-detection) such a CSV is skipped as not a rule inventory.
 */
export function parseRuleCsv(source: string, file: string, strict: boolean): FileParseResult {
  const problems: RuleFileProblem[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(source, {
      info: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) problems.push({ file, ...lineOf(error), reason: `invalid CSV: ${error.message}` });
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    return { rules: [], problems: [{ file, ...lineOf(error), reason: `invalid CSV: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const headerRow = records[0];
  if (!headerRow) return strict ? { rules: [], problems: [{ file, reason: 'empty CSV: no header row' }] } : { rules: [], problems, skipped: 'empty CSV' };
  const header = headerRow.record;
  const columns = csvColumns(header);
  if (columns.techniques === undefined || (columns.id === undefined && columns.name === undefined)) {
    const reason = 'CSV header has no rule id/name column and technique column (e.g. rule_id,name,techniques)';
    return strict ? { rules: [], problems: [{ file, line: headerRow.info.lines, reason }] } : { rules: [], problems: [], skipped: `${reason}: not a rule inventory` };
  }
  const rules: DetectionRule[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      problems.push({ file, line, reason: `row has ${record.length} fields, the header has ${header.length}` });
      continue;
    }
    const cell = (column: Column): string => {
      const index = columns[column];
      return index === undefined ? '' : (record[index] ?? '').trim();
    };
    const id = cell('id') || cell('name');
    const name = cell('name') || cell('id');
    if (!id) {
      problems.push({ file, line, reason: 'row has neither a rule id nor a name' });
      continue;
    }
    const rule = emptyRule('csv', file, id, name);
    rule.line = line;
    rule.status = cell('status') || null;
    rule.level = cell('level') || null;
    const deprecatedCell = cell('deprecated').toLowerCase();
    if (['true', 'yes', 'y', '1', 'x'].includes(deprecatedCell)) {
      rule.deprecated = true;
      rule.deprecatedReason = 'deprecated column is set';
    } else if (rule.status?.toLowerCase() === 'deprecated') {
      rule.deprecated = true;
      rule.deprecatedReason = 'status: deprecated';
    }
    applyDeprecatedFolder(rule);
    const techniques = new TechniqueCollector();
    for (const ref of cell('techniques').split(SPLIT)) techniques.add(ref);
    rule.techniqueIds = techniques.ids;
    rule.invalidReferences = techniques.invalid;
    rule.tactics = uniq(cell('tactics').split(/[;|,]+/).map((t) => t.trim()).filter(Boolean));
    rule.dataSources = uniq(cell('dataSources').split(/[;|,]+/).map((t) => t.trim()).filter(Boolean));
    rule.raw = Object.fromEntries(header.map((h, i) => [h, record[i] ?? '']));
    rules.push(rule);
  }
  return { rules, problems };
}
