import { strictestTlp, tlpRank, type ShareDocument, type ShareTlp } from './share-document.js';
import { stableId, stixTime, laterTime } from './stix-ids.js';
import { observablePattern, observableSco } from './stix-observables.js';
import { TLP_MARKING_IDS, tlpMarkingDefinition } from './tlp-markings.js';
import { dropAboveTlp, dropUnreferencedContext, type StixObject } from './stix-tlp-filter.js';

/**
 * The incident as a STIX 2.1 bundle for a partner CERT or an ISAC: the team's identity, the
 * incident with the review's summary, the ATT&CK techniques as attack-patterns, the observables
 * as SCOs (observed-data for each, an indicator and a sighting for each IOC), the attribution, the
 * shareable follow-ups as courses of action, and the relationships between them. Every object
 * carries its TLP 2.0 marking; with `tlpMax` nothing above that level is written, nor anything
 * that would only point at what was left out.
 */

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface StixExportOptions {
  /** Leave out every object marked above this level. */
  tlpMax?: ShareTlp;
}

/** ATT&CK objects: public in themselves, shared under a TLP limit only where something kept refers to them. */
const CONTEXT_TYPES: ReadonlySet<string> = new Set(['attack-pattern', 'intrusion-set', 'campaign']);

/** Public knowledge (ATT&CK objects, the team's name) is TLP:CLEAR. */
const PUBLIC: ShareTlp = 'clear';

export function renderStixBundle(doc: ShareDocument, options: StixExportOptions = {}): StixBundle {
  const inc = doc.incident;
  const created = stixTime(inc.createdAt);
  const modified = laterTime(inc.updatedAt, inc.createdAt);
  const identityId = stableId('identity', 'team', doc.team.name);
  const incidentId = stableId('incident', inc.id);
  const objects: StixObject[] = [];
  const levels = new Map<string, ShareTlp>();
  const add = (object: StixObject, tlp: ShareTlp) => {
    levels.set(object.id, tlp);
    objects.push({ ...object, object_marking_refs: [TLP_MARKING_IDS[tlp]] });
  };
  const sdo = (type: string, id: string) => ({ type, spec_version: '2.1' as const, id, created, modified, created_by_ref: identityId });
  const relate = (source: string, type: string, target: string, extra: Record<string, unknown> = {}) => {
    const tlp = strictestTlp(levels.get(source) ?? inc.tlp, levels.get(target) ?? inc.tlp);
    add({ ...sdo('relationship', stableId('relationship', inc.id, source, type, target)), relationship_type: type, source_ref: source, target_ref: target, ...extra }, tlp);
  };

  // The identity is the same object in every export of the team: a fixed creation time.
  add({ type: 'identity', spec_version: '2.1', id: identityId, created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', name: doc.team.name, identity_class: 'organization' }, PUBLIC);

  const verdict = [inc.classification, inc.determination].filter(Boolean).join(', ');
  add(
    {
      ...sdo('incident', incidentId),
      name: inc.title,
      description: doc.summary,
      labels: [`severity:${inc.severity.toLowerCase()}`, `status:${inc.status.toLowerCase()}`, ...(verdict ? [`classification:${verdict.toLowerCase()}`] : [])],
      external_references: [{ source_name: 'hindsight', external_id: inc.id, description: `${inc.source} ${inc.sourceId}` }],
    },
    inc.tlp,
  );

  const patternIds = new Map<string, string>();
  for (const t of doc.techniques) {
    const id = stableId('attack-pattern', inc.id, t.id);
    patternIds.set(t.id, id);
    add(
      {
        ...sdo('attack-pattern', id),
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        kill_chain_phases: t.tactics.map((tac) => ({ kill_chain_name: 'mitre-attack', phase_name: tac.shortname })),
        external_references: [{ source_name: 'mitre-attack', external_id: t.id, ...(t.url ? { url: t.url } : {}) }],
      },
      PUBLIC,
    );
    relate(incidentId, 'uses', id);
  }

  const stepAlerts = new Map<string, Set<string>>();
  for (const step of doc.steps) {
    const set = stepAlerts.get(step.techniqueId) ?? new Set<string>();
    for (const a of step.alertIds) set.add(a);
    stepAlerts.set(step.techniqueId, set);
  }

  for (const o of doc.observables) {
    const sco = observableSco(o, [TLP_MARKING_IDS[o.tlp]]);
    if (!sco) continue;
    if (!levels.has(sco.id)) {
      levels.set(sco.id, o.tlp);
      objects.push(sco);
    }
    const first = stixTime(o.firstSeen ?? inc.createdAt);
    const last = laterTime(o.lastSeen ?? first, first);
    const observedId = stableId('observed-data', inc.id, o.id);
    add({ ...sdo('observed-data', observedId), first_observed: first, last_observed: last, number_observed: Math.max(1, o.alertIds.length), object_refs: [sco.id] }, o.tlp);
    relate(incidentId, 'related-to', observedId);
    const pattern = o.ioc ? observablePattern(o) : null;
    if (!pattern) continue;
    const indicatorId = stableId('indicator', inc.id, o.id);
    add(
      {
        ...sdo('indicator', indicatorId),
        name: `${o.type}: ${o.value}`,
        description: `Seen in incident "${inc.title}" (${inc.id}).`,
        indicator_types: ['malicious-activity'],
        pattern,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: first,
        ...(o.tags.length ? { labels: [...o.tags] } : {}),
      },
      o.tlp,
    );
    relate(indicatorId, 'based-on', observedId);
    for (const t of doc.techniques) {
      const alerts = stepAlerts.get(t.id);
      const patternId = patternIds.get(t.id);
      if (patternId && alerts && o.alertIds.some((a) => alerts.has(a))) relate(indicatorId, 'indicates', patternId);
    }
    add(
      {
        ...sdo('sighting', stableId('sighting', inc.id, o.id)),
        description: `Sighted in incident "${inc.title}" (${inc.id}).`,
        first_seen: first,
        last_seen: last,
        count: Math.max(1, o.alertIds.length),
        sighting_of_ref: indicatorId,
        observed_data_refs: [observedId],
        where_sighted_refs: [identityId],
      },
      o.tlp,
    );
  }

  for (const actor of doc.attribution) {
    const id = stableId(actor.type, inc.id, actor.id);
    add(
      {
        ...sdo(actor.type, id),
        name: actor.name,
        ...(actor.aliases.length ? { aliases: [...actor.aliases] } : {}),
        external_references: [{ source_name: 'mitre-attack', external_id: actor.id, ...(actor.url ? { url: actor.url } : {}) }],
      },
      PUBLIC,
    );
    relate(incidentId, 'attributed-to', id, { confidence: actor.confidence, description: `Attribution confidence ${actor.confidenceLabel} (${actor.confidence}/100).` });
  }

  for (const action of doc.actions) {
    const id = stableId('course-of-action', inc.id, action.id);
    add({ ...sdo('course-of-action', id), name: action.title, ...(action.description ? { description: action.description } : {}) }, inc.tlp);
    const targets = action.techniqueIds.map((t) => patternIds.get(t)).filter((x): x is string => Boolean(x));
    if (targets.length) for (const target of targets) relate(id, 'mitigates', target);
    else relate(id, 'related-to', incidentId);
  }

  const kept = options.tlpMax ? dropUnreferencedContext(dropAboveTlp(objects, levels, options.tlpMax), CONTEXT_TYPES) : objects;
  const used = [...new Set(kept.flatMap((o) => (Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as string[]) : [])))];
  const markings = (Object.keys(TLP_MARKING_IDS) as ShareTlp[])
    .filter((level) => used.includes(TLP_MARKING_IDS[level]))
    .sort((a, b) => tlpRank(a) - tlpRank(b))
    .map((level) => tlpMarkingDefinition(level) as unknown as StixObject);
  return { type: 'bundle', id: stableId('bundle', inc.id, 'stix', options.tlpMax ?? 'all', doc.generatedAt), objects: [...markings, ...kept] };
}
