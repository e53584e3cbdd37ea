import { createHash } from 'node:crypto';
import { InputError } from '../../model/errors.js';
import { ipObservable, normaliseObservable } from '../../model/observable-values.js';
import { parseTlp, stricterTlp, type ObservableType, type TlpLevel } from '../../model/observables.js';
import { evaluateStixPattern, type PatternTerm } from './stix-evaluate.js';

/**
 * Indicators out of a partner's file: a STIX 2.1 bundle (its `indicator` objects) or a MISP event
 * (its attributes, and those of its objects), each with its producer, TLP marking, and the clauses
 * Hindsight can match (stix-evaluate.ts). Nothing is dropped: an indicator Hindsight cannot evaluate
 * is kept with the reason. A file that is neither, or an indicator without the fields its format
 * requires, is refused with one InputError naming the file and the JSON path.
 */

export interface ParsedIndicator {
  format: 'stix' | 'misp';
  externalId: string;
  name: string | null;
  pattern: string;
  patternType: string;
  evaluation: 'evaluable' | 'partial' | 'unevaluable';
  reasons: string[];
  clauses: PatternTerm[][];
  tlp: TlpLevel | null;
  producer: string | null;
  validFrom: string | null;
  validUntil: string | null;
  labels: string[];
}

/** TLP 2.0 marking definitions (the STIX TLP 2.0 extension's fixed ids) and TLP 1.0's, as Hindsight's levels. */
const TLP_MARKINGS: Record<string, TlpLevel> = {
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'CLEAR',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'GREEN',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'AMBER',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'AMBER+STRICT',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'RED',
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

/** Longest text kept from a partner's field: names and labels are for people, not for storage abuse. */
const MAX_TEXT = 2_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(file: string, path: string, message: string): InputError {
  return new InputError(message, { file, path });
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.slice(0, MAX_TEXT) : null;
}

/** The indicators of a parsed JSON document: a STIX bundle, a MISP event, or a list of MISP events. */
export function readIntelDocument(doc: unknown, file: string): ParsedIndicator[] {
  if (isObject(doc) && doc['type'] === 'bundle') return readStixBundle(doc, file);
  if (isObject(doc) && (isObject(doc['Event']) || Array.isArray(doc['response']))) return readMisp(doc, file);
  if (Array.isArray(doc) && doc.every((d) => isObject(d) && isObject(d['Event']))) return doc.flatMap((d, i) => readMispEvent((d as Json)['Event'] as Json, file, `$[${i}].Event`));
  if (isObject(doc) && doc['type'] === 'indicator') return readStixObjects([doc], file, '$', new Map());
  throw bad(file, '$', 'not a STIX 2.1 bundle (an object with "type": "bundle") or a MISP event (an object with "Event")');
}

function readStixBundle(bundle: Json, file: string): ParsedIndicator[] {
  const objects = bundle['objects'];
  if (objects === undefined) return [];
  if (!Array.isArray(objects)) throw bad(file, '$.objects', 'must be a list of STIX objects');
  const names = new Map<string, string>();
  objects.forEach((o, i) => {
    if (!isObject(o)) throw bad(file, `$.objects[${i}]`, 'must be a STIX object');
    if (typeof o['type'] !== 'string') throw bad(file, `$.objects[${i}].type`, 'every STIX object needs a type (string)');
    if (typeof o['id'] !== 'string') throw bad(file, `$.objects[${i}].id`, 'every STIX object needs an id (string)');
    if (o['type'] === 'identity' && typeof o['name'] === 'string') names.set(o['id'], o['name'].slice(0, MAX_TEXT));
    if (o['type'] === 'marking-definition') {
      const level = markingLevel(o);
      if (level) names.set(o['id'], `TLP:${level}`);
    }
  });
  return readStixObjects(objects as Json[], file, '$.objects', names);
}

function readStixObjects(objects: Json[], file: string, base: string, names: Map<string, string>): ParsedIndicator[] {
  const out: ParsedIndicator[] = [];
  objects.forEach((o, i) => {
    if (o['type'] !== 'indicator') return;
    const path = `${base}[${i}]`;
    const id = o['id'];
    if (typeof id !== 'string' || !/^indicator--[0-9a-fA-F-]{36}$/.test(id)) throw bad(file, `${path}.id`, 'an indicator needs an id indicator--<UUID>');
    const pattern = o['pattern'];
    if (typeof pattern !== 'string' || pattern.trim() === '') throw bad(file, `${path}.pattern`, 'an indicator needs a pattern (string)');
    const patternType = typeof o['pattern_type'] === 'string' ? o['pattern_type'] : 'stix';
    const evaluated =
      patternType === 'stix' ? evaluateStixPattern(pattern) : { evaluation: 'unevaluable' as const, clauses: [], reasons: [`pattern_type ${patternType.slice(0, 40)}: Hindsight evaluates STIX patterns only`] };
    const refs = Array.isArray(o['object_marking_refs']) ? o['object_marking_refs'].filter((r): r is string => typeof r === 'string') : [];
    let tlp: TlpLevel | null = null;
    for (const ref of refs) {
      const level = TLP_MARKINGS[ref] ?? parseTlp(names.get(ref) ?? '');
      if (level) tlp = tlp ? stricterTlp(tlp, level) : level;
    }
    const createdBy = typeof o['created_by_ref'] === 'string' ? o['created_by_ref'] : null;
    const labels = [...(Array.isArray(o['labels']) ? o['labels'] : []), ...(Array.isArray(o['indicator_types']) ? o['indicator_types'] : [])].filter((l): l is string => typeof l === 'string').map((l) => l.slice(0, 200));
    out.push({
      format: 'stix',
      externalId: id,
      name: text(o['name']),
      pattern: pattern.slice(0, 65_536),
      patternType: patternType.slice(0, 100),
      ...evaluated,
      tlp,
      producer: createdBy ? (names.get(createdBy) ?? createdBy) : null,
      validFrom: text(o['valid_from']),
      validUntil: text(o['valid_until']),
      labels: [...new Set(labels)].slice(0, 50),
    });
  });
  return out;
}

/** The TLP level a marking-definition object stands for (TLP 1.0 `definition.tlp`, TLP 2.0 `name` "TLP:AMBER+STRICT"). */
function markingLevel(o: Json): TlpLevel | undefined {
  const known = typeof o['id'] === 'string' ? TLP_MARKINGS[o['id']] : undefined;
  if (known) return known;
  const definition = o['definition'];
  if (o['definition_type'] === 'tlp' && isObject(definition) && typeof definition['tlp'] === 'string') return parseTlp(definition['tlp']);
  return typeof o['name'] === 'string' && /^TLP:/i.test(o['name']) ? parseTlp(o['name']) : undefined;
}

function readMisp(doc: Json, file: string): ParsedIndicator[] {
  if (isObject(doc['Event'])) return readMispEvent(doc['Event'], file, '$.Event');
  const response = doc['response'] as unknown[];
  return response.flatMap((r, i) => {
    if (!isObject(r) || !isObject(r['Event'])) throw bad(file, `$.response[${i}].Event`, 'a MISP search response holds events');
    return readMispEvent(r['Event'], file, `$.response[${i}].Event`);
  });
}

/** MISP attribute types, as the observable types of their value (`a|b` types: which part). */
const MISP_TYPES: Record<string, { type: ObservableType | 'ip' | 'domain-or-host'; part?: 0 | 1 }> = {
  'ip-src': { type: 'ip' },
  'ip-dst': { type: 'ip' },
  'ip-src|port': { type: 'ip', part: 0 },
  'ip-dst|port': { type: 'ip', part: 0 },
  domain: { type: 'domain-or-host' },
  hostname: { type: 'domain-or-host' },
  'hostname|port': { type: 'domain-or-host', part: 0 },
  url: { type: 'url' },
  md5: { type: 'md5' },
  sha1: { type: 'sha1' },
  sha256: { type: 'sha256' },
  'filename|md5': { type: 'md5', part: 1 },
  'filename|sha1': { type: 'sha1', part: 1 },
  'filename|sha256': { type: 'sha256', part: 1 },
  filename: { type: 'file-name' },
  'email-src': { type: 'email' },
  'email-dst': { type: 'email' },
  email: { type: 'email' },
  'email-reply-to': { type: 'email' },
  'target-email': { type: 'email' },
  'target-user': { type: 'user-account' },
  'target-machine': { type: 'host' },
  regkey: { type: 'registry-key' },
  'regkey|value': { type: 'registry-key', part: 0 },
};

function readMispEvent(event: Json, file: string, base: string): ParsedIndicator[] {
  const eventTlp = tlpOfTags(event['Tag']);
  const org = isObject(event['Orgc']) ? text(event['Orgc']['name']) : isObject(event['Org']) ? text(event['Org']['name']) : null;
  const eventId = text(event['uuid']) ?? text(event['id']) ?? text(event['info']) ?? '';
  const out: ParsedIndicator[] = [];
  const readList = (list: unknown, path: string, objectName: string | null) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw bad(file, path, 'must be a list of MISP attributes');
    list.forEach((a, i) => {
      if (!isObject(a)) throw bad(file, `${path}[${i}]`, 'a MISP attribute must be an object');
      out.push(mispAttribute(a, file, `${path}[${i}]`, { eventId, eventTlp, org, objectName, info: text(event['info']) }));
    });
  };
  readList(event['Attribute'], `${base}.Attribute`, null);
  const objects = event['Object'];
  if (objects !== undefined) {
    if (!Array.isArray(objects)) throw bad(file, `${base}.Object`, 'must be a list of MISP objects');
    objects.forEach((o, i) => {
      if (!isObject(o)) throw bad(file, `${base}.Object[${i}]`, 'a MISP object must be an object');
      readList(o['Attribute'], `${base}.Object[${i}].Attribute`, text(o['name']));
    });
  }
  return out;
}

function mispAttribute(a: Json, file: string, path: string, event: { eventId: string; eventTlp: TlpLevel | null; org: string | null; objectName: string | null; info: string | null }): ParsedIndicator {
  const type = a['type'];
  const value = a['value'];
  if (typeof type !== 'string' || type === '') throw bad(file, `${path}.type`, 'a MISP attribute needs a type (string)');
  if (typeof value !== 'string' && typeof value !== 'number') throw bad(file, `${path}.value`, 'a MISP attribute needs a value (string)');
  const shown = String(value).slice(0, 32_768);
  const uuid = text(a['uuid']) ?? `${event.eventId}/${createHash('sha256').update(`${type}\u0000${shown}`).digest('hex').slice(0, 32)}`;
  const attributeTlp = tlpOfTags(a['Tag']);
  const labels = [text(a['category']), event.objectName ? `object:${event.objectName}` : null, a['to_ids'] === true || a['to_ids'] === '1' ? 'to_ids' : null].filter((l): l is string => l !== null);
  const mapped = MISP_TYPES[type];
  const term = mapped ? mispTerm(mapped, shown, type) : `MISP type ${type.slice(0, 60)} has no observable type in Hindsight`;
  return {
    format: 'misp',
    externalId: uuid,
    name: text(a['comment']) ?? event.info,
    pattern: `${type.slice(0, 100)}: ${shown}`,
    patternType: 'misp',
    evaluation: typeof term === 'string' ? 'unevaluable' : 'evaluable',
    reasons: typeof term === 'string' ? [term] : [],
    clauses: typeof term === 'string' ? [] : [[term]],
    tlp: attributeTlp ?? event.eventTlp,
    producer: event.org,
    validFrom: text(a['first_seen']),
    validUntil: text(a['last_seen']),
    labels,
  };
}

function mispTerm(mapped: (typeof MISP_TYPES)[string], value: string, type: string): PatternTerm | string {
  const part = mapped.part === undefined ? value : value.split('|')[mapped.part];
  if (part === undefined || part === '') return `MISP ${type} value has no ${mapped.part === 1 ? 'second' : 'first'} part`;
  const text = `${type} = ${value.slice(0, 200)}`;
  if (mapped.type === 'ip') {
    const ip = ipObservable(part);
    return ip ? { alternatives: [ip], text } : `MISP ${type}: not an IP address: ${JSON.stringify(part.slice(0, 80))}`;
  }
  if (mapped.type === 'domain-or-host') {
    const alternatives = (['domain', 'host'] as const).flatMap((t) => {
      const r = normaliseObservable(t, part);
      return r.ok ? [{ type: t, value: r.value }] : [];
    });
    return alternatives.length ? { alternatives, text } : `MISP ${type}: not a domain or host name: ${JSON.stringify(part.slice(0, 80))}`;
  }
  const result = normaliseObservable(mapped.type, part);
  return result.ok ? { alternatives: [{ type: mapped.type, value: result.value }], text } : `MISP ${type}: ${result.error}`;
}

/** The strictest `tlp:` tag of a MISP tag list (`tlp:white` is CLEAR), or null. */
function tlpOfTags(tags: unknown): TlpLevel | null {
  if (!Array.isArray(tags)) return null;
  let level: TlpLevel | null = null;
  for (const tag of tags) {
    const name = isObject(tag) ? tag['name'] : tag;
    if (typeof name !== 'string' || !/^tlp:/i.test(name.trim())) continue;
    const parsed = parseTlp(name);
    if (parsed) level = level ? stricterTlp(level, parsed) : parsed;
  }
  return level;
}
