/** Reads YAML rule files fast: `parse` for the common single document, `parseAllDocuments` only when `---` separates several. */
import { parse, parseAllDocuments, YAMLError } from 'yaml';
import type { RuleFileProblem } from './types.js';

const SEPARATOR = /^---[ \t\r]*(?:#.*)?$/m;

export type YamlDocs = { ok: true; docs: unknown[] } | { ok: false; problem: RuleFileProblem };

export function parseYamlDocuments(source: string, file: string): YamlDocs {
  try {
    if (!SEPARATOR.test(source)) {
      const value: unknown = parse(source);
      return { ok: true, docs: value === null || value === undefined ? [] : [value] };
    }
    const docs: unknown[] = [];
    for (const doc of parseAllDocuments(source)) {
      const error = doc.errors[0];
      if (error) return { ok: false, problem: yamlProblem(error, file) };
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) docs.push(value);
    }
    return { ok: true, docs };
  } catch (error) {
    return { ok: false, problem: yamlProblem(error, file) };
  }
}

function yamlProblem(error: unknown, file: string): RuleFileProblem {
  if (error instanceof YAMLError) {
    const pos = error.linePos?.[0];
    const firstLine = error.message.split('\n')[0] ?? error.message;
    return pos ? { file, line: pos.line, reason: `invalid YAML: ${firstLine}` } : { file, reason: `invalid YAML: ${firstLine}` };
  }
  return { file, reason: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` };
}
