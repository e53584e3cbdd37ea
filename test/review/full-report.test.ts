import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../src/analysis/timeline.js';
import { responseTimings } from '../../src/analysis/timings.js';
import type { ManualTimelineEvent, TimelineAnnotation } from '../../src/model/index.js';
import { generateSections } from '../../src/review/draft.js';
import { mergeTimeline, visibleEvents } from '../../src/review/timeline-merge.js';
import { sampleIncident } from '../fixtures/review/incident.js';

const incident = sampleIncident();
const derived = buildTimeline(incident);
const stamp = { version: 1, updatedBy: 'ana', updatedAt: '2026-03-05T00:00:00.000Z' };

describe('the merged timeline', () => {
  const alertCreated = derived.find((e) => e.kind === 'alert-created' && e.alertId === 'da-2');
  const comment = derived.find((e) => e.kind === 'comment' && e.detail?.startsWith('Disabled'));
  const annotations: TimelineAnnotation[] = [
    { incidentId: incident.id, eventId: alertCreated?.id as string, phase: 'containment', keyMoment: true, hidden: false, hiddenReason: null, note: 'Sign-in blocked by CA', evidence: ['CA log'], ...stamp },
    { incidentId: incident.id, eventId: comment?.id as string, phase: null, keyMoment: null, hidden: true, hiddenReason: 'duplicate of the CA event', note: null, evidence: [], ...stamp },
    { incidentId: incident.id, eventId: 'ev_gone0000000', phase: 'triage', keyMoment: null, hidden: false, hiddenReason: null, note: null, evidence: [], ...stamp },
  ];
  const manual: ManualTimelineEvent[] = [
    { id: 'tle_1', incidentId: incident.id, at: '2026-03-02T12:00:00.000Z', title: 'Customers notified', detail: null, phase: 'notification', keyMoment: true, actor: 'dpo', techniques: [], evidence: ['email'], createdBy: 'ana', createdAt: stamp.updatedAt, ...stamp },
  ];
  const merged = mergeTimeline(derived, annotations, manual);

  it('keeps data events, applies annotations, adds hand-written events in time order, and ignores stale annotations', () => {
    expect(merged).toHaveLength(derived.length + 1);
    expect(merged.map((e) => e.at)).toEqual([...merged.map((e) => e.at)].sort());
    const tagged = merged.find((e) => e.id === alertCreated?.id);
    expect(tagged).toMatchObject({ origin: 'data', phase: 'containment', phaseSource: 'manual', keyMoment: true, note: 'Sign-in blocked by CA', evidence: ['CA log'], title: alertCreated?.title, at: alertCreated?.at });
    expect(merged.find((e) => e.id === 'tle_1')).toMatchObject({ origin: 'manual', kind: 'manual', phase: 'notification', phaseSource: 'manual' });
    expect(merged.find((e) => e.id === comment?.id)).toMatchObject({ hidden: true, hiddenReason: 'duplicate of the CA event' });
    expect(merged.some((e) => e.id === 'ev_gone0000000')).toBe(false);
  });

  it('lets manual phase tags drive the response timings, and hidden events drop out', () => {
    const before = responseTimings(incident, derived);
    const after = responseTimings(incident, visibleEvents(merged));
    expect(before.contained?.at).toBe('2026-03-02T10:15:00.000Z');
    expect(after.contained?.at).toBe('2026-03-02T09:04:00.000Z');
    expect(after.contained?.basis).toMatch(/^tagged/);
    expect(after.phases.map((p) => p.phase)).toContain('notification');
  });

  it('drafts the sections from the evidence', () => {
    const timings = responseTimings(incident, visibleEvents(merged));
    const sections = generateSections({
      summary: 'S',
      incident: { title: incident.title } as never,
      techniques: { attackVersion: '18.1', domain: 'enterprise-attack', tactics: [{ id: 'TA0001', shortname: 'initial-access', name: 'Initial Access', techniques: [{ id: 'T1566.002', name: 'Spearphishing Link', tactic: 'initial-access', isSubtechnique: true, parentId: 'T1566', alertIds: ['da-1'], reportedAs: [], url: null }] }], techniqueIds: ['T1566.002'], unknown: [], remapped: [] },
      entities: [
        { kind: 'ip', key: '203.0.113.9', displayName: '203.0.113.9', roles: ['attacker'], verdicts: [], remediationStatuses: [], alertIds: ['da-2'], firstSeen: null, highlights: {} },
        { kind: 'user', key: 'jdoe@contoso.com', displayName: 'jdoe@contoso.com', roles: ['victim'], verdicts: [], remediationStatuses: [], alertIds: ['da-1'], firstSeen: null, highlights: {} },
      ],
      timings,
      alerts: [],
      timeline: visibleEvents(merged),
    });
    expect(sections.summary).toBe('S');
    expect(sections.technicalSummary).toMatch(/Initial Access: T1566\.002 Spearphishing Link/);
    expect(sections.technicalSummary).toMatch(/Actors:\n- ip 203\.0\.113\.9 \(attacker\)/);
    expect(sections.technicalSummary).toMatch(/Assets affected:\n- user jdoe@contoso\.com \(victim\)/);
    expect(sections.response).toMatch(/Time to contain: 4m 00s/);
    expect(sections.response).toMatch(/- Notification: from 2026-03-02T12:00:00\.000Z/);
    expect(sections.response).toMatch(/- Eradication: from/);
    expect(sections.takeaways).toMatch(/undetected for 30m 00s/);
  });
});
