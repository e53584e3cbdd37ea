import type { KnowledgeBase } from '../../attack/types.js';
import type { Incident } from '../../model/index.js';
import { buildAttributionIndex, type AttributionIndex } from './build-index.js';
import { rankCandidates } from './rank.js';
import type { CandidateType, Confidence, Observation } from './types.js';

export interface IncidentObservation {
  observation: Observation;
  /** Software recognised in the evidence, with what named it. */
  software: { id: string; name: string; seenAs: string[] }[];
  /** Technique IDs on alerts that this ATT&CK version does not know. */
  unknownTechniques: string[];
}

/**
 * What an incident shows, as an attribution observation: each technique counted once per alert
 * that carried it (revoked IDs followed), the software the evidence names (Defender malware
 * families such as `HackTool:Win64/Mimikatz`, alerts' threat family names, and tool executables
 * such as `PsExec64.exe` or `rclone.exe`, each kept only when ATT&CK knows it by name or alias),
 * and the activity window.
 */
export function observationFromIncident(incident: Incident, kb: KnowledgeBase): IncidentObservation {
  const counts = new Map<string, number>();
  const unknown = new Set<string>();
  const software = new Map<string, { id: string; name: string; seenAs: Set<string> }>();
  let start: string | null = null;
  let end: string | null = null;

  const recognise = (candidate: string | null | undefined) => {
    if (!candidate) return;
    for (const name of softwareNameCandidates(candidate)) {
      const found = kb.softwareByRef(name);
      if (!found) continue;
      const entry = software.get(found.object.id) ?? { id: found.object.id, name: found.object.name, seenAs: new Set<string>() };
      entry.seenAs.add(candidate);
      software.set(found.object.id, entry);
      return;
    }
  };

  for (const alert of incident.alerts) {
    const seen = new Set<string>();
    for (const ref of alert.techniques) {
      const t = kb.technique(ref);
      if (!t) {
        unknown.add(ref.trim().toUpperCase());
        continue;
      }
      if (seen.has(t.object.id)) continue;
      seen.add(t.object.id);
      counts.set(t.object.id, (counts.get(t.object.id) ?? 0) + 1);
    }
    recognise(alert.threatFamilyName);
    recognise(alert.threatDisplayName);
    for (const e of alert.evidence) {
      if (e.kind === 'malware') recognise(String(e.attributes['name'] ?? e.displayName));
      if (e.kind === 'process') recognise(String(e.attributes['imageFile.fileName'] ?? ''));
      if (e.kind === 'file') recognise(String(e.attributes['fileDetails.fileName'] ?? ''));
    }
    const first = alert.firstActivityAt ?? alert.createdAt;
    const last = alert.lastActivityAt ?? alert.createdAt;
    if (!start || first < start) start = first;
    if (!end || last > end) end = last;
  }

  return {
    observation: {
      techniques: [...counts.entries()].map(([id, count]) => ({ id, count })),
      software: [...software.keys()],
      timeWindow: start || end ? { start, end } : null,
    },
    software: [...software.values()].map((s) => ({ id: s.id, name: s.name, seenAs: [...s.seenAs] })),
    unknownTechniques: [...unknown].sort(),
  };
}

/**
 * Names a piece of evidence may know a tool by, most specific first:
 * `HackTool:Win64/Mimikatz.A!dha` -> `Mimikatz`; `PsExec64.exe` -> `PsExec64`, `PsExec`;
 * `Backdoor:Win64/CobaltStrike.NP!dha` -> `CobaltStrike`, `Cobalt Strike`.
 */
export function softwareNameCandidates(raw: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    const t = s.trim();
    if (t.length >= 3 && !out.includes(t)) out.push(t);
  };
  let name = raw.trim();
  const defender = /^[A-Za-z]+:[A-Za-z0-9]+\/([^.!]+)/.exec(name);
  if (defender?.[1]) name = defender[1];
  else name = name.replace(/\.(exe|dll|ps1|bat|cmd|sys|bin|elf|sh|py|js|vbs)$/i, '');
  add(name);
  add(name.replace(/(64|32|_x64|_x86|-x64|-x86)$/i, ''));
  add(name.replace(/([a-z])([A-Z])/g, '$1 $2'));
  return out;
}

/** The "Actors" part of a review: the top candidates with their reasons, or the statement that the evidence does not support attribution. */
export interface IncidentActors {
  attributed: boolean;
  confidence: Confidence;
  statement: string;
  observedTechniques: number;
  software: { id: string; name: string; seenAs: string[] }[];
  candidates: {
    id: string;
    name: string;
    type: CandidateType;
    aliases: string[];
    confidence: Confidence;
    probability: number;
    sharedTechniques: { id: string; name: string; weight: number }[];
    sharedSoftware: { id: string; name: string }[];
    huntFor: { id: string; name: string }[];
  }[];
}

const indexes = new WeakMap<KnowledgeBase, AttributionIndex>();

/** Attributes one incident (the attribution index is built once per knowledge base). */
export function attributeIncident(incident: Incident, kb: KnowledgeBase, top = 3): IncidentActors {
  let index = indexes.get(kb);
  if (!index) {
    index = buildAttributionIndex(kb);
    indexes.set(kb, index);
  }
  const fromIncident = observationFromIncident(incident, kb);
  const result = rankCandidates(index, fromIncident.observation, { top });
  return {
    attributed: result.verdict.attributed,
    confidence: result.verdict.confidence,
    statement: result.verdict.statement,
    observedTechniques: result.observed.techniques.length,
    software: fromIncident.software,
    candidates: result.candidates.map((c) => ({
      id: c.id,
      name: c.name,
      type: c.type,
      aliases: c.aliases,
      confidence: c.confidence,
      probability: c.probability,
      sharedTechniques: c.evidence.sharedTechniques.slice(0, 6).map((t) => ({ id: t.id, name: t.name, weight: Math.round(t.weight * 100) / 100 })),
      sharedSoftware: c.evidence.sharedSoftware.map((s) => ({ id: s.id, name: s.name })),
      huntFor: c.evidence.unobservedCharacteristic.slice(0, 4).map((t) => ({ id: t.id, name: t.name })),
    })),
  };
}
