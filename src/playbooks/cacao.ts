import { createHash, randomUUID } from 'node:crypto';

/**
 * The shapes of OASIS CACAO Security Playbooks Version 2.0 (Committee Specification 01) that
 * Hindsight writes and reads. Property names follow the specification exactly (snake_case).
 * Only the parts Hindsight uses are typed closely; everything else is carried as JSON.
 */

export const CACAO_SPEC_VERSION = 'cacao-2.0';

export const WORKFLOW_STEP_TYPES = [
  'start',
  'end',
  'action',
  'playbook-action',
  'parallel',
  'if-condition',
  'while-condition',
  'switch-condition',
] as const;
export type WorkflowStepType = (typeof WORKFLOW_STEP_TYPES)[number];

/** playbook-type-ov. */
export const PLAYBOOK_TYPES = ['notification', 'detection', 'investigation', 'prevention', 'mitigation', 'remediation', 'attack'] as const;

/** command-type-ov. */
export const COMMAND_TYPES = [
  'manual',
  'bash',
  'caldera-cmd',
  'elastic',
  'http-api',
  'jupyter',
  'kestrel',
  'openc2-http',
  'powershell',
  'sigma',
  'ssh',
  'yara',
] as const;

export interface ExternalReference {
  name: string;
  description?: string;
  source?: string;
  url?: string;
  external_id?: string;
  reference_id?: string;
}

export interface CommandData {
  type: string;
  description?: string;
  command?: string;
  command_b64?: string;
  version?: string;
  playbook_activity?: string;
  /** http-api: header name to list of values. */
  headers?: Record<string, string[]>;
  content?: string;
  content_b64?: string;
}

export interface Variable {
  type: string;
  description?: string;
  value?: string | null;
  constant?: boolean;
  external?: boolean;
}

export interface WorkflowStep {
  type: WorkflowStepType;
  name?: string;
  description?: string;
  external_references?: ExternalReference[];
  delay?: number;
  timeout?: number;
  step_variables?: Record<string, Variable>;
  owner?: string;
  on_completion?: string;
  on_success?: string;
  on_failure?: string;
  step_extensions?: Record<string, unknown>;
  // action
  commands?: CommandData[];
  agent?: string;
  targets?: string[];
  in_args?: string[];
  out_args?: string[];
  // playbook-action
  playbook_id?: string;
  playbook_version?: string;
  // parallel
  next_steps?: string[];
  // if-condition / while-condition
  condition?: string;
  on_true?: string;
  on_false?: string;
  // switch-condition
  switch?: string;
  cases?: Record<string, string>;
}

export interface AgentTarget {
  type: string;
  name: string;
  description?: string;
  location?: Record<string, unknown>;
  contact?: { email?: Record<string, string>; phone?: Record<string, string>; contact_details?: string };
  /** security-category, http-api: security-category-type-ov values. */
  category?: string[];
  /** http-api, ssh, linux, net-address: network-address-type-ov keys (`dname`, `ipv4`, `url`, ...) to addresses. */
  address?: Record<string, string[]>;
  port?: string;
  authentication_info?: string;
  agent_target_extensions?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface CacaoPlaybook {
  type: 'playbook';
  spec_version: string;
  id: string;
  name: string;
  description?: string;
  playbook_types?: string[];
  playbook_activities?: string[];
  created_by: string;
  created: string;
  modified: string;
  revoked?: boolean;
  valid_from?: string;
  valid_until?: string;
  derived_from?: string[];
  related_to?: string[];
  priority?: number;
  severity?: number;
  impact?: number;
  industry_sectors?: string[];
  labels?: string[];
  external_references?: ExternalReference[];
  markings?: string[];
  playbook_variables?: Record<string, Variable>;
  workflow_start: string;
  workflow_exception?: string;
  workflow: Record<string, WorkflowStep>;
  playbook_extensions?: Record<string, unknown>;
  authentication_info_definitions?: Record<string, unknown>;
  agent_definitions?: Record<string, AgentTarget>;
  target_definitions?: Record<string, AgentTarget>;
  extension_definitions?: Record<string, unknown>;
  data_marking_definitions?: Record<string, unknown>;
  signatures?: unknown[];
}

const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
/** `object-type--UUID` (CACAO section "identifier"). */
export const IDENTIFIER_RE = new RegExp(`^([a-z][a-z0-9-]*[a-z0-9])--(${UUID_PATTERN})$`);
/** Timestamps to the millisecond, UTC: `2026-03-04T10:15:00.000Z`. */
export const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Variable names: `__name__`. */
export const VARIABLE_NAME_RE = /^__[a-zA-Z_][a-zA-Z0-9_-]{0,199}__$/;

/** The object-type part of an identifier, or undefined when it is not one. */
export function identifierType(id: string): string | undefined {
  return IDENTIFIER_RE.exec(id)?.[1];
}

/** Hindsight's namespace for name-based (version 5) UUIDs. */
const HINDSIGHT_NAMESPACE = '6f1c2b7e-3d0a-5b8e-9c41-2a7d5e9b0c13';

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name always gives the same UUID. */
function uuidV5(name: string, namespace: string = HINDSIGHT_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const h = hash.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Makes CACAO identifiers: deterministic from a seed (for reproducible output and tests), else random. */
export type IdSource = (type: string, name: string) => string;

export function idSource(seed?: string): IdSource {
  if (seed === undefined) return (type) => `${type}--${randomUUID()}`;
  return (type, name) => `${type}--${uuidV5(`${seed}\u0000${type}\u0000${name}`)}`;
}

/** A timestamp in CACAO's form (UTC, exactly three fractional digits). */
export function cacaoTimestamp(at: Date | string = new Date()): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a valid time: ${String(at)}`);
  return d.toISOString();
}

/** The ATT&CK external reference CACAO carries for a technique, mitigation or detection strategy. */
export function attackReference(id: string, title: string, url: string | null): ExternalReference {
  const ref: ExternalReference = { name: 'mitre-attack', description: `${id} ${title}`.trim(), external_id: id };
  if (url) ref.url = url;
  return ref;
}

/** ATT&CK IDs in a playbook's or step's external references (`name` "mitre-attack"). */
export function attackIdsOf(refs: ExternalReference[] | undefined): string[] {
  const out: string[] = [];
  for (const r of refs ?? []) {
    if (r && typeof r === 'object' && r.name === 'mitre-attack' && typeof r.external_id === 'string') out.push(r.external_id.toUpperCase());
  }
  return [...new Set(out)];
}
