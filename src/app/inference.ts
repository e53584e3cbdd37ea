import { observationFromIncident } from '../analysis/attribution/from-incident.js';
import { resolveObservation } from '../analysis/attribution/observation.js';
import { dataSourcesToCheck, inferTechniques, platformsOfIncident, trainInference, type InferenceModel, type InferenceResult } from '../analysis/inference/index.js';
import type { KnowledgeBase } from '../attack/types.js';
import { buildNavigatorLayer, type NavigatorLayer } from '../export/navigator.js';
import { InputError, NotFoundError, UsageError } from '../model/errors.js';
import type { StoredIncident } from '../model/index.js';
import type { InferenceAnswer } from '../model/inference.js';
import { listConfirmedTechniques } from '../store/coverage/confirmed-techniques.js';
import type { OpenedStore } from '../store/index.js';
import { dismissTechnique, listDismissals, undismissTechnique, type InferenceDismissal } from '../store/rules/dismissals.js';
import { auditedWrite } from './audit.js';
import { confirmTechniques } from './coverage.js';
import { storedRuleIndex, type RuleIndex } from './rule-index.js';

/**
 * Technique inference for the front ends: the model trained once per loaded ATT&CK data (lazily, at
 * the first inference; a few hundred milliseconds), observations read from the user's IDs or from an
 * incident (its alerts' techniques, the techniques its review confirmed, the software in its
 * evidence, its devices' platforms), the rule counts of the stored inventory, and the analysts'
 * confirm/dismiss decisions.
 */

const models = new Map<string, { kb: KnowledgeBase; model: InferenceModel }>();

/** The model of this knowledge base, trained on first use and kept per ATT&CK data. */
export function inferenceModelFor(kb: KnowledgeBase): InferenceModel {
  const key = `${kb.meta.domain}@${kb.meta.version}/${kb.meta.specVersion}|${kb.meta.source}`;
  const cached = models.get(key);
  if (cached) return cached.model;
  const model = trainInference(kb);
  models.set(key, { kb, model });
  return model;
}

function answerOf(kb: KnowledgeBase, result: InferenceResult, rules: RuleIndex | null, extra: Pick<InferenceAnswer, 'notes' | 'incident' | 'dismissed'>): InferenceAnswer {
  return {
    attackVersion: result.attackVersion,
    observed: result.observed,
    techniques: result.techniques.map((t) => ({
      id: t.id,
      name: t.name,
      tactics: t.tactics,
      score: t.score,
      because: t.because,
      rules: rules?.index.get(t.id) ?? 0,
      baseRate: t.baseRate,
      software: t.software,
      dataSources: dataSourcesToCheck(kb, t.id),
    })),
    thin: result.thin,
    note: result.note,
    rulesSource: rules?.source ?? null,
    ...extra,
  };
}

/** Inference from technique and software references: unknown ones refused (exit 2) naming them, revoked ones remapped with a note. */
export function inferFromReferences(kb: KnowledgeBase, input: { techniques: readonly string[]; software?: readonly string[]; top: number; rules: RuleIndex | null }): InferenceAnswer {
  const resolved = resolveObservation(kb, { techniques: [...input.techniques], software: [...(input.software ?? [])] });
  const unknown = [...resolved.unknownTechniques.map((t) => `technique ${t}`), ...resolved.unknownSoftware.map((s) => `software ${s}`)];
  if (unknown.length) throw new InputError(`unknown to ATT&CK ${kb.meta.domain} v${kb.meta.version}: ${unknown.join(', ')}`);
  const result = inferTechniques(inferenceModelFor(kb), { techniques: resolved.techniques.map((t) => t.id), software: resolved.software, top: input.top });
  return answerOf(kb, result, input.rules, { notes: resolved.notes.map((n) => n.note), incident: null, dismissed: [] });
}

/**
 * Inference for a stored incident: what its alerts showed and its review confirmed is observed;
 * dismissed suggestions are left out (and listed). `extraSoftware` adds software the user names.
 */
export async function inferForIncident(store: OpenedStore, kb: KnowledgeBase, incident: StoredIncident, options: { top: number; extraSoftware?: readonly string[]; rules?: RuleIndex | null }): Promise<InferenceAnswer> {
  const extra = resolveObservation(kb, { techniques: [], software: [...(options.extraSoftware ?? [])] });
  if (extra.unknownSoftware.length) throw new InputError(`unknown to ATT&CK ${kb.meta.domain} v${kb.meta.version}: software ${extra.unknownSoftware.join(', software ')}`);
  const [confirmed, dismissals] = await Promise.all([listConfirmedTechniques(store.db, incident.id), listDismissals(store.db, incident.id)]);
  const rules = options.rules === undefined ? await storedRuleIndex(store, kb) : options.rules;
  return inferForStoredIncident(kb, incident, { confirmed: confirmed.map((c) => c.techniqueId), dismissals, software: extra.software, top: options.top, rules });
}

/** The inference of an incident from what was read about it (the review document calls this with its inputs). */
export function inferForStoredIncident(
  kb: KnowledgeBase,
  incident: StoredIncident,
  input: { confirmed: readonly string[]; dismissals: readonly InferenceDismissal[]; software?: readonly string[]; top: number; rules: RuleIndex | null },
): InferenceAnswer {
  const fromIncident = observationFromIncident(incident, kb);
  const notes: string[] = [];
  const observed = new Set(fromIncident.observation.techniques.map((t) => (typeof t === 'string' ? t : t.id)));
  for (const id of input.confirmed) {
    const t = kb.technique(id);
    if (t) observed.add(t.object.id);
  }
  const software = [...new Set([...(fromIncident.observation.software ?? []), ...(input.software ?? [])])];
  for (const s of fromIncident.software) notes.push(`software ${s.id} ${s.name} recognised in the evidence (${s.seenAs.join(', ')})`);
  if (fromIncident.unknownTechniques.length) notes.push(`techniques unknown to ATT&CK ${kb.meta.version} ignored: ${fromIncident.unknownTechniques.join(', ')}`);
  const platforms = platformsOfIncident(incident);
  if (platforms.length) notes.push(`assets' platforms: ${platforms.join(', ')}`);
  const dismissed = new Set(input.dismissals.map((d) => kb.technique(d.techniqueId)?.object.id ?? d.techniqueId));
  const result = inferTechniques(inferenceModelFor(kb), { techniques: [...observed], software, platforms, top: input.top + dismissed.size });
  result.techniques = result.techniques.filter((t) => !dismissed.has(t.id)).slice(0, input.top);
  return answerOf(kb, result, input.rules, {
    notes,
    incident: { id: incident.id, sourceId: incident.sourceId, title: incident.title },
    dismissed: input.dismissals.map((d) => ({ techniqueId: d.techniqueId, dismissedBy: d.dismissedBy, dismissedAt: d.dismissedAt, reason: d.reason })),
  });
}

function liveTechniques(kb: KnowledgeBase, techniques: readonly string[]): string[] {
  const unknown = techniques.filter((t) => !kb.technique(t.trim()) || !/^T\d{4}(\.\d{3})?$/i.test(t.trim()));
  if (unknown.length) throw new UsageError(`unknown to ATT&CK ${kb.meta.domain} v${kb.meta.version}: technique ${unknown.join(', technique ')}`);
  return [...new Set(techniques.map((t) => kb.technique(t.trim())!.object.id))];
}

/** An analyst confirms inferred techniques: they join the review's confirmed techniques (coverage's "missed"), and any dismissal of them is taken back. */
export async function confirmInferred(store: OpenedStore, kb: KnowledgeBase, actor: string, incidentRef: string, techniques: readonly string[], reason: string | null): Promise<{ incident: string; confirmed: string[] }> {
  const live = liveTechniques(kb, techniques);
  return store.transaction(async (tx) => {
    const result = await confirmTechniques(tx, kb, actor, incidentRef, { techniques: live, confirmedBy: actor, note: reason ?? 'confirmed from the inferred techniques' });
    for (const id of live) {
      if (await undismissTechnique(tx.db, result.incident, id)) {
        await auditedWrite(tx, { actor, operation: 'inference.undismiss' }, async () => ({ result: null, entityId: `${result.incident}/${id}`, before: { dismissed: id }, after: null }));
      }
    }
    return { incident: result.incident, confirmed: result.confirmed.map((c) => c.techniqueId) };
  });
}

/** An analyst dismisses inferred techniques for an incident: stored, audited, left out of later inferences. */
export async function dismissInferred(store: OpenedStore, kb: KnowledgeBase, actor: string, incidentRef: string, techniques: readonly string[], reason: string | null): Promise<{ incident: string; dismissed: string[] }> {
  const live = liveTechniques(kb, techniques);
  const incident = await store.getIncident(incidentRef);
  if (!incident) throw new NotFoundError(`no incident "${incidentRef}" in ${store.location}`);
  const at = new Date().toISOString();
  return auditedWrite(store, { actor, operation: 'inference.dismiss' }, async (tx) => {
    for (const id of live) await dismissTechnique(tx.db, { incidentId: incident.id, techniqueId: id, dismissedBy: actor, dismissedAt: at, reason });
    return { result: { incident: incident.id, dismissed: live }, entityId: incident.id, after: { dismissed: live, reason } };
  });
}

/** Incidents the layer across incidents reads at most (the most recent ones). */
export const INFERENCE_LAYER_INCIDENTS = 100;

/**
 * The inference as a Navigator layer (4.5): for one incident, each suggestion scored 1–100 by its
 * inference score; across incidents, each technique scored by the number of incidents whose top 10
 * suggest it. Observed techniques are not on it: this is the layer of what no alert showed.
 */
export async function inferenceLayer(store: OpenedStore, kb: KnowledgeBase, incidents: readonly StoredIncident[], scope: 'incident' | 'incidents'): Promise<NavigatorLayer> {
  const rules = await storedRuleIndex(store, kb);
  const totals = new Map<string, { score: number; reasons: Set<string> }>();
  for (const incident of incidents) {
    const answer = await inferForIncident(store, kb, incident, { top: 10, rules });
    for (const t of answer.techniques) {
      const entry = totals.get(t.id) ?? { score: 0, reasons: new Set<string>() };
      entry.score += scope === 'incident' ? Math.max(1, Math.round(t.score * 100)) : 1;
      for (const b of t.because.slice(0, 3)) entry.reasons.add(b.technique);
      totals.set(t.id, entry);
    }
  }
  const single = scope === 'incident' ? incidents[0] : undefined;
  return buildNavigatorLayer(kb, {
    name: single ? `Probably also happened: ${single.sourceId}`.slice(0, 120) : 'Probably also happened, across incidents',
    description: single
      ? `Techniques inferred for incident ${single.id} that no alert showed; score = inference score (1-100).`
      : `Techniques inferred for the ${incidents.length} most recent incidents; score = number of incidents whose top 10 suggest it.`,
    entries: [...totals].map(([techniqueId, e]) => ({ techniqueId, score: e.score, comment: `because of ${[...e.reasons].join(', ')}${rules ? `; ${rules.index.get(techniqueId) ?? 0} rule(s)` : ''}` })),
  });
}
