import { isRecord } from '../model/json.js';
import { COMMAND_TYPES, IDENTIFIER_RE, identifierType, TIMESTAMP_RE, VARIABLE_NAME_RE } from './cacao.js';

/**
 * The checks validate.ts applies to the parts of a CACAO 2.0 document (identifiers, timestamps,
 * references, variables, definitions, commands). Each reports through `err` with the JSON path of
 * the offending value; values a specification vocabulary only recommends go to `warn`.
 */

export type Json = Record<string, unknown>;
export type Err = (path: string, message: string) => void;

/** A dictionary key as a JSON path segment: `["action--..."]`. */
export const key = (k: string) => `[${JSON.stringify(k)}]`;

export function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

export function hasInvalidPointer(step: Json): boolean {
  return ['on_completion', 'on_success', 'on_failure', 'on_true', 'next_steps', 'cases'].some((p) => step[p] !== undefined);
}

export function checkIdentifier(v: unknown, path: string, expectedType: string | undefined, err: Err): boolean {
  if (typeof v !== 'string' || !IDENTIFIER_RE.test(v)) {
    err(path, `${JSON.stringify(v)} is not an identifier of the form ${expectedType ?? '<object-type>'}--<RFC 4122 UUID>`);
    return false;
  }
  if (expectedType && identifierType(v) !== expectedType) {
    err(path, `"${v}" must be a ${expectedType}--<uuid> identifier`);
    return false;
  }
  return true;
}

export function checkTimestamp(v: unknown, path: string, err: Err): number | undefined {
  if (typeof v !== 'string' || !TIMESTAMP_RE.test(v) || Number.isNaN(Date.parse(v))) {
    err(path, `${JSON.stringify(v)} is not a timestamp in UTC to the millisecond (e.g. 2026-03-04T10:15:00.000Z)`);
    return undefined;
  }
  return Date.parse(v);
}

export function checkStringList(v: unknown, path: string, err: Err): void {
  if (!Array.isArray(v) || v.length === 0) err(path, 'must be a non-empty list of strings');
  else v.forEach((s, i) => {
    if (!nonEmptyString(s)) err(`${path}[${i}]`, 'must be a non-empty string');
  });
}

export function checkExternalReferences(v: unknown, path: string, err: Err): void {
  if (!Array.isArray(v) || v.length === 0) {
    err(path, 'must be a non-empty list of external references');
    return;
  }
  v.forEach((r, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(r)) return err(at, 'an external reference must be an object');
    if (!nonEmptyString(r.name)) err(`${at}.name`, 'required property "name" is missing or empty');
    if (!['description', 'source', 'url', 'external_id'].some((p) => nonEmptyString(r[p]))) {
      err(at, 'an external reference needs at least one of description, source, url or external_id');
    }
    if (r.reference_id !== undefined) checkIdentifier(r.reference_id, `${at}.reference_id`, undefined, err);
  });
}

export function checkVariables(v: unknown, path: string, err: Err): Set<string> {
  const names = new Set<string>();
  if (v === undefined) return names;
  if (!isRecord(v)) {
    err(path, 'must be a dictionary of variables');
    return names;
  }
  for (const [name, variable] of Object.entries(v)) {
    const at = `${path}${key(name)}`;
    if (!VARIABLE_NAME_RE.test(name)) err(at, `variable name "${name}" must have the form __name__`);
    names.add(name);
    if (!isRecord(variable)) {
      err(at, 'a variable must be an object');
      continue;
    }
    if (!nonEmptyString(variable.type)) err(`${at}.type`, 'required property "type" is missing');
    if (variable.value !== undefined && variable.value !== null && typeof variable.value !== 'string') err(`${at}.value`, 'must be a string or null');
    for (const p of ['constant', 'external']) if (variable[p] !== undefined && typeof variable[p] !== 'boolean') err(`${at}.${p}`, 'must be a boolean');
  }
  return names;
}

/** Checks a dictionary of identified objects; returns its keys. Agents and targets need `type` and `name`. */
export function checkDefinitions(v: unknown, path: string, err: Err, agentTarget: boolean): Set<string> {
  const ids = new Set<string>();
  if (v === undefined) return ids;
  if (!isRecord(v)) {
    err(path, 'must be a dictionary keyed by identifier');
    return ids;
  }
  for (const [id, def] of Object.entries(v)) {
    const at = `${path}${key(id)}`;
    ids.add(id);
    if (!checkIdentifier(id, at, undefined, err)) continue;
    if (!isRecord(def)) {
      err(at, 'must be an object');
      continue;
    }
    if (!nonEmptyString(def.type)) {
      err(`${at}.type`, 'required property "type" is missing');
      continue;
    }
    if (identifierType(id) !== def.type) err(at, `key "${id}" must start with "${def.type}--" to match the object's type`);
    if (!agentTarget) continue;
    if (!nonEmptyString(def.name)) err(`${at}.name`, 'required property "name" is missing');
    if (def.type === 'security-category' && !(Array.isArray(def.category) && def.category.length > 0)) {
      err(`${at}.category`, 'a security-category agent or target needs a non-empty category list');
    }
    if (['http-api', 'ssh', 'linux', 'net-address'].includes(def.type as string)) {
      if (!isRecord(def.address) || Object.keys(def.address).length === 0) err(`${at}.address`, `a ${String(def.type)} agent or target needs an address dictionary`);
      else for (const [kind, list] of Object.entries(def.address)) {
        if (!Array.isArray(list) || list.length === 0 || !list.every(nonEmptyString)) err(`${at}.address${key(kind)}`, 'must be a non-empty list of addresses');
      }
    }
  }
  return ids;
}

export function checkCommand(c: unknown, at: string, inScope: (name: string) => boolean, err: Err, warn: Err): void {
  if (!isRecord(c)) return err(at, 'a command must be an object');
  if (!nonEmptyString(c.type)) err(`${at}.type`, 'required property "type" is missing');
  else if (!(COMMAND_TYPES as readonly string[]).includes(c.type)) warn(`${at}.type`, outsideVocabulary(c.type, 'command-type-ov', COMMAND_TYPES));
  const hasCommand = nonEmptyString(c.command);
  const hasB64 = nonEmptyString(c.command_b64);
  if (!hasCommand && !hasB64) err(at, 'a command needs "command" or "command_b64"');
  if (c.command_b64 !== undefined && !(typeof c.command_b64 === 'string' && isBase64(c.command_b64))) err(`${at}.command_b64`, 'must be base64');
  if (c.content_b64 !== undefined && !(typeof c.content_b64 === 'string' && isBase64(c.content_b64))) err(`${at}.content_b64`, 'must be base64');
  if (c.headers !== undefined) {
    if (!isRecord(c.headers)) err(`${at}.headers`, 'must be a dictionary of header names to lists of values');
    else for (const [h, values] of Object.entries(c.headers)) {
      if (!Array.isArray(values) || !values.every((x) => typeof x === 'string')) err(`${at}.headers${key(h)}`, 'must be a list of strings');
    }
  }
  for (const p of ['command', 'content']) if (typeof c[p] === 'string') checkVariableReferences(c[p] as string, `${at}.${p}`, inScope, err);
}

export function checkAgentTargets(step: Json, at: string, agentIds: Set<string>, targetIds: Set<string>, err: Err): void {
  if (step.agent !== undefined && checkIdentifier(step.agent, `${at}.agent`, undefined, err) && !agentIds.has(step.agent as string)) {
    err(`${at}.agent`, `agent "${String(step.agent)}" is not defined in agent_definitions`);
  }
  if (step.targets !== undefined) {
    if (!Array.isArray(step.targets) || step.targets.length === 0) err(`${at}.targets`, 'must be a non-empty list of target identifiers');
    else step.targets.forEach((t: unknown, i: number) => {
      if (checkIdentifier(t, `${at}.targets[${i}]`, undefined, err) && !targetIds.has(t as string)) err(`${at}.targets[${i}]`, `target "${String(t)}" is not defined in target_definitions`);
    });
  }
}

export function checkArgs(step: Json, at: string, inScope: (name: string) => boolean, err: Err): void {
  for (const p of ['in_args', 'out_args']) {
    const v = step[p];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0) {
      err(`${at}.${p}`, 'must be a non-empty list of variable names');
      continue;
    }
    v.forEach((name: unknown, i: number) => {
      if (typeof name !== 'string' || !inScope(name)) err(`${at}.${p}[${i}]`, `variable ${JSON.stringify(name)} is not defined in step_variables or playbook_variables`);
    });
  }
}

/** `__name__:value` references inside text must name a variable in scope. */
export function checkVariableReferences(text: string, at: string, inScope: (name: string) => boolean, err: Err): void {
  for (const m of text.matchAll(/(__[a-zA-Z_][a-zA-Z0-9_-]{0,199}__):value/g)) {
    const name = m[1] as string;
    if (!inScope(name)) err(at, `variable "${name}" is not defined in step_variables or playbook_variables`);
  }
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}

/** The message for a value an open vocabulary of the specification does not list (allowed, but SHOULD come from it). */
export function outsideVocabulary(value: string, vocabulary: string, values: readonly string[]): string {
  return `"${value}" is not in the CACAO ${vocabulary} vocabulary (${values.join(', ')}); allowed, but other tools may not know it`;
}
