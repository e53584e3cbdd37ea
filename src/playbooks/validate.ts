import { isRecord } from '../model/json.js';
import { CACAO_SPEC_VERSION, identifierType, PLAYBOOK_TYPES, WORKFLOW_STEP_TYPES, type WorkflowStepType } from './cacao.js';
import {
  checkAgentTargets,
  checkArgs,
  checkCommand,
  checkDefinitions,
  checkExternalReferences,
  checkIdentifier,
  checkStringList,
  checkTimestamp,
  checkVariableReferences,
  checkVariables,
  hasInvalidPointer,
  key,
  nonEmptyString,
  outsideVocabulary,
  type Json,
} from './validate-checks.js';

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
  /**
   * Values outside the specification's open vocabularies (playbook-type-ov, command-type-ov): the
   * specification allows them (their values SHOULD come from the vocabulary), so they do not make
   * the document invalid, but a typo such as "remediaton" is worth a word.
   */
  warnings: CacaoValidationError[];
}

export interface ValidateCacaoOptions {
  /**
   * Playbook ids a `playbook-action` may reference besides the playbook itself (library playbooks,
   * playbooks shipped alongside). When given, a `playbook_id` outside this set is an error.
   */
  knownPlaybookIds?: Iterable<string>;
}


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
  const warnings: CacaoValidationError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  const warn = (path: string, message: string) => warnings.push({ path, message });

  if (!isRecord(doc)) {
    err('$', 'a CACAO playbook must be a JSON object');
    return { valid: false, errors, warnings };
  }

  // --- playbook properties -------------------------------------------------------------------
  for (const p of ['type', 'spec_version', 'id', 'name', 'created_by', 'created', 'modified', 'workflow_start', 'workflow']) {
    if (doc[p] === undefined) err(`$.${p}`, `required property "${p}" is missing`);
  }
  if (doc.type !== undefined && doc.type !== 'playbook') err('$.type', `must be "playbook", not ${JSON.stringify(doc.type)}`);
  if (doc.spec_version !== undefined && doc.spec_version !== CACAO_SPEC_VERSION) err('$.spec_version', `must be "${CACAO_SPEC_VERSION}", not ${JSON.stringify(doc.spec_version)}`);
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
  if (Array.isArray(doc.playbook_types)) {
    doc.playbook_types.forEach((t: unknown, i: number) => {
      if (nonEmptyString(t) && !(PLAYBOOK_TYPES as readonly string[]).includes(t)) warn(`$.playbook_types[${i}]`, outsideVocabulary(t, 'playbook-type-ov', PLAYBOOK_TYPES));
    });
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
    if (!isRecord(defs)) continue;
    for (const [id, def] of Object.entries(defs)) {
      if (isRecord(def) && def.authentication_info !== undefined && !authIds.has(def.authentication_info as string)) {
        err(`${path}${key(id)}.authentication_info`, `authentication info "${String(def.authentication_info)}" is not defined in authentication_info_definitions`);
      }
    }
  }

  // --- workflow ------------------------------------------------------------------------------
  if (doc.workflow === undefined) return { valid: false, errors, warnings };
  if (!isRecord(doc.workflow) || Object.keys(doc.workflow).length === 0) {
    err('$.workflow', 'must be a non-empty dictionary of workflow steps');
    return { valid: false, errors, warnings };
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
    if (!isRecord(step)) {
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
    if (isRecord(step.step_extensions)) {
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
        else step.commands.forEach((c: unknown, i: number) => checkCommand(c, `${at}.commands[${i}]`, inScope, err, warn));
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
        else if (!isRecord(step.cases) || Object.keys(step.cases).length === 0) err(`${at}.cases`, 'must be a non-empty dictionary of case values to step identifiers');
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
    else if (!isRecord(target) || target.type !== 'start') err('$.workflow_start', `step "${String(start)}" is not a start step`);
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
    if (isRecord(step) && (WORKFLOW_STEP_TYPES as readonly unknown[]).includes(step.type) && step.type !== 'end' && successors(id).length === 0 && !hasInvalidPointer(step)) {
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

  return { valid: errors.length === 0, errors, warnings };
}

/** Formats validation errors one per line: `$.path: message`. */
export function formatCacaoErrors(errors: CacaoValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
