/**
 * Validators for Hindsight's sharing exports, from the published schemas kept as test fixtures
 * (test/fixtures/schemas: OASIS cti-stix2-json-schemas, the CTID Attack Flow 2.0 schema, the MISP
 * object templates) with their licences. The Attack Flow checks follow the project's own
 * validator (src/attack_flow/schema.py): every object against its type's schema, exactly one
 * attack-flow, the extension definition present, every node connected to the flow.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { projectRoot } from './env.js';

const ROOT = join(projectRoot, 'test', 'fixtures', 'schemas');
const STIX = join(ROOT, 'stix2.1');

type Schema = Record<string, unknown> & { $id?: string };

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  const a = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false });
  (addFormats as unknown as (ajv: Ajv2020) => void)(a);
  // ajv-formats has no internationalised host names; domain-name values are checked as strings.
  a.addFormat('idn-hostname', true);
  for (const file of jsonFiles(STIX)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    a.addSchema(schema);
    // The Attack Flow schema refers to some OASIS schemas on the `master` branch over https.
    if (schema.$id?.startsWith('http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/')) {
      a.addSchema({ ...schema, $id: schema.$id.replace('http://', 'https://').replace('/stix2.1/', '/master/') });
    }
  }
  a.addSchema(JSON.parse(readFileSync(join(ROOT, 'attack-flow', 'attack-flow-schema-2.0.0.json'), 'utf8')) as Schema);
  ajv = a;
  return a;
}

const SDOS = ['attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure', 'intrusion-set', 'location', 'malware-analysis', 'malware', 'note', 'observed-data', 'opinion', 'report', 'threat-actor', 'tool', 'vulnerability'];
const SCOS = ['artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate'];
const ATTACK_FLOW_SDOS = ['attack-flow', 'attack-action', 'attack-asset', 'attack-condition', 'attack-operator'];

function schemaIdOf(type: string): string | null {
  const base = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
  if (ATTACK_FLOW_SDOS.includes(type)) return 'https://center-for-threat-informed-defense.github.io/attack-flow/schema/attack-flow-schema-2.0.0.json';
  if (SDOS.includes(type)) return `${base}/sdos/${type}.json`;
  if (SCOS.includes(type)) return `${base}/observables/${type}.json`;
  if (type === 'relationship' || type === 'sighting') return `${base}/sros/${type}.json`;
  if (type === 'marking-definition' || type === 'extension-definition') return `${base}/common/${type}.json`;
  return null;
}

function validatorFor(id: string): ValidateFunction {
  let v = validators.get(id);
  if (!v) {
    const found = instance().getSchema(id);
    if (!found) throw new Error(`no schema ${id}`);
    v = found;
    validators.set(id, v);
  }
  return v;
}

interface StixLike {
  type: string;
  id: string;
  [key: string]: unknown;
}

/** Problems with a STIX 2.1 bundle: the bundle schema, then every object against its type's schema. */
export function stixProblems(bundle: { type: string; id: string; objects: StixLike[] }, options: { bundleSchema?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (options.bundleSchema === false) return [...problems, ...objectProblems(bundle)];
  // The OASIS bundle schema lists every STIX 2.1 type but the incident stub, and its branch for
  // other objects cannot hold an SDO (one matches both core and cyber-observable-core): the bundle
  // is checked with the objects it lists, and every object (the incident too) against its own schema.
  const listed = bundle.objects.filter((o) => o.type !== 'incident' && o.type !== 'extension-definition');
  const bundleValidator = validatorFor('http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json');
  if (!bundleValidator({ ...bundle, objects: listed })) {
    const at = new Set((bundleValidator.errors ?? []).map((e) => /^\/objects\/(\d+)/.exec(e.instancePath)?.[1] ?? 'bundle'));
    const named = [...at].map((i) => (i === 'bundle' ? 'the bundle' : `objects[${i}] (${listed[Number(i)]?.id ?? ''})`));
    problems.push(`bundle schema: invalid at ${named.join(', ')}`);
  }
  return [...problems, ...objectProblems(bundle)];
}

function objectProblems(bundle: { objects: StixLike[] }): string[] {
  const problems: string[] = [];
  for (const o of bundle.objects) {
    const id = schemaIdOf(o.type);
    if (!id) {
      problems.push(`${o.id}: no schema for type ${o.type}`);
      continue;
    }
    const v = validatorFor(id);
    const objectId = o.id;
    if (!v(o)) problems.push(`${objectId}: ${instance().errorsText(v.errors)}`);
  }
  const ids = new Set(bundle.objects.map((o) => o.id));
  for (const o of bundle.objects) {
    for (const ref of refsOf(o)) if (!ids.has(ref) && !ref.startsWith('identity--d673f8cb')) problems.push(`${o.id}: refers to ${ref}, which the bundle lacks`);
  }
  return problems;
}

/** Every id an object refers to through `*_ref` and `*_refs` properties. */
export function refsOf(o: StixLike): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    if (key.endsWith('_ref') && typeof value === 'string') out.push(value);
    if (key.endsWith('_refs') && Array.isArray(value)) out.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return out;
}

/** Problems with an Attack Flow 2.0 document, as the Attack Flow project's validator checks it. */
export function attackFlowProblems(bundle: { type: string; id: string; objects: StixLike[] }): string[] {
  // As the Attack Flow validator does: each object against its own schema. (The OASIS bundle schema
  // cannot hold a custom SDO: one matches both its core and cyber-observable-core branches.)
  const problems = stixProblems(bundle, { bundleSchema: false });
  if (bundle.type !== 'bundle' || !/^bundle--/.test(bundle.id)) problems.push('an Attack Flow document is a STIX bundle');
  if (bundle.objects.filter((o) => o.type === 'attack-flow').length !== 1) problems.push('the bundle must contain exactly one attack-flow');
  if (!bundle.objects.some((o) => o.type === 'extension-definition' && o.id === 'extension-definition--fb9c968a-745b-4ade-9b25-c324172197f4')) problems.push('the Attack Flow extension-definition is missing');
  // Connectivity, as check_graph: every node reachable from the flow or the extension definition.
  const edges = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const set = edges.get(x) ?? new Set<string>();
      set.add(y);
      edges.set(x, set);
    }
  };
  for (const o of bundle.objects) {
    for (const ref of refsOf(o)) if (!ref.startsWith('marking-definition--')) link(o.id, ref);
  }
  const seeds = bundle.objects.filter((o) => o.type === 'attack-flow' || o.type === 'extension-definition').map((o) => o.id);
  const seen = new Set(seeds);
  const queue = [...seeds];
  while (queue.length) {
    for (const n of edges.get(queue.pop() as string) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      queue.push(n);
    }
  }
  for (const o of bundle.objects) if (!seen.has(o.id) && o.type !== 'marking-definition') problems.push(`${o.id} is not connected to the flow`);
  return problems;
}

/** The MISP object template (misp-objects definition.json) of a name. */
export function mispObjectTemplate(name: 'file' | 'domain-ip'): { uuid: string; version: number; 'meta-category': string; attributes: Record<string, { 'misp-attribute': string; multiple?: boolean }>; requiredOneOf?: string[]; required?: string[] } {
  return JSON.parse(readFileSync(join(ROOT, 'misp-objects', name, 'definition.json'), 'utf8')) as never;
}
