import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, renderActionItemsCsv } from '../../src/export/action-items-csv.js';
import type { ListedActionItem } from '../../src/model/review.js';
import { fuzzyScore, searchActionItems, sortActionItems } from '../../src/review/action-list.js';

const item = (over: Partial<ListedActionItem>): ListedActionItem => ({
  id: 'act_1', incidentId: 'inc_1', incidentTitle: 'Ransomware on the file server', type: 'fix', title: 'Patch', description: '', findingId: null, owner: null, team: null, dueDate: null, priority: 'medium', closureCriteria: null,
  status: 'open', wontDoReason: null, verifiedBy: null, verifiedAt: null, verificationMethod: null, verificationEvidence: null, externalSystem: null, externalKey: null, externalUrl: null, externalState: null, syncedAt: null,
  version: 1, createdBy: 'ana', createdAt: '2026-01-01T00:00:00.000Z', updatedBy: 'ana', updatedAt: '2026-01-01T00:00:00.000Z', overdue: false, ...over,
});

describe('action items as CSV', () => {
  it('neutralises formulas and round-trips any text through a CSV parser', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+x, "y"')).toBe(`"'+x, ""y"""`);
    expect(csvCell(null)).toBe('');
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, owner) => {
        const csv = renderActionItemsCsv([item({ title, owner })]);
        const rows = parse(csv, { relax_column_count: false }) as string[][];
        expect(rows).toHaveLength(2);
        const cell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
        expect(rows[1]?.[3]).toBe(cell(title));
        expect(rows[1]?.[7]).toBe(cell(owner));
        for (const value of rows[1] ?? []) expect(value).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});

describe('searching and ordering action items', () => {
  it('matches words fuzzily on owner or title, best first, ignoring accents and case', () => {
    const items = [item({ id: 'a', title: 'Review firewall rules', owner: 'bob' }), item({ id: 'b', title: 'Patch the VPN appliance', owner: 'Zoë Miller' }), item({ id: 'c', title: 'VPN logs retention', owner: 'ana' })];
    expect(searchActionItems(items, 'zoe vpn').map((i) => i.id)).toEqual(['b']);
    expect(searchActionItems(items, 'VPN').map((i) => i.id).sort()).toEqual(['b', 'c']);
    expect(searchActionItems(items, 'fwrl').map((i) => i.id)).toEqual(['a']);
    expect(searchActionItems(items, 'xyz')).toEqual([]);
    expect(searchActionItems(items, '  ')).toHaveLength(3);
    expect(fuzzyScore('vpn', 'VPN logs')).toBeGreaterThan(fuzzyScore('vpn', 'very persistent network'));
  });

  it('sorts by due date with undated items last either way, and by urgency', () => {
    const items = [item({ id: 'x', dueDate: null, priority: 'low' }), item({ id: 'y', dueDate: '2026-03-01', priority: 'critical' }), item({ id: 'z', dueDate: '2026-01-01', priority: 'high' })];
    expect(sortActionItems(items, 'due').map((i) => i.id)).toEqual(['z', 'y', 'x']);
    expect(sortActionItems(items, 'due', true).map((i) => i.id)).toEqual(['y', 'z', 'x']);
    expect(sortActionItems(items, 'priority').map((i) => i.id)).toEqual(['y', 'z', 'x']);
  });
});
