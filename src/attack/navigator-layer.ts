/**
 * Reading ATT&CK Navigator layer files as threat profiles: layer format 4.x (`versions.layer`,
 * `domain: "enterprise-attack"`) and the older 3.0 / 2.x format (`version: "3.0"`,
 * `domain: "mitre-enterprise"`). Only what a threat profile needs is kept: the technique entries
 * with their scores, colours and enabled flags. A broken layer is refused with an InputError naming
 * the file and the JSON path at fault.
 */
import { isRecord } from '../model/json.js';
import { readFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';

export interface LayerTechniqueEntry {
  /** As written in the layer, upper-cased (`T1059.001`). */
  techniqueId: string;
  tactic: string | null;
  score: number | null;
  color: string | null;
  comment: string | null;
  /** `enabled` as written; a missing flag means enabled. */
  enabled: boolean;
}

export interface ThreatLayer {
  file: string;
  name: string;
  /** Layer format version: `4.5`, `4.2`, `3.0`... */
  layerVersion: string;
  /** Domain as written (`enterprise-attack`, `mitre-enterprise`). */
  domain: string | null;
  /** ATT&CK version the layer declares (4.x only). */
  attackVersion: string | null;
  techniques: LayerTechniqueEntry[];
}

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/i;
const DOMAINS = new Set(['enterprise-attack', 'mobile-attack', 'ics-attack', 'mitre-enterprise', 'mitre-mobile', 'mitre-ics', 'pre-attack', 'mitre-pre-attack']);

/** Parses the text of a Navigator layer file. `file` names the file in errors. */
export function parseNavigatorLayer(text: string, file: string): ThreatLayer {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${file}: not a JSON Navigator layer (${reason})`, { file });
  }
  return navigatorLayerFromJson(doc, file);
}

/** Validates a parsed Navigator layer document. */
export function navigatorLayerFromJson(doc: unknown, file: string): ThreatLayer {
  const fail = (path: string, reason: string): never => {
    throw new InputError(`${file}: ${path}: ${reason}`, { file, path });
  };
  if (Array.isArray(doc)) {
    if (doc.length !== 1) fail('$', `a threat layer file must hold one layer, not an array of ${doc.length}`);
    doc = doc[0];
  }
  if (!isRecord(doc)) return fail('$', 'a Navigator layer must be a JSON object');

  let layerVersion: string;
  let attackVersion: string | null = null;
  if (doc.versions !== undefined) {
    if (!isRecord(doc.versions)) return fail('$.versions', 'must be an object');
    const layer = doc.versions.layer;
    if (typeof layer !== 'string' || !/^4\.\d+$/.test(layer)) return fail('$.versions.layer', `expected a layer format 4.x, not ${JSON.stringify(layer)}`);
    layerVersion = layer;
    const attack = doc.versions.attack;
    if (attack !== undefined && typeof attack !== 'string') return fail('$.versions.attack', 'must be a string');
    attackVersion = attack ?? null;
  } else if (doc.version !== undefined) {
    const v = doc.version;
    if (typeof v !== 'string' || !/^[234](\.\d+)*$/.test(v)) return fail('$.version', `expected a layer format version like "3.0", not ${JSON.stringify(v)}`);
    layerVersion = v;
  } else {
    return fail('$', 'no layer format version (neither "versions.layer" of format 4.x nor "version" of format 3.0)');
  }

  if (typeof doc.name !== 'string') fail('$.name', 'must be a string');
  let domain: string | null = null;
  if (doc.domain !== undefined) {
    if (typeof doc.domain !== 'string' || !DOMAINS.has(doc.domain)) return fail('$.domain', `unknown ATT&CK domain ${JSON.stringify(doc.domain)}`);
    domain = doc.domain;
  }
  if (!Array.isArray(doc.techniques)) return fail('$.techniques', 'must be an array');

  const techniques: LayerTechniqueEntry[] = [];
  doc.techniques.forEach((entry: unknown, i: number) => {
    const at = `$.techniques[${i}]`;
    if (!isRecord(entry)) return fail(at, 'must be an object');
    const id = entry.techniqueID;
    if (typeof id !== 'string' || !TECHNIQUE_ID.test(id)) return fail(`${at}.techniqueID`, `not an ATT&CK technique ID: ${JSON.stringify(id)}`);
    let score: number | null = null;
    if (entry.score !== undefined && entry.score !== null && entry.score !== '') {
      if (typeof entry.score !== 'number' || !Number.isFinite(entry.score)) return fail(`${at}.score`, `must be a number, not ${JSON.stringify(entry.score)}`);
      score = entry.score;
    }
    const optionalString = (key: string): string | null => {
      const v = entry[key];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string') return fail(`${at}.${key}`, 'must be a string');
      return v;
    };
    const tactic = optionalString('tactic');
    const color = optionalString('color');
    const comment = optionalString('comment');
    if (entry.enabled !== undefined && typeof entry.enabled !== 'boolean') return fail(`${at}.enabled`, 'must be true or false');
    techniques.push({ techniqueId: id.toUpperCase(), tactic, score, color: color || null, comment, enabled: entry.enabled !== false });
  });

  return { file, name: doc.name as string, layerVersion, domain, attackVersion, techniques };
}

/** Reads and validates a Navigator layer file. */
export async function readNavigatorLayer(file: string): Promise<ThreatLayer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${file}: cannot read the Navigator layer (${reason})`, { file });
  }
  return parseNavigatorLayer(text, file);
}

/**
 * The techniques a layer marks as relevant, with a weight in (0, 1]: enabled entries with a score
 * above 0 (weight = score / the layer's highest score), or else with a colour (weight 1). Disabled
 * entries and entries with neither are not marked. An entry listed several times (one per tactic)
 * keeps its highest weight.
 */
export function layerTechniqueWeights(layer: ThreatLayer): Map<string, number> {
  const maxScore = Math.max(0, ...layer.techniques.filter((t) => t.enabled && t.score !== null).map((t) => t.score as number));
  const weights = new Map<string, number>();
  for (const t of layer.techniques) {
    if (!t.enabled) continue;
    let weight = 0;
    if (t.score !== null && t.score > 0 && maxScore > 0) weight = t.score / maxScore;
    else if (t.color) weight = 1;
    if (weight <= 0) continue;
    weights.set(t.techniqueId, Math.max(weights.get(t.techniqueId) ?? 0, weight));
  }
  return weights;
}
