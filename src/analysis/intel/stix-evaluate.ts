import { ipObservable, normaliseObservable } from '../../model/observable-values.js';
import type { ObservableType } from '../../model/observables.js';
import { formatObjectPath, parsePattern, PatternSyntaxError, type Comparison, type Literal, type Observation, type ObjectPath } from './stix-pattern.js';

/**
 * What of a STIX pattern Hindsight can match against its observables, as clauses in disjunctive
 * normal form: the pattern matches where every term of one clause is seen (a single-term clause
 * wherever its observable is seen; several terms, in the evidence of one alert: Hindsight keeps
 * observables per alert, so "one object" is read as "one alert's evidence").
 *
 * Evaluable: `=` and `IN` on the object paths below, joined by AND and OR, and observation
 * expressions joined by OR. Not evaluable, and said so with the reason: `!=`, `<`, `>`, LIKE,
 * MATCHES, ISSUBSET, ISSUPERSET, NOT, EXISTS, other object paths, observation expressions joined by
 * AND or FOLLOWEDBY and qualifiers (WITHIN, REPEATS, START/STOP), which need correlated events in
 * time. A branch of an OR that cannot be evaluated leaves the rest evaluable ("partial").
 */

/** One term: the observable it stands for, under each type it may be stored as (a domain may be a host's name). */
export interface PatternTerm {
  alternatives: { type: ObservableType; value: string }[];
  /** The comparison as written, for reports. */
  text: string;
}

export interface PatternEvaluation {
  evaluation: 'evaluable' | 'partial' | 'unevaluable';
  clauses: PatternTerm[][];
  /** Why parts (or all) of the pattern are not evaluated; empty when evaluable. */
  reasons: string[];
}

/** A pattern with more clauses than this once expanded is not evaluated (AND of many ORs grows fast). */
const MAX_CLAUSES = 1_000;

type Partial = { clauses: PatternTerm[][]; reasons: string[] };

/** Parses and evaluates a STIX pattern; a pattern that does not parse is unevaluable, with the parser's message. */
export function evaluateStixPattern(pattern: string): PatternEvaluation {
  let parsed: Observation;
  try {
    parsed = parsePattern(pattern);
  } catch (error) {
    if (error instanceof PatternSyntaxError) return { evaluation: 'unevaluable', clauses: [], reasons: [`the pattern does not parse: ${error.message}`] };
    throw error;
  }
  const { clauses, reasons } = observation(parsed);
  const unique = [...new Set(reasons)];
  return { evaluation: clauses.length === 0 ? 'unevaluable' : unique.length ? 'partial' : 'evaluable', clauses, reasons: unique };
}

function observation(node: Observation): Partial {
  if (node.qualifiers.length > 0) return none(`qualifier ${node.qualifiers.map((q) => q.kind.toUpperCase()).join(', ')} needs event times and counts Hindsight does not match on`);
  switch (node.kind) {
    case 'observation':
      return comparison(node.comparison);
    case 'or':
      return union(node.items.map(observation));
    case 'and':
      return none('observation expressions joined by AND need two correlated observations');
    case 'followedby':
      return none('FOLLOWEDBY needs observations ordered in time');
  }
}

function comparison(node: Comparison): Partial {
  switch (node.kind) {
    case 'or':
      return union(node.items.map(comparison));
    case 'and': {
      const parts = node.items.map(comparison);
      const failed = parts.filter((p) => p.clauses.length === 0);
      if (failed.length) return { clauses: [], reasons: failed.flatMap((p) => p.reasons) };
      const types = new Set(objectTypes(node));
      if (types.size > 1) return none(`AND of comparisons on different object types (${[...types].join(', ')}) cannot hold for one object`);
      let clauses: PatternTerm[][] = [[]];
      for (const part of parts) {
        if (clauses.length * part.clauses.length > MAX_CLAUSES) return none(`more than ${MAX_CLAUSES} combinations once expanded`);
        clauses = clauses.flatMap((c) => part.clauses.map((p) => [...c, ...p]));
      }
      return { clauses, reasons: parts.flatMap((p) => p.reasons) };
    }
    case 'exists':
      return none(`EXISTS ${formatObjectPath(node.path)}`);
    case 'test': {
      const where = formatObjectPath(node.path);
      if (node.negated) return none(`NOT ${node.operator} on ${where}`);
      if (node.operator !== '=' && node.operator !== 'IN') return none(`operator ${node.operator} on ${where}`);
      const values = Array.isArray(node.value) ? node.value : [node.value];
      const terms: PatternTerm[][] = [];
      const reasons: string[] = [];
      for (const value of values) {
        const term = termOf(node.path, value);
        if (typeof term === 'string') reasons.push(term);
        else terms.push([term]);
      }
      return { clauses: terms, reasons };
    }
  }
}

function union(parts: Partial[]): Partial {
  return { clauses: parts.flatMap((p) => p.clauses).slice(0, MAX_CLAUSES), reasons: parts.flatMap((p) => p.reasons) };
}

function none(reason: string): Partial {
  return { clauses: [], reasons: [reason] };
}

function objectTypes(node: Comparison): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.items.flatMap(objectTypes);
    default:
      return [node.path.objectType];
  }
}

const HASH_TYPES: Record<string, ObservableType> = { SHA256: 'sha256', SHA1: 'sha1', MD5: 'md5' };

/** The term a comparison `path = value` stands for, or why it has none. */
function termOf(path: ObjectPath, literal: Literal): PatternTerm | string {
  const where = formatObjectPath(path);
  if (literal.type !== 'string') return `${where} compared with a ${literal.type} literal`;
  const text = `${where} = '${literal.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const steps = path.steps.map((s) => String(s)).join('.');
  const one = (type: ObservableType): PatternTerm | string => {
    const result = normaliseObservable(type, literal.value);
    return result.ok ? { alternatives: [{ type, value: result.value }], text } : `${where}: ${result.error}`;
  };
  switch (`${path.objectType}:${steps}`) {
    case 'ipv4-addr:value':
    case 'ipv6-addr:value': {
      const host = literal.value.replace(path.objectType === 'ipv4-addr' ? /\/32$/ : /\/128$/, '');
      if (host.includes('/')) return `${where}: a network range (${literal.value.slice(0, 50)}) is matched only with ISSUBSET, which Hindsight does not evaluate`;
      const ip = ipObservable(host);
      return ip ? { alternatives: [ip], text } : `${where}: not an IP address: ${JSON.stringify(literal.value.slice(0, 80))}`;
    }
    case 'domain-name:value': {
      const domain = normaliseObservable('domain', literal.value);
      const host = normaliseObservable('host', literal.value);
      if (!domain.ok) return `${where}: ${domain.error}`;
      return { alternatives: [{ type: 'domain', value: domain.value }, ...(host.ok ? [{ type: 'host' as const, value: host.value }] : [])], text };
    }
    case 'url:value':
      return one('url');
    case 'file:name':
      return one('file-name');
    case 'email-addr:value':
    case 'email-message:from_ref.value':
    case 'email-message:sender_ref.value':
    case 'email-message:to_refs.*.value':
    case 'email-message:cc_refs.*.value':
      return one('email');
    case 'user-account:account_login':
    case 'user-account:user_id':
      return one('user-account');
    case 'windows-registry-key:key':
      return one('registry-key');
    case 'process:command_line':
      return one('process-command-line');
    case 'network-traffic:dst_ref.value':
    case 'network-traffic:src_ref.value': {
      const ip = ipObservable(literal.value);
      if (ip) return { alternatives: [ip], text };
      return one('domain');
    }
    default:
      break;
  }
  if (path.objectType === 'file' && path.steps.length === 2 && path.steps[0] === 'hashes') {
    const algorithm = String(path.steps[1]).toUpperCase().replace(/-/g, '');
    const type = HASH_TYPES[algorithm];
    return type ? one(type) : `${where}: hash algorithm ${String(path.steps[1]).slice(0, 30)} is not one Hindsight keeps (MD5, SHA-1, SHA-256)`;
  }
  return `object path ${where} has no observable type in Hindsight`;
}
