import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRules, parseRuleCsv } from '../../src/rules/index.js';
import { byId, fixtures } from './helpers.js';

const dir = join(fixtures, 'csv');
const inventory = join(dir, 'inventory.csv');

describe('CSV rule inventory importer', () => {
  it('imports good rows and names the line of each bad one', async () => {
    const inv = await importRules([inventory]);
    expect(inv.stats).toEqual({ files: 1, parsed: 5, failed: 2, skipped: 0, mapped: 3, unmapped: 1, deprecated: 1 });
    expect(inv.problems).toEqual([
      { file: inventory, line: 6, reason: 'row has 7 fields, the header has 6' },
      { file: inventory, line: 7, reason: 'row has neither a rule id nor a name' },
    ]);
  });

  it('splits technique cells on , ; | and whitespace, upper-cases and deduplicates', async () => {
    const inv = await importRules([inventory]);
    const first = byId(inv.rules, 'DET-001');
    expect(first).toMatchObject({ name: 'Encoded PowerShell', format: 'csv', line: 2, status: 'enabled', level: 'high' });
    expect(first.techniqueIds).toEqual(['T1059.001', 'T1027']);
    expect(first.tactics).toEqual(['Execution', 'Defense Evasion']);
    expect(byId(inv.rules, 'DET-002').techniqueIds).toEqual(['T1110.003', 'T1078']);
    const typo = byId(inv.rules, 'DET-007');
    expect(typo.techniqueIds).toEqual(['T1566']);
    expect(typo.invalidReferences).toEqual(['T1566.01']);
  });

  it('flags status deprecated and lists the unmapped row', async () => {
    const inv = await importRules([inventory]);
    expect(byId(inv.rules, 'DET-004').deprecated).toBe(true);
    expect(inv.unmappedRules).toEqual([{ id: 'DET-003', name: 'Legacy AV alert forwarder', file: inventory }]);
  });

  it('keeps the rows before an unclosed quote and reports its line', async () => {
    const file = join(dir, 'unclosed_quote.csv');
    const inv = await importRules([file]);
    expect(inv.rules.map((r) => r.id)).toEqual(['A-1']);
    expect(inv.problems).toHaveLength(1);
    expect(inv.problems[0]).toMatchObject({ file, line: 3 });
    expect(inv.problems[0]?.reason).toMatch(/^invalid CSV: Quote Not Closed/);
  });

  it('skips a CSV that is not an inventory in auto mode, and fails it when csv is asked for', async () => {
    const file = join(dir, 'asset_lookup.csv');
    const auto = await importRules([file]);
    expect(auto.stats.skipped).toBe(1);
    expect(auto.stats.failed).toBe(0);
    const strict = await importRules([file], { format: 'csv' });
    expect(strict.stats.skipped).toBe(0);
    expect(strict.problems).toEqual([
      { file, line: 1, reason: 'CSV header has no rule id/name column and technique column (e.g. rule_id,name,techniques)' },
    ]);
  });

  it('accepts the usual header names and fills a missing id from the name', () => {
    const result = parseRuleCsv('title,mitre_attack_id\nRule one,T1078|T1110\n', 'x.csv', true);
    expect(result.rules[0]).toMatchObject({ id: 'Rule one', name: 'Rule one', techniqueIds: ['T1078', 'T1110'] });
  });
});
