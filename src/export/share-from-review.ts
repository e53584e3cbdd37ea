import type { KnowledgeBase } from '../attack/types.js';
import type { Incident } from '../model/index.js';
import { extractObservables } from '../model/observable-extract.js';
import { observableId } from '../model/observable-values.js';
import type { ReviewReport } from '../review/report.js';
import type { ShareAction, ShareAsset, ShareAttribution, ShareDocument, ShareObservable, ShareStep, ShareTactic, ShareTechnique, ShareTlp } from './share-document.js';

/**
 * The share document of an incident, read from its review: the techniques and the steps of the
 * sequence of events, the hosts and accounts, the shareable follow-ups and the attribution.
 * Pure: the caller reads the review, the observables and the knowledge base.
 */

export interface ShareSources {
  report: ReviewReport;
  /** The incident with its evidence (which observables one entity carried together). */
  incident: Incident;
  kb: KnowledgeBase;
  observables: ShareObservable[];
  team: string;
  incidentTlp: ShareTlp;
  now: Date;
}

/**
 * Follow-ups worth sharing: technical measures another team can reuse (a fix, a change request, a
 * detection), not internal process, procedure or training work, and not those decided against.
 */
const SHAREABLE_ACTION_TYPES = new Set(['fix', 'change-request', 'detection-engineering']);

/** Timeline kinds that show the adversary acting (rather than the defenders noticing). */
const ACTIVITY_KINDS = new Set(['activity-start', 'activity-end', 'manual']);

export function buildShareDocument(src: ShareSources): ShareDocument {
  const { report, kb } = src;
  const inc = report.incident;
  const tacticOf = new Map<string, ShareTactic>();
  const techniques: ShareTechnique[] = [];
  for (const group of report.techniques.tactics) {
    const tacticId = kb.tactic(group.shortname)?.object.id ?? group.id;
    for (const t of group.techniques) {
      if (!tacticOf.has(t.id)) tacticOf.set(t.id, { id: tacticId, shortname: group.shortname, name: group.name });
    }
  }
  for (const id of report.techniques.techniqueIds) {
    const t = kb.technique(id)?.object;
    if (!t) continue;
    techniques.push({
      id: t.id,
      name: t.name,
      stixId: t.stixId || null,
      url: t.url,
      description: t.description,
      tactics: t.tactics.map((shortname) => {
        const tactic = kb.tactic(shortname)?.object;
        return { id: tactic?.id ?? shortname, shortname, name: tactic?.name ?? shortname };
      }),
    });
  }
  const steps = stepsOf(report, kb, tacticOf);

  const assets: ShareAsset[] = [];
  for (const e of report.entities) {
    if (e.kind === 'device') {
      assets.push({ key: `host:${e.key}`, kind: 'host', name: e.displayName, detail: e.highlights['osPlatform'] ?? null, alertIds: [...e.alertIds] });
    } else if (e.kind === 'user' || e.kind === 'mailbox') {
      const upn = e.highlights['userAccount.userPrincipalName'] ?? e.highlights['userPrincipalName'] ?? e.highlights['primaryAddress'] ?? null;
      assets.push({ key: `account:${e.key}`, kind: 'account', name: e.displayName, detail: upn && upn !== e.displayName ? upn : null, alertIds: [...e.alertIds] });
    }
  }

  const actions: ShareAction[] = [];
  const findings = new Map((report.findings ?? []).map((f) => [f.id, f]));
  for (const a of report.actions ?? []) {
    if (!SHAREABLE_ACTION_TYPES.has(a.type) || a.status === 'wont-do') continue;
    const finding = a.findingId ? findings.get(a.findingId) : undefined;
    actions.push({ id: a.id, title: a.title, description: a.description || null, status: a.status, techniqueIds: [...(finding?.techniques ?? [])] });
  }

  const attribution: ShareAttribution[] = [];
  if (report.actors?.attributed) {
    for (const c of report.actors.candidates) {
      if (c.confidence === 'none') continue;
      const object = c.type === 'campaign' ? kb.campaign(c.id)?.object : kb.group(c.id)?.object;
      attribution.push({
        id: c.id,
        name: c.name,
        type: c.type,
        stixId: object?.stixId ?? null,
        aliases: c.aliases.filter((a) => a !== c.name),
        url: object?.url ?? null,
        confidence: Math.max(0, Math.min(100, Math.round(c.probability * 100))),
        confidenceLabel: c.confidence,
      });
    }
  }

  return {
    generatedAt: src.now.toISOString(),
    team: { name: src.team },
    attack: { domain: report.attack.domain, version: report.attack.version },
    incident: {
      id: inc.id,
      source: inc.source,
      sourceId: inc.sourceId,
      title: inc.title,
      severity: inc.severity,
      status: inc.status,
      classification: inc.classification,
      determination: inc.determination,
      createdAt: inc.createdAt,
      updatedAt: inc.updatedAt,
      resolvedAt: inc.resolvedAt,
      tlp: src.incidentTlp,
    },
    summary: report.sections?.find((s) => s.key === 'summary' && s.source === 'person')?.body || report.summary,
    techniques,
    steps,
    assets,
    observables: src.observables,
    actions,
    attribution,
    groups: groupsOf(src.incident, src.observables),
  };
}

/** One step per technique: from the first to the last moment the adversary was seen using it. */
function stepsOf(report: ReviewReport, kb: KnowledgeBase, tacticOf: Map<string, ShareTactic>): ShareStep[] {
  const remapped = new Map(report.techniques.remapped.map((r) => [r.from.toUpperCase(), r.to]));
  const acc = new Map<string, { activity: string[]; raised: string[]; events: string[]; alertIds: Set<string> }>();
  for (const e of report.timeline) {
    if ('hidden' in e && e.hidden) continue;
    for (const raw of e.techniques) {
      const ref = raw.trim().toUpperCase();
      const id = remapped.get(ref) ?? kb.technique(ref)?.object.id;
      if (!id || !tacticOf.has(id)) continue;
      const entry = acc.get(id) ?? { activity: [], raised: [], events: [], alertIds: new Set<string>() };
      (ACTIVITY_KINDS.has(e.kind) ? entry.activity : entry.raised).push(e.at);
      if (entry.events.length < 5 && !entry.events.includes(e.title)) entry.events.push(e.title);
      if (e.alertId) entry.alertIds.add(e.alertId);
      acc.set(id, entry);
    }
  }
  const steps: ShareStep[] = [];
  for (const [techniqueId, entry] of acc) {
    const times = (entry.activity.length ? entry.activity : entry.raised).slice().sort();
    const tactic = tacticOf.get(techniqueId);
    const start = times[0];
    const end = times[times.length - 1];
    if (!tactic || !start || !end) continue;
    steps.push({ key: `${techniqueId}@${tactic.shortname}`, techniqueId, tactic, start, end, events: entry.events, alertIds: [...entry.alertIds].sort() });
  }
  const matrix = new Map(report.techniques.tactics.map((t, i) => [t.shortname, i]));
  steps.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || (matrix.get(a.tactic.shortname) ?? 0) - (matrix.get(b.tactic.shortname) ?? 0) || a.techniqueId.localeCompare(b.techniqueId));
  return steps;
}

/**
 * The alerts (source ids) whose evidence carried each observable, read with the same extraction
 * the import records sightings with.
 */
export function alertsOfObservables(incident: Incident): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const alert of incident.alerts) {
    for (const entity of alert.evidence) {
      for (const o of extractObservables(entity)) {
        const id = observableId(o.type, o.value);
        const set = out.get(id) ?? new Set<string>();
        set.add(alert.sourceId);
        out.set(id, set);
      }
    }
  }
  return new Map([...out].map(([id, set]) => [id, [...set].sort()]));
}

/** Observables that one piece of evidence carried together: a file's name and hashes, a host and its address. */
function groupsOf(incident: Incident, observables: ShareObservable[]): ShareDocument['groups'] {
  const known = new Set(observables.map((o) => o.id));
  const groups: ShareDocument['groups'] = [];
  const seen = new Set<string>();
  for (const alert of incident.alerts) {
    for (const entity of alert.evidence) {
      const found = extractObservables(entity).map((o) => ({ ...o, id: observableId(o.type, o.value) })).filter((o) => known.has(o.id));
      const file = found.filter((o) => o.type === 'file-name' || o.type === 'md5' || o.type === 'sha1' || o.type === 'sha256');
      const network = found.filter((o) => o.type === 'domain' || o.type === 'host' || o.type === 'ipv4' || o.type === 'ipv6');
      for (const [kind, members] of [['file', file], ['domain-ip', network]] as const) {
        const ids = members.map((m) => m.id).sort();
        const key = `${kind}\u0000${ids.join(',')}`;
        if (ids.length < 2 || seen.has(key)) continue;
        seen.add(key);
        groups.push({ kind, observableIds: ids });
      }
    }
  }
  return groups;
}
