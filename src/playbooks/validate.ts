import { IDENTIFIER_RE, TIMESTAMP_RE, VARIABLE_NAME_RE, WORKFLOW_STEP_TYPES, identifierType, type WorkflowStepType } from './cacao.js';

/**
 * Validates a document against the OASIS CACAO Security Playbooks 2.0 specification (CS01): the
 * required properties and their formats, workflow step types and their properties, and the
 * playbook's graph (one start step, every step reachable from it, an end reachable from every
 * step, every reference resolving).
 *
 * Branches (CS01 sections 4.4, 4.7, 4.8): each branch a parallel step's `next_steps` (or a
 * condition's `on_true` / `on_false` / `cases`) starts MUST terminate at an end step; execution
 * then returns to the branching step's `on_completion`. So every non-end step needs a next step,
 * and the branches of one parallel step must not share an end step.
 */

export interface CacaoValidationError {
  /** JSON path of the offending value: `$.workflow["action--..."].agent`. */
  path: string;
  message: string;
}

export interface CacaoValidationResult {
  valid: boolean;
  errors: CacaoValidationError[];
}

export interface ValidateCacaoOptions {
  /**
   * Playbook ids a `playbook-action` may reference besides the playbook itself (library playbooks,
   * playbooks shipped alongside). When given, a `playbook_id` outside this set is an error.
   */
  knownPlaybookIds?: Iterable<string>;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (k: string) => `[${JSON.stringify(k)}]`;

const STEP_PROPERTIES: Record<WorkflowStepType, string[]> = {
  start: [],
  end: [],
  action: ['commands', 'agent', 'targets', 'in_args', 'out_args'],
  'playbook-action': ['playbook_id', 'playbook_version', 'agent', 'targets', 'in_args', 'out_args'],
  parallel: ['next_steps'],
  'if-condition': ['condition', 'on_true', 'on_false'],
  'while-condition': ['condition', 'on_true', 'on_false'],
  'switch-condition': ['switch', 'cases'],
};
const COMMON_STEP_PROPERTIES = [
  'type',
  'name',
  'description',
  'external_references',
  'delay',
  'timeout',
  'step_variables',
  'owner',
  'on_completion',
  'on_success',
  'on_failure',
  'step_extensions',
];

export function validateCacaoPlaybook(doc: unknown, options: ValidateCacaoOptions = {}): CacaoValidationResult {
  const errors: CacaoValidationError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  if (!isObject(doc)) {
    err('$', 'a CACAO playbook must be a JSON object');
    return { valid: false, errors };
  }

  // --- playbook properties -------------------------------------------------------------------
  for (const p of ['type', 'spec_version', 'id', 'name', 'created_by', 'created', 'modified', 'workflow_start', 'workflow']) {
    if (doc[p] === undefined) err(`$.${p}`, `required property "${p}" is missing`);
  }
  if (doc.type !== undefined && doc.type !== 'playbook') err('$.type', `must be "playbook", not ${JSON.stringify(doc.type)}`);
  if (doc.spec_version !== undefined && doc.spec_version !== 'cacao-2.0') err('$.spec_version', `must be "cacao-2.0", not ${JSON.stringify(doc.spec_version)}`);
  if (doc.id !== undefined) checkIdentifier(doc.id, '$.id', 'playbook', err);
  if (doc.name !== undefined && !nonEmptyString(doc.name)) err('$.name', 'must be a non-empty string');
  if (doc.description !== undefined && typeof doc.description !== 'string') err('$.description', 'must be a string');
  if (doc.created_by !== undefined) checkIdentifier(doc.created_by, '$.created_by', 'identity', err);
  const created = doc.created !== undefined ? checkTimestamp(doc.created, '$.created', err) : undefined;
  const modified = doc.modified !== undefined ? checkTimestamp(doc.modified, '$.modified', err) : undefined;
  if (created !== undefined && modified !== undefined && modified < created) err('$.modified', 'must be later than or equal to created');
  const validFrom = doc.valid_from !== undefined ? checkTimestamp(doc.valid_from, '$.valid_from', err) : undefined;
  const validUntil = doc.valid_until !== undefined ? checkTimestamp(doc.valid_until, '$.valid_until', err) : undefined;
  if (validFrom !== undefined && validUntil !== undefined && validUntil <= validFrom) err('$.valid_until', 'must be later than valid_from');
  if (doc.revoked !== undefined && typeof doc.revoked !== 'boolean') err('$.revoked', 'must be a boolean');
  for (const p of ['playbook_types', 'playbook_activities', 'industry_sectors', 'labels']) {
    if (doc[p] !== undefined) checkStringList(doc[p], `$.${p}`, err);
  }
  if (Array.isArray(doc.playbook_types) && doc.playbook_types.length > 0 && doc.playbook_activities !== undefined && !(Array.isArray(doc.playbook_activities) && doc.playbook_activities.length > 0)) {
    err('$.playbook_activities', 'must list at least one activity when playbook_types is populated');
  }
  for (const p of ['derived_from', 'related_to']) {
    if (doc[p] === undefined) continue;
    if (!Array.isArray(doc[p]) || doc[p].length === 0) err(`$.${p}`, 'must be a non-empty list of identifiers');
    else doc[p].forEach((v: unknown, i: number) => checkIdentifier(v, `$.${p}[${i}]`, p === 'derived_from' ? 'playbook' : undefined, err));
  }
  for (const p of ['priority', 'severity', 'impact']) {
    const v = doc[p];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100)) err(`$.${p}`, 'must be a whole number from 0 to 100');
  }
  if (doc.external_references !== undefined) checkExternalReferences(doc.external_references, '$.external_references', err);

  const variables = checkVariables(doc.playbook_variables, '$.playbook_variables', err);
  const markingIds = checkDefinitions(doc.data_marking_definitions, '$.data_marking_definitions', err, false);
  if (doc.markings !== undefined) {
    if (!Array.isArray(doc.markings) || doc.markings.length === 0) err('$.markings', 'must be a non-empty list of identifiers');
    else doc.markings.forEach((m: unknown, i: number) => {
      if (checkIdentifier(m, `$.markings[${i}]`, undefined, err) && !markingIds.has(m as string)) err(`$.markings[${i}]`, `data marking "${String(m)}" is not defined in data_marking_definitions`);
    });
  }
  const agentIds = checkDefinitions(doc.agent_definitions, '$.agent_definitions', err, true);
  const targetIds = checkDefinitions(doc.target_definitions, '$.target_definitions', err, true);
  const authIds = checkDefinitions(doc.authentication_info_definitions, '$.authentication_info_definitions', err, false);
  const extensionIds = checkDefinitions(doc.extension_definitions, '$.extension_definitions', err, false);
  for (const [defs, path] of [[doc.agent_definitions, '$.agent_definitions'], [doc.target_definitions, '$.target_definitions']] as const) {
    if (!isObject(defs)) continue;
    for (const [id, def] of Object.entries(defs)) {
      if (isObject(def) && def.authentication_info !== undefined && !authIds.has(def.authentication_info as string)) {
        err(`${path}${key(id)}.authentication_info`, `authentication info "${String(def.authentication_info)}" is not defined in authentication_info_definitions`);
      }
    }
  }

  // --- workflow ------------------------------------------------------------------------------
  if (doc.workflow === undefined) return { valid: false, errors };
  if (!isObject(doc.workflow) || Object.keys(doc.workflow).length === 0) {
    err('$.workflow', 'must be a non-empty dictionary of workflow steps');
    return { valid: false, errors };
  }
  const workflow = doc.workflow;
  const stepIds = new Set(Object.keys(workflow));
  const known = new Set(options.knownPlaybookIds ?? []);
  if (typeof doc.id === 'string') known.add(doc.id);
  const edges = new Map<string, string[]>();
  const parallels: { id: string; branches: string[] }[] = [];
  const starts: string[] = [];
  const ends: string[] = [];

  const ref = (value: unknown, path: string, list: string[]) => {
    if (!checkIdentifier(value, path, undefined, err)) return;
    if (!stepIds.has(value as string)) err(path, `step "${String(value)}" is not in the workflow`);
    else list.push(value as string);
  };

  for (const [id, step] of Object.entries(workflow)) {
    const at = `$.workflow${key(id)}`;
    const out: string[] = [];
    edges.set(id, out);
    const idType = identifierType(id);
    if (!idType) err(at, `step key "${id}" is not an identifier of the form <step-type>--<uuid>`);
    if (!isObject(step)) {
      err(at, 'a workflow step must be an object');
      continue;
    }
    if (step.type === undefined) {
      err(`${at}.type`, 'required property "type" is missing');
      continue;
    }
    if (!(WORKFLOW_STEP_TYPES as readonly unknown[]).includes(step.type)) {
      err(`${at}.type`, `unknown workflow step type ${JSON.stringify(step.type)} (expected one of ${WORKFLOW_STEP_TYPES.join(', ')})`);
      continue;
    }
    const type = step.type as WorkflowStepType;
    if (idType && idType !== type) err(at, `step key "${id}" must start with "${type}--" to match the step type`);
    if (type === 'start') starts.push(id);
    if (type === 'end') ends.push(id);

    const allowed = new Set([...COMMON_STEP_PROPERTIES, ...STEP_PROPERTIES[type]]);
    for (const p of Object.keys(step)) {
      if (!allowed.has(p)) err(`${at}.${p}`, `property "${p}" is not defined for ${type} steps`);
    }
    if (step.name !== undefined && typeof step.name !== 'string') err(`${at}.name`, 'must be a string');
    if (step.description !== undefined && typeof step.description !== 'string') err(`${at}.description`, 'must be a string');
    if (step.external_references !== undefined) checkExternalReferences(step.external_references, `${at}.external_references`, err);
    for (const p of ['delay', 'timeout']) {
      if (step[p] !== undefined && !(Number.isInteger(step[p]) && (step[p] as number) >= 0)) err(`${at}.${p}`, 'must be a whole number of milliseconds (0 or more)');
    }
    if (step.owner !== undefined) checkIdentifier(step.owner, `${at}.owner`, 'identity', err);
    const stepVariables = checkVariables(step.step_variables, `${at}.step_variables`, err);
    const inScope = (name: string) => variables.has(name) || stepVariables.has(name);
    if (isObject(step.step_extensions)) {
      for (const ext of Object.keys(step.step_extensions)) {
        if (!extensionIds.has(ext)) err(`${at}.step_extensions${key(ext)}`, `extension "${ext}" is not defined in extension_definitions`);
      }
    }

    // Next-step pointers.
    if (step.on_completion !== undefined && (step.on_success !== undefined || step.on_failure !== undefined)) {
      err(`${at}.on_completion`, 'on_completion must not be used together with on_success or on_failure');
    }
    if ((type === 'start' || type === 'end') && (step.on_success !== undefined || step.on_failure !== undefined)) {
      err(`${at}.${step.on_success !== undefined ? 'on_success' : 'on_failure'}`, `a ${type} step must not use on_success or on_failure`);
    }
    if (type === 'end' && step.on_completion !== undefined) err(`${at}.on_completion`, 'an end step must not have a next step');
    for (const p of ['on_completion', 'on_success', 'on_failure']) {
      if (step[p] !== undefined && type !== 'end') ref(step[p], `${at}.${p}`, out);
    }

    switch (type) {
      case 'action': {
        if (step.commands === undefined) err(`${at}.commands`, 'required property "commands" is missing');
        else if (!Array.isArray(step.commands) || step.commands.length === 0) err(`${at}.commands`, 'must be a non-empty list of commands');
        else step.commands.forEach((c: unknown, i: number) => checkCommand(c, `${at}.commands[${i}]`, inScope, err));
        checkAgentTargets(step, at, agentIds, targetIds, err);
        checkArgs(step, at, inScope, err);
        break;
      }
      case 'playbook-action': {
        if (step.playbook_id === undefined) err(`${at}.playbook_id`, 'required property "playbook_id" is missing');
        else if (checkIdentifier(step.playbook_id, `${at}.playbook_id`, 'playbook', err) && options.knownPlaybookIds !== undefined && !known.has(step.playbook_id as string)) {
          err(`${at}.playbook_id`, `playbook "${String(step.playbook_id)}" is not available to resolve`);
        }
        if (step.playbook_version !== undefined) checkTimestamp(step.playbook_version, `${at}.playbook_version`, err);
        checkAgentTargets(step, at, agentIds, targetIds, err);
        checkArgs(step, at, inScope, err);
        break;
      }
      case 'parallel': {
        if (step.next_steps === undefined) err(`${at}.next_steps`, 'required property "next_steps" is missing');
        else if (!Array.isArray(step.next_steps) || step.next_steps.length < 2) err(`${at}.next_steps`, 'must list two or more step identifiers (a parallel step with one branch must not be used)');
        else {
          const branches: string[] = [];
          step.next_steps.forEach((n: unknown, i: number) => ref(n, `${at}.next_steps[${i}]`, branches));
          out.push(...branches);
          parallels.push({ id, branches });
        }
        break;
      }
      case 'if-condition':
      case 'while-condition': {
        if (step.condition === undefined) err(`${at}.condition`, 'required property "condition" is missing');
        else if (!nonEmptyString(step.condition)) err(`${at}.condition`, 'must be a non-empty string');
        else checkVariableReferences(step.condition as string, `${at}.condition`, inScope, err);
        if (step.on_true === undefined) err(`${at}.on_true`, 'required property "on_true" is missing');
        else ref(step.on_true, `${at}.on_true`, out);
        if (step.on_false !== undefined) ref(step.on_false, `${at}.on_false`, out);
        break;
      }
      case 'switch-condition': {
        if (step.switch === undefined) err(`${at}.switch`, 'required property "switch" is missing');
        else if (!nonEmptyString(step.switch)) err(`${at}.switch`, 'must be a non-empty string');
        else checkVariableReferences(step.switch as string, `${at}.switch`, inScope, err);
        if (step.cases === undefined) err(`${at}.cases`, 'required property "cases" is missing');
        else if (!isObject(step.cases) || Object.keys(step.cases).length === 0) err(`${at}.cases`, 'must be a non-empty dictionary of case values to step identifiers');
        else for (const [c, target] of Object.entries(step.cases)) ref(target, `${at}.cases${key(c)}`, out);
        break;
      }
      default:
        break;
    }
  }

  // --- start, exception, graph ---------------------------------------------------------------
  if (starts.length === 0) err('$.workflow', 'the workflow has no start step');
  if (starts.length > 1) err('$.workflow', `the workflow has ${starts.length} start steps (${starts.join(', ')}); exactly one is allowed`);
  if (ends.length === 0) err('$.workflow', 'the workflow has no end step');
  const start = doc.workflow_start;
  let startOk = false;
  if (start !== undefined && checkIdentifier(start, '$.workflow_start', undefined, err)) {
    const target = workflow[start as string];
    if (target === undefined) err('$.workflow_start', `step "${String(start)}" is not in the workflow`);
    else if (!isObject(target) || target.type !== 'start') err('$.workflow_start', `step "${String(start)}" is not a start step`);
    else startOk = true;
  }
  if (doc.workflow_exception !== undefined && checkIdentifier(doc.workflow_exception, '$.workflow_exception', undefined, err) && !stepIds.has(doc.workflow_exception as string)) {
    err('$.workflow_exception', `step "${String(doc.workflow_exception)}" is not in the workflow`);
  }

  const successors = (s: string) => edges.get(s) ?? [];
  const endsFrom = (from: string): Set<string> => {
    const seen = new Set<string>();
    const found = new Set<string>();
    const queue = [from];
    while (queue.length > 0) {
      const s = queue.shift() as string;
      if (seen.has(s)) continue;
      seen.add(s);
      if ((workflow[s] as Json | undefined)?.type === 'end') found.add(s);
      queue.push(...successors(s));
    }
    return found;
  };
  for (const p of parallels) {
    const owner = new Map<string, number>();
    p.branches.forEach((b, i) => {
      for (const e of endsFrom(b)) {
        const first = owner.get(e);
        if (first !== undefined && first !== i) err(`$.workflow${key(p.id)}.next_steps[${i}]`, `branches ${first} and ${i} of the parallel step share the end step "${e}"; each branch must terminate at its own end step`);
        else owner.set(e, i);
      }
    });
  }

  for (const [id, step] of Object.entries(workflow)) {
    if (isObject(step) && (WORKFLOW_STEP_TYPES as readonly unknown[]).includes(step.type) && step.type !== 'end' && successors(id).length === 0 && !hasInvalidPointer(step)) {
      err(`$.workflow${key(id)}`, `step "${id}" has no next step and is not an end step`);
    }
  }

  if (startOk) {
    const reachable = new Set<string>();
    const queue = [start as string];
    while (queue.length > 0) {
      const s = queue.shift() as string;
      if (reachable.has(s)) continue;
      reachable.add(s);
      queue.push(...successors(s));
    }
    for (const id of stepIds) if (!reachable.has(id)) err(`$.workflow${key(id)}`, `step "${id}" is not reachable from the start step`);
  }
  if (ends.length > 0) {
    const reverse = new Map<string, string[]>();
    for (const id of stepIds) for (const n of successors(id)) reverse.set(n, [...(reverse.get(n) ?? []), id]);
    const canEnd = new Set<string>();
    const queue = [...ends];
    while (queue.length > 0) {
      const s = queue.shift() as string;
      if (canEnd.has(s)) continue;
      canEnd.add(s);
      queue.push(...(reverse.get(s) ?? []));
    }
    for (const id of stepIds) {
      if (!canEnd.has(id) && successors(id).length > 0) err(`$.workflow${key(id)}`, `no end step can be reached from step "${id}"`);
    }
  }

  return { valid: errors.length === 0, errors };
}

/** Formats validation errors one per line: `$.path: message`. */
export function formatCacaoErrors(errors: CacaoValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}

type Err = (path: string, message: string) => void;

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function hasInvalidPointer(step: Json): boolean {
  return ['on_completion', 'on_success', 'on_failure', 'on_true', 'next_steps', 'cases'].some((p) => step[p] !== undefined);
}

function checkIdentifier(v: unknown, path: string, expectedType: string | undefined, err: Err): boolean {
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

function checkTimestamp(v: unknown, path: string, err: Err): number | undefined {
  if (typeof v !== 'string' || !TIMESTAMP_RE.test(v) || Number.isNaN(Date.parse(v))) {
    err(path, `${JSON.stringify(v)} is not a timestamp in UTC to the millisecond (e.g. 2026-03-04T10:15:00.000Z)`);
    return undefined;
  }
  return Date.parse(v);
}

function checkStringList(v: unknown, path: string, err: Err): void {
  if (!Array.isArray(v) || v.length === 0) err(path, 'must be a non-empty list of strings');
  else v.forEach((s, i) => {
    if (!nonEmptyString(s)) err(`${path}[${i}]`, 'must be a non-empty string');
  });
}

function checkExternalReferences(v: unknown, path: string, err: Err): void {
  if (!Array.isArray(v) || v.length === 0) {
    err(path, 'must be a non-empty list of external references');
    return;
  }
  v.forEach((r, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(r)) return err(at, 'an external reference must be an object');
    if (!nonEmptyString(r.name)) err(`${at}.name`, 'required property "name" is missing or empty');
    if (!['description', 'source', 'url', 'external_id'].some((p) => nonEmptyString(r[p]))) {
      err(at, 'an external reference needs at least one of description, source, url or external_id');
    }
    if (r.reference_id !== undefined) checkIdentifier(r.reference_id, `${at}.reference_id`, undefined, err);
  });
}

function checkVariables(v: unknown, path: string, err: Err): Set<string> {
  const names = new Set<string>();
  if (v === undefined) return names;
  if (!isObject(v)) {
    err(path, 'must be a dictionary of variables');
    return names;
  }
  for (const [name, variable] of Object.entries(v)) {
    const at = `${path}${key(name)}`;
    if (!VARIABLE_NAME_RE.test(name)) err(at, `variable name "${name}" must have the form __name__`);
    names.add(name);
    if (!isObject(variable)) {
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
function checkDefinitions(v: unknown, path: string, err: Err, agentTarget: boolean): Set<string> {
  const ids = new Set<string>();
  if (v === undefined) return ids;
  if (!isObject(v)) {
    err(path, 'must be a dictionary keyed by identifier');
    return ids;
  }
  for (const [id, def] of Object.entries(v)) {
    const at = `${path}${key(id)}`;
    ids.add(id);
    if (!checkIdentifier(id, at, undefined, err)) continue;
    if (!isObject(def)) {
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
      if (!isObject(def.address) || Object.keys(def.address).length === 0) err(`${at}.address`, `a ${String(def.type)} agent or target needs an address dictionary`);
      else for (const [kind, list] of Object.entries(def.address)) {
        if (!Array.isArray(list) || list.length === 0 || !list.every(nonEmptyString)) err(`${at}.address${key(kind)}`, 'must be a non-empty list of addresses');
      }
    }
  }
  return ids;
}

function checkCommand(c: unknown, at: string, inScope: (name: string) => boolean, err: Err): void {
  if (!isObject(c)) return err(at, 'a command must be an object');
  if (!nonEmptyString(c.type)) err(`${at}.type`, 'required property "type" is missing');
  const hasCommand = nonEmptyString(c.command);
  const hasB64 = nonEmptyString(c.command_b64);
  if (!hasCommand && !hasB64) err(at, 'a command needs "command" or "command_b64"');
  if (c.command_b64 !== undefined && !(typeof c.command_b64 === 'string' && isBase64(c.command_b64))) err(`${at}.command_b64`, 'must be base64');
  if (c.content_b64 !== undefined && !(typeof c.content_b64 === 'string' && isBase64(c.content_b64))) err(`${at}.content_b64`, 'must be base64');
  if (c.headers !== undefined) {
    if (!isObject(c.headers)) err(`${at}.headers`, 'must be a dictionary of header names to lists of values');
    else for (const [h, values] of Object.entries(c.headers)) {
      if (!Array.isArray(values) || !values.every((x) => typeof x === 'string')) err(`${at}.headers${key(h)}`, 'must be a list of strings');
    }
  }
  for (const p of ['command', 'content']) if (typeof c[p] === 'string') checkVariableReferences(c[p] as string, `${at}.${p}`, inScope, err);
}

function checkAgentTargets(step: Json, at: string, agentIds: Set<string>, targetIds: Set<string>, err: Err): void {
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

function checkArgs(step: Json, at: string, inScope: (name: string) => boolean, err: Err): void {
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
function checkVariableReferences(text: string, at: string, inScope: (name: string) => boolean, err: Err): void {
  for (const m of text.matchAll(/(__[a-zA-Z_][a-zA-Z0-9_-]{0,199}__):value/g)) {
    const name = m[1] as string;
    if (!inScope(name)) err(at, `variable "${name}" is not defined in step_variables or playbook_variables`);
  }
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}
