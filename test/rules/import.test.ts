import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { importRules, parseRuleFile } from '../../src/rules/index.js';
import { fixtures } from './helpers.js';

describe('importRules', () => {
  it('detects every format per file in one mixed folder', async () => {
    const inv = await importRules([fixtures]);
    expect(inv.byFormat).toEqual({ sigma: 8, elastic: 4, splunk: 3, sentinel: 3, csv: 6 });
    expect(inv.stats).toEqual({ files: 26, parsed: 24, failed: 5, skipped: 7, mapped: 15, unmapped: 4, deprecated: 5 });
    // The invariant the stats promise when deprecated rules are left out.
    expect(inv.stats.mapped + inv.stats.unmapped + inv.stats.deprecated).toBe(inv.stats.parsed);
  });

  it('counts deprecated rules in mapped/unmapped when includeDeprecated is set', async () => {
    const inv = await importRules([fixtures], { includeDeprecated: true });
    expect(inv.stats.mapped + inv.stats.unmapped).toBe(inv.stats.parsed);
    expect(inv.stats.deprecated).toBe(5);
    expect(inv.rules.filter((r) => r.deprecated)).toHaveLength(5);
  });

  it('reads only the files a named format reads', async () => {
    const inv = await importRules([fixtures], { format: 'elastic' });
    expect(inv.stats.files).toBe(6);
    expect(inv.byFormat.elastic).toBe(4);
  });

  it('with a named YAML format, skips documents of another dialect', async () => {
    const inv = await importRules([join(fixtures, 'splunk', 'detections')], { format: 'sigma' });
    expect(inv.stats.parsed).toBe(0);
    expect(inv.stats.skipped).toBe(3);
    expect(inv.skippedFiles[0]?.reason).toBe('no detection section: not a Sigma rule');
  });

  it('rejects a path that does not exist before reading anything', async () => {
    const missing = join(fixtures, 'no-such-folder');
    await expect(importRules([fixtures, missing])).rejects.toThrow(InputError);
    await expect(importRules([missing])).rejects.toThrow(`${missing}: no such file or directory`);
  });

  it('rejects a named file of unknown kind in auto mode', async () => {
    await expect(importRules([join(fixtures, 'sigma', 'README.md')])).rejects.toThrow(/pass --format/);
  });

  it('keeps rule order stable (sorted walk)', async () => {
    const a = await importRules([fixtures], { concurrency: 1 });
    const b = await importRules([fixtures], { concurrency: 32 });
    expect(b.rules.map((r) => `${r.file}:${r.id}`)).toEqual(a.rules.map((r) => `${r.file}:${r.id}`));
  });
});

describe('parseRuleFile edge cases', () => {
  it('skips an empty YAML file and reads a CRLF multi-document Sigma file', () => {
    expect(parseRuleFile('', 'empty.yml', 'yaml', 'auto')).toEqual({ rules: [], problems: [], skipped: 'empty YAML file' });
    const crlf = ['action: global', 'title: G', 'tags:', '  - attack.t1078', '---', 'id: a', 'detection:', '  s:', '    x: 1', '  condition: s', '---', 'id: b', 'detection:', '  s:', '    x: 2', '  condition: s', ''].join('\r\n');
    const result = parseRuleFile(crlf, 'crlf.yml', 'yaml', 'auto');
    expect(result.rules.map((r) => [r.id, r.name, r.techniqueIds])).toEqual([
      ['a', 'G', ['T1078']],
      ['b', 'G', ['T1078']],
    ]);
  });
});
