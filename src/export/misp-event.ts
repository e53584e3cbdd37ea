import { v5 as uuidv5 } from 'uuid';
import { strictestTlp, tlpRank, type ShareDocument, type ShareObservable, type ShareTlp } from './share-document.js';
import { stixTime, utf8 } from './stix-ids.js';
import { MISP_OBJECT_TEMPLATES, mispAnalysis, mispDistribution, mispThreatLevel, mispTlpTag, mispTyping } from './misp-types.js';

/**
 * The incident as a MISP event in the MISP core format (`{"Event": {...}}`), importable by a MISP
 * instance: the incident's title, date, threat level and analysis state; the observables as
 * attributes with MISP's types and categories and `to_ids` from the IOC flag, grouped into `file`
 * and `domain-ip` objects where one piece of evidence carried them together; TLP and ATT&CK
 * techniques (and the attributed groups) as tags from MISP's taxonomies and galaxies.
 */

export interface MispTag {
  name: string;
}

export interface MispAttribute {
  uuid: string;
  type: string;
  category: string;
  value: string;
  to_ids: boolean;
  distribution: string;
  comment: string;
  timestamp: string;
  first_seen?: string;
  last_seen?: string;
  object_relation?: string;
  Tag: MispTag[];
}

export interface MispObject {
  uuid: string;
  name: string;
  'meta-category': string;
  description: string;
  template_uuid: string;
  template_version: string;
  distribution: string;
  comment: string;
  timestamp: string;
  Attribute: MispAttribute[];
}

export interface MispEvent {
  Event: {
    uuid: string;
    info: string;
    date: string;
    threat_level_id: string;
    analysis: string;
    distribution: string;
    published: boolean;
    timestamp: string;
    Orgc: { name: string; uuid: string };
    Tag: MispTag[];
    Attribute: MispAttribute[];
    Object: MispObject[];
  };
}

export interface MispExportOptions {
  tlpMax?: ShareTlp;
}

/** Hindsight's namespace for MISP uuids (stable per incident and observable, so a re-export updates the event). */
const MISP_NAMESPACE = uuidv5('https://github.com/hindsight-ir/hindsight/misp', uuidv5.URL);

export function renderMispEvent(doc: ShareDocument, options: MispExportOptions = {}): MispEvent {
  const inc = doc.incident;
  const allowed = (tlp: ShareTlp) => !options.tlpMax || tlpRank(tlp) <= tlpRank(options.tlpMax);
  const uuid = (...key: string[]) => uuidv5(utf8([inc.id, ...key].join('\u0000')), MISP_NAMESPACE);
  const epoch = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));
  const timestamp = epoch(doc.generatedAt);
  // The event carries the incident's own words only where its marking allows them.
  const incidentShown = allowed(inc.tlp);

  const observables = doc.observables.filter((o) => allowed(o.tlp));
  const attributeOf = (o: ShareObservable, relation: boolean): MispAttribute => {
    const typing = mispTyping(o);
    return {
      uuid: uuid('attribute', o.id),
      type: typing.type,
      category: typing.category,
      value: o.value,
      to_ids: o.ioc && typing.type !== 'text' && typing.type !== 'target-user',
      distribution: mispDistribution(o.tlp),
      comment: [o.type === typing.type ? '' : `${o.type}`, o.tags.length ? `tags: ${o.tags.join(', ')}` : ''].filter(Boolean).join('; '),
      timestamp,
      ...(o.firstSeen ? { first_seen: stixTime(o.firstSeen) } : {}),
      ...(o.lastSeen ? { last_seen: stixTime(o.lastSeen) } : {}),
      ...(relation && typing.objectRelation ? { object_relation: typing.objectRelation } : {}),
      Tag: [{ name: mispTlpTag(o.tlp) }, ...o.tags.map((t) => ({ name: t }))],
    };
  };

  const grouped = new Set<string>();
  const objects: MispObject[] = [];
  const byId = new Map(observables.map((o) => [o.id, o]));
  for (const group of doc.groups) {
    const template = MISP_OBJECT_TEMPLATES[group.kind];
    const once = new Set<string>();
    // A relation the template allows once (a file's sha256, a tuple's hostname) takes the first; the rest stay attributes.
    const members = group.observableIds
      .map((id) => byId.get(id))
      .filter((o): o is ShareObservable => o !== undefined && !grouped.has(o.id) && mispTyping(o).object === group.kind)
      .filter((o) => {
        const relation = mispTyping(o).objectRelation ?? '';
        if (!(template.single as readonly string[]).includes(relation)) return true;
        if (once.has(relation)) return false;
        once.add(relation);
        return true;
      });
    // An object is worth its name only when it ties two things together.
    if (members.length < 2) continue;
    if (group.kind === 'domain-ip' && !members.some((m) => mispTyping(m).objectRelation === 'ip')) continue;
    for (const m of members) grouped.add(m.id);
    objects.push({
      uuid: uuid('object', group.kind, ...members.map((m) => m.id)),
      name: template.name,
      'meta-category': template.metaCategory,
      description: template.description,
      template_uuid: template.uuid,
      template_version: template.version,
      distribution: mispDistribution(strictestTlp(...members.map((m) => m.tlp))),
      comment: '',
      timestamp,
      Attribute: members.map((m) => attributeOf(m, true)),
    });
  }
  const attributes = observables.filter((o) => !grouped.has(o.id)).map((o) => attributeOf(o, false));

  const text = (key: string, value: string, comment: string, category = 'Other'): MispAttribute => ({
    uuid: uuid('text', key),
    type: 'text',
    category,
    value,
    to_ids: false,
    distribution: mispDistribution(inc.tlp),
    comment,
    timestamp,
    Tag: [{ name: mispTlpTag(inc.tlp) }],
  });
  if (incidentShown) {
    if (doc.summary) attributes.push(text('summary', doc.summary, 'Post-incident review summary', 'Internal reference'));
    for (const a of doc.actions) attributes.push(text(`action:${a.id}`, a.description ? `${a.title}: ${a.description}` : a.title, 'Recommended course of action'));
  }
  for (const actor of doc.attribution) {
    attributes.push({
      uuid: uuid('attribution', actor.id),
      type: actor.type === 'campaign' ? 'campaign-name' : 'threat-actor',
      category: 'Attribution',
      value: actor.name,
      to_ids: false,
      distribution: mispDistribution(inc.tlp),
      comment: `${actor.id}; attribution confidence ${actor.confidenceLabel} (${actor.confidence}/100)`,
      timestamp,
      Tag: [{ name: mispTlpTag(inc.tlp) }],
    });
  }
  const attributionTags = incidentShown
    ? doc.attribution.filter((a) => a.type === 'intrusion-set').map((a) => ({ name: `misp-galaxy:mitre-intrusion-set="${galaxyValue(a.name, a.id)}"` }))
    : [];
  const kept = incidentShown ? attributes : attributes.filter((a) => a.category !== 'Attribution');

  const eventTlp = incidentShown ? inc.tlp : strictestTlp(...observables.map((o) => o.tlp));
  return {
    Event: {
      uuid: uuid('event'),
      info: incidentShown ? inc.title : `Indicators shared by ${doc.team.name}`,
      date: stixTime(inc.createdAt).slice(0, 10),
      threat_level_id: incidentShown ? mispThreatLevel(inc.severity) : '4',
      analysis: mispAnalysis(inc.status),
      distribution: mispDistribution(eventTlp),
      published: false,
      timestamp,
      Orgc: { name: doc.team.name, uuid: uuidv5(utf8(`team\u0000${doc.team.name}`), MISP_NAMESPACE) },
      Tag: [
        { name: mispTlpTag(eventTlp) },
        // The incident's techniques and attribution carry its marking: left out with it.
        ...(incidentShown ? doc.techniques.map((t) => ({ name: `misp-galaxy:mitre-attack-pattern="${galaxyValue(t.name, t.id)}"` })) : []),
        ...attributionTags,
      ],
      Attribute: kept,
      Object: objects,
    },
  };
}

/**
 * A MISP galaxy cluster value, `NAME - ID`. The tag quotes it, so a double quote inside a name
 * (none in ATT&CK, but names are data) becomes a single quote rather than ending the tag.
 */
function galaxyValue(name: string, id: string): string {
  return `${name.replace(/"/g, "'")} - ${id}`;
}
