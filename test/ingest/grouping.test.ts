import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUPING, groupAlerts, hostKey, parseGroupBy, parseWindow, userKey, derivePartialFields } from '../../src/ingest/grouping.js';
import type { MappedAlert } from '../../src/ingest/formats.js';
import { makeAlert } from '../../src/ingest/soc-fields.js';
import { UsageError } from '../../src/model/errors.js';

function alert(id: string, createdAt: string, host: string | null, user: string | null, extra: Partial<MappedAlert> = {}): MappedAlert {
  return {
    kind: 'alert',
    alert: makeAlert({ sourceId: id, title: `Alert ${id}`, severity: 'medium', status: 'new', createdAt, detectorId: `rule-${id.slice(0, 1)}`, raw: null }),
    source: 'wazuh',
    sourceFormat: 'wazuh',
    group: { hosts: host ? [host] : [], users: user ? [user] : [] },
    ...extra,
  };
}

describe('grouping alerts that name no incident', () => {
  const alerts = [
    alert('a1', '2026-03-01T10:05:00.000Z', 'WEB-01.acme.local', 'ACME\\jdoe'),
    alert('a2', '2026-03-01T10:55:00.000Z', 'web-01', 'jdoe@acme.example'),
    alert('a3', '2026-03-01T11:05:00.000Z', 'web-01', 'jdoe'),
    alert('b1', '2026-03-01T10:10:00.000Z', 'web-01', 'root'),
    alert('c1', '2026-03-01T10:15:00.000Z', null, null),
  ];

  it('groups by host and user in fixed 1h windows by default, host and account names compared without domains', () => {
    const incidents = groupAlerts(alerts, DEFAULT_GROUPING);
    expect(incidents.map((i) => i.alerts.map((a) => a.sourceId))).toEqual([['a1', 'a2'], ['a3'], ['b1'], ['c1']]);
    expect(incidents.every((i) => i.partial && i.source === 'hindsight' && i.sourceId.startsWith('group-'))).toBe(true);
    expect(incidents[0]!.description).toBe('Alerts grouped by host=web-01, user=jdoe in the 1h window 2026-03-01T10:00:00.000Z to 2026-03-01T11:00:00.000Z.');
    expect(incidents[3]!.description).toMatch(/host=\(none\), user=\(none\)/);
  });

  it('is stable: the same alerts, in any order or split across imports, get the same incident ids', () => {
    const once = groupAlerts(alerts).map((i) => i.sourceId);
    const reversed = groupAlerts([...alerts].reverse()).map((i) => i.sourceId).sort();
    expect(reversed).toEqual([...once].sort());
    const later = groupAlerts([alert('a9', '2026-03-01T10:40:00.000Z', 'web-01', 'JDOE')]);
    expect(later[0]!.sourceId).toBe(once[0]);
  });

  it('takes other fields and windows; adding source keeps the source as the incident source', () => {
    const byRule = groupAlerts(alerts, { groupBy: ['rule'], windowMs: parseWindow('1d') });
    expect(byRule.map((i) => i.alerts.map((a) => a.sourceId))).toEqual([['a1', 'a2', 'a3'], ['b1'], ['c1']]);
    const bySource = groupAlerts(alerts, { groupBy: ['source', 'host'], windowMs: parseWindow('30m') });
    expect(bySource.map((i) => i.alerts.map((a) => a.sourceId))).toEqual([['a1', 'b1'], ['a2'], ['a3'], ['c1']]);
    expect(bySource[0]!.source).toBe('wazuh');
  });

  it('puts every alert into one incident with --incident-title, which keeps its title when derived again', () => {
    const [one, ...rest] = groupAlerts(alerts, { ...DEFAULT_GROUPING, incidentTitle: 'Red team exercise March' });
    expect(rest).toEqual([]);
    expect(one).toMatchObject({ title: 'Red team exercise March', source: 'hindsight', partial: true });
    expect(one!.alerts).toHaveLength(5);
    expect(derivePartialFields(one!.alerts, { sourceId: one!.sourceId, title: one!.title }).title).toBe('Red team exercise March');
    expect(derivePartialFields(one!.alerts, { sourceId: 'group-x', title: 'x' }).title).toBe('Alert a1');
  });

  it('leaves alerts that name their incident to that incident', () => {
    const [inc] = groupAlerts([alert('k1', '2026-03-01T10:05:00.000Z', 'web-01', 'jdoe', { incidentKey: 'CASE-7', source: 'elastic-security' })]);
    expect(inc).toMatchObject({ source: 'elastic-security', sourceId: 'CASE-7' });
  });
});

describe('grouping options', () => {
  it('parses --group-by and --window, refusing anything else', () => {
    expect(parseGroupBy('host, USER,host')).toEqual(['host', 'user']);
    expect(() => parseGroupBy('host,tenant')).toThrow(UsageError);
    expect(() => parseGroupBy('')).toThrow(UsageError);
    expect([parseWindow('30m'), parseWindow('1h'), parseWindow('1d'), parseWindow('90s')]).toEqual([1_800_000, 3_600_000, 86_400_000, 90_000]);
    for (const bad of ['0h', '1w', 'h', '-1h', '31d', '1.5h']) expect(() => parseWindow(bad)).toThrow(UsageError);
  });

  it('normalises hosts and users', () => {
    expect([hostKey('DC-01.acme.local'), hostKey('10.0.0.5'), userKey('ACME\\JDoe'), userKey('jdoe@acme.example')]).toEqual(['dc-01', '10.0.0.5', 'jdoe', 'jdoe']);
  });
});
