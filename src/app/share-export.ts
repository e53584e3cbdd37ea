/**
 * Sharing an incident with a partner CERT or an ISAC: the review, its observables and ATT&CK
 * gathered into one share document, rendered as a STIX 2.1 bundle, a MISP event or an Attack Flow,
 * and the attack story the web app and the report draw from the same document.
 */
import type { KnowledgeBase } from '../attack/types.js';
import { renderAttackFlow } from '../export/attack-flow.js';
import { buildAttackStory, type AttackStory } from '../export/attack-story.js';
import { renderMispEvent } from '../export/misp-event.js';
import { alertsOfObservables, buildShareDocument } from '../export/share-from-review.js';
import type { ShareDocument, ShareObservable, ShareTlp } from '../export/share-document.js';
import { renderStixBundle } from '../export/stix-bundle.js';
import type { Reader } from '../model/accounts.js';
import { InputError, UsageError } from '../model/errors.js';
import type { StoredIncident } from '../model/index.js';
import { parseTlp, type Observable, type TlpLevel } from '../model/observables.js';
import type { ReviewReport } from '../review/report.js';
import type { OpenedStore } from '../store/index.js';
import { incidentTlp, observablesOfIncident } from './observables.js';
import { loadReviewDocument } from './review-document.js';

export const SHARE_FORMATS = ['stix', 'misp', 'attack-flow'] as const;
export type ShareFormat = (typeof SHARE_FORMATS)[number];

/** The team that shares, as the exports name it: HINDSIGHT_TEAM_NAME, else "Hindsight". */
export function teamNameOf(env: NodeJS.ProcessEnv): string {
  const name = env.HINDSIGHT_TEAM_NAME?.trim();
  return name ? name.slice(0, 200) : 'Hindsight';
}

/** A format name as given on the command line or in a query, or a usage error. */
export function parseShareFormat(text: string): ShareFormat {
  if ((SHARE_FORMATS as readonly string[]).includes(text)) return text as ShareFormat;
  throw new UsageError(`--format must be stix, misp or attack-flow, not "${text}"`);
}

/** A `--tlp-max` level (`amber`, `TLP:AMBER+STRICT`, `clear`; WHITE reads as CLEAR), or a usage error. */
export function parseTlpMax(text: string): TlpLevel {
  const level = parseTlp(text);
  if (!level) throw new UsageError(`--tlp-max must be one of clear, green, amber, amber+strict, red, not "${text}"`);
  return level;
}

export interface ShareOptions {
  team: string;
  now?: Date;
  /** The review document, when the caller already has it (the server's cache). */
  report?: ReviewReport;
}

const shareTlp = (level: TlpLevel): ShareTlp => level.toLowerCase() as ShareTlp;

/** The share document of an incident the reader may see. */
export async function shareDocumentOf(store: OpenedStore, kb: KnowledgeBase, incident: StoredIncident, reader: Reader, options: ShareOptions): Promise<ShareDocument> {
  const [observables, tlp, report] = await Promise.all([
    observablesOfIncident(store, incident.id, reader),
    incidentTlp(store, incident.id),
    options.report ? Promise.resolve(options.report) : loadReviewDocument(store, kb, incident, { rules: null, ...(options.now ? { now: options.now } : {}) }),
  ]);
  const alerts = alertsOfObservables(incident);
  return buildShareDocument({
    report,
    incident,
    kb,
    observables: observables.map((o) => shareObservable(o, alerts.get(o.id) ?? [])),
    team: options.team,
    incidentTlp: shareTlp(tlp),
    now: options.now ?? new Date(),
  });
}

/** An observable as the exports see it, with the alerts of this incident that carried it. */
function shareObservable(o: Observable, alertIds: string[]): ShareObservable {
  return { id: o.id, type: o.type, value: o.value, ioc: o.ioc, tlp: shareTlp(o.tlp), tags: [...o.tags], firstSeen: o.firstSeen, lastSeen: o.lastSeen, alertIds };
}

export interface ShareExport {
  format: ShareFormat;
  /** The JSON text of the export. */
  body: string;
  contentType: string;
  filename: string;
  /** Objects by type (STIX, Attack Flow) or attributes by type and objects by name (MISP). */
  counts: Record<string, number>;
}

/** Renders the share document in one of the formats, with nothing above `tlpMax`. */
export function renderShareExport(doc: ShareDocument, format: ShareFormat, tlpMax?: TlpLevel): ShareExport {
  const max = tlpMax ? shareTlp(tlpMax) : undefined;
  const opts = max ? { tlpMax: max } : {};
  const base = `${doc.incident.id}${max ? `-tlp-${max.replace('+', '-')}` : ''}`;
  if (format === 'misp') {
    const event = renderMispEvent(doc, opts);
    const counts: Record<string, number> = {};
    for (const a of event.Event.Attribute) counts[`Attribute:${a.type}`] = (counts[`Attribute:${a.type}`] ?? 0) + 1;
    for (const o of event.Event.Object) {
      counts[`Object:${o.name}`] = (counts[`Object:${o.name}`] ?? 0) + 1;
      for (const a of o.Attribute) counts[`Attribute:${a.type}`] = (counts[`Attribute:${a.type}`] ?? 0) + 1;
    }
    counts.Tag = event.Event.Tag.length;
    return { format, body: `${JSON.stringify(event, null, 2)}\n`, contentType: 'application/json', filename: `${base}.misp.json`, counts };
  }
  if (format === 'attack-flow') {
    const incidentAllowed = !max || ['clear', 'green', 'amber', 'amber+strict', 'red'].indexOf(doc.incident.tlp) <= ['clear', 'green', 'amber', 'amber+strict', 'red'].indexOf(max);
    if (doc.steps.length === 0) throw new InputError(`incident ${doc.incident.id} has no ATT&CK technique in its sequence of events: there is no attack flow to export`);
    if (!incidentAllowed) throw new InputError(`incident ${doc.incident.id} is TLP:${doc.incident.tlp.toUpperCase()}: an attack flow limited to TLP:${max?.toUpperCase()} would have no steps`);
    const bundle = renderAttackFlow(doc, opts);
    return { format, body: `${JSON.stringify(bundle, null, 2)}\n`, contentType: 'application/json', filename: `${base}.attack-flow.json`, counts: countTypes(bundle.objects) };
  }
  const bundle = renderStixBundle(doc, opts);
  return { format, body: `${JSON.stringify(bundle, null, 2)}\n`, contentType: 'application/stix+json;version=2.1', filename: `${base}.stix.json`, counts: countTypes(bundle.objects) };
}

function countTypes(objects: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.type] = (counts[o.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The attack story of an incident: the same steps, assets and observables as its Attack Flow. */
export async function attackStoryOf(store: OpenedStore, kb: KnowledgeBase, incident: StoredIncident, reader: Reader, options: ShareOptions): Promise<AttackStory> {
  return buildAttackStory(await shareDocumentOf(store, kb, incident, reader, options));
}
