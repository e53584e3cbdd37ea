import { describe, expect, it } from 'vitest';
import { buildTimeline, inferPhase } from '../../src/analysis/timeline.js';
import { responseTimings, formatDuration } from '../../src/analysis/timings.js';
import { involvedEntities } from '../../src/analysis/entities.js';
import { sampleIncident } from '../fixtures/review/incident.js';

describe('buildTimeline', () => {
  const incident = sampleIncident();
  const timeline = buildTimeline(incident);

  it('orders events by time and starts with the first activity', () => {
    const times = timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(timeline[0]?.kind).toBe('activity-start');
    expect(timeline[0]?.at).toBe('2026-03-02T08:30:00.000Z');
    expect(timeline[0]?.keyMoment).toBe(true);
  });

  it('merges alerts, comments and status changes, each once', () => {
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'alert-created')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'comment')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'alert-resolved')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'incident-resolved')).toHaveLength(1);
  });

  it('gives derived events stable, distinct ids', () => {
    const again = buildTimeline(sampleIncident());
    expect(again.map((e) => e.id)).toEqual(timeline.map((e) => e.id));
    expect(new Set(timeline.map((e) => e.id)).size).toBe(timeline.length);
    expect(timeline.every((e) => e.origin === 'data')).toBe(true);
  });

  it('reads alert changes made at one moment by one person as one event', () => {
    const incident = sampleIncident();
    for (const alert of incident.alerts) {
      alert.statusHistory = [
        { field: 'status', from: null, to: 'new', at: alert.createdAt, by: null, origin: 'source' },
        { field: 'classification', from: null, to: 'truePositive', at: '2026-03-03T12:00:00.000Z', by: 'Ana Analyst', origin: 'source' },
        { field: 'status', from: 'new', to: 'resolved', at: '2026-03-03T12:00:00.000Z', by: 'Ana Analyst', origin: 'source' },
      ];
    }
    const burst = buildTimeline(incident).filter((e) => e.at === '2026-03-03T12:00:00.000Z');
    expect(burst).toHaveLength(1);
    expect(burst[0]?.title).toBe('2 alerts updated by Ana Analyst: classification → truePositive (2); resolved (2)');
    expect(burst[0]?.detail).toContain('Suspicious sign-in from anonymous IP');
  });

  it('adds the times evidence records: process starts, but not when evidence was attached', () => {
    const incident = sampleIncident();
    const alert = incident.alerts[0];
    alert?.evidence.push({
      kind: 'process', sourceType: 'processEvidence', key: 'p1', displayName: 'powershell.exe (42)', roles: [], verdict: null, remediationStatus: null,
      createdAt: '2026-03-02T09:30:00.000Z', attributes: { processCreationDateTime: '2026-03-02T08:30:30Z', processCommandLine: 'powershell -enc AAAA', 'imageFile.fileName': 'powershell.exe' }, raw: {},
    });
    const events = buildTimeline(incident).filter((e) => e.kind === 'evidence');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: '2026-03-02T08:30:30.000Z', title: 'Process started: powershell.exe', detail: 'powershell -enc AAAA' });
  });

  it('infers response phases from notes', () => {
    expect(inferPhase('Isolated WS-042 from the network')).toBe('containment');
    expect(inferPhase('Disabled the account and revoked sessions.')).toBe('containment');
    expect(inferPhase('Removed the persistence service')).toBe('eradication');
    expect(inferPhase('Restored the file server from backup')).toBe('recovery');
    expect(inferPhase('Lunch')).toBeNull();
  });
});

describe('responseTimings', () => {
  it('measures detect, acknowledge, contain and resolve from the evidence', () => {
    const incident = sampleIncident();
    const t = responseTimings(incident, buildTimeline(incident));
    expect(t.firstActivity?.at).toBe('2026-03-02T08:30:00.000Z');
    expect(t.detected?.at).toBe('2026-03-02T09:00:00.000Z');
    expect(t.timeToDetect?.seconds).toBe(30 * 60);
    expect(t.acknowledged?.at).toBe('2026-03-02T09:40:00.000Z');
    expect(t.timeToAcknowledge?.seconds).toBe(40 * 60);
    expect(t.contained?.at).toBe('2026-03-02T10:15:00.000Z');
    expect(t.timeToContain?.seconds).toBe(75 * 60);
    expect(t.resolved?.at).toBe('2026-03-03T16:30:00.000Z');
    expect(t.timeToResolve?.text).toBe('1d 7h 30m');
    expect(t.phases.map((p) => p.phase)).toEqual(['detection', 'triage', 'containment', 'eradication', 'recovery']);
  });

  it('leaves unknown milestones empty rather than guessing', () => {
    const incident = sampleIncident({ comments: [], status: 'active', resolvedAt: null, statusHistory: [] });
    incident.alerts = incident.alerts.map((a) => ({ ...a, resolvedAt: null, statusHistory: [] }));
    const t = responseTimings(incident, buildTimeline(incident));
    expect(t.acknowledged).toBeNull();
    expect(t.contained).toBeNull();
    expect(t.resolved).toBeNull();
    expect(t.timeToResolve).toBeNull();
  });

  it('formats durations', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(formatDuration(-60)).toBe('-1m 00s');
  });
});

describe('involvedEntities', () => {
  it('merges the same entity across alerts with the union of its roles', () => {
    const entities = involvedEntities(sampleIncident());
    const user = entities.find((e) => e.kind === 'user');
    expect(user?.roles).toEqual(['victim', 'compromised']);
    expect(user?.alertIds).toEqual(['da-1', 'da-2']);
    expect(entities.map((e) => e.kind)).toEqual(['user', 'ip', 'url']);
  });
});
