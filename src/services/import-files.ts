import type { Incident } from '../model/index.js';
import { UsageError } from '../model/errors.js';
import type { ImportSummary, IncidentStore, ImportedIncidentResult } from '../store/types.js';

export interface ImportFilesResult {
  summary: ImportSummary;
  results: ImportedIncidentResult[];
  files: { file: string; format: string; incidents: number; alerts: number }[];
}

const FORMATS = ['auto', 'graph', 'm365d'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Parses every file first and writes nothing unless all of them parse: a bad file fails the whole
 * call with its file, line or JSON path, and the store is left as it was. Then writes all records
 * in one transaction (the store's import is idempotent).
 */
export async function importFiles(
  store: IncidentStore,
  files: string[],
  options: { format?: string; onProgress?: (message: string) => void } = {},
): Promise<ImportFilesResult> {
  const format = (options.format ?? 'auto') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${options.format}"`);
  if (files.length === 0) throw new UsageError('name at least one file to import');
  const { parseFile } = await import('../ingest/index.js');
  const incidents: Incident[] = [];
  const perFile: ImportFilesResult['files'] = [];
  for (const file of files) {
    const parsed = await parseFile(file, format);
    const alerts = parsed.incidents.reduce((n, i) => n + i.alerts.length, 0);
    perFile.push({ file, format: parsed.format, incidents: parsed.incidents.length, alerts });
    options.onProgress?.(`${file}: ${parsed.format}, ${parsed.incidents.length} incident(s), ${alerts} alert(s)`);
    for (const incident of parsed.incidents) incidents.push(incident);
  }
  const { summary, results } = await store.importIncidents(incidents);
  return { summary, results, files: perFile };
}
