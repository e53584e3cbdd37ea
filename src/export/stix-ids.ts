import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

/**
 * STIX 2.1 identifiers. Cyber-observable objects get the deterministic UUIDv5 the specification
 * defines (section 2.9): the SCO namespace over the canonical JSON (RFC 8785) of the object's ID
 * contributing properties, so every producer names the same IP address or file the same way.
 * Hindsight's own objects, which STIX says SHOULD carry a UUIDv4, get a version-4 UUID whose bits
 * come from a digest of a stable key (the incident id, the technique, the observable) instead of a
 * random source: the same export twice names its objects the same, so a re-export updates a
 * partner's copy rather than duplicating it.
 */

/** The namespace STIX 2.1 section 2.9 fixes for SCO ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** Hindsight's namespace for the ids of the domain objects it writes (UUIDv5 of its name under the URL namespace). */
const HINDSIGHT_NAMESPACE = uuidv5('https://github.com/hindsight-ir/hindsight/stix', uuidv5.URL);

/** The ID contributing properties of each SCO type (STIX 2.1, one section per object). */
const CONTRIBUTING: Record<string, readonly string[]> = {
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
  'domain-name': ['value'],
  url: ['value'],
  'email-addr': ['value'],
  'mac-addr': ['value'],
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  software: ['name', 'cpe', 'swid', 'vendor', 'version'],
  directory: ['path'],
  mutex: ['name'],
};

/** Preference among hashes when `hashes` contributes to an id (the order the STIX reference implementation uses). */
const HASH_PREFERENCE = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512'];

/**
 * RFC 8785 canonical JSON for the values an SCO's contributing properties hold (strings,
 * integers, arrays, objects): keys sorted by UTF-16 code units, no whitespace, strings as
 * ECMAScript serialises them (which is what RFC 8785 specifies).
 */
export function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
}

/** The STIX id of a cyber-observable object from its own properties. */
export function scoId(sco: Record<string, unknown> & { type: string }): string {
  const keys = CONTRIBUTING[sco.type];
  const contributing: Record<string, unknown> = {};
  for (const key of keys ?? []) {
    const value = sco[key];
    if (value === undefined) continue;
    if (key === 'hashes') {
      const hashes = value as Record<string, string>;
      const chosen = HASH_PREFERENCE.find((h) => h in hashes) ?? Object.keys(hashes).sort()[0];
      if (chosen) contributing.hashes = { [chosen]: hashes[chosen] };
      continue;
    }
    contributing[key] = value;
  }
  // A type without contributing properties (process) takes a UUIDv4, as the specification says: one
  // derived from all its properties, so the same object keeps its id.
  if (Object.keys(contributing).length === 0) return stableId(sco.type, 'sco', jcs({ ...sco, id: undefined }));
  return `${sco.type}--${uuidv5(utf8(jcs(contributing)), STIX_SCO_NAMESPACE)}`;
}

/** A stable id for an object Hindsight writes: the same key always gives the same id. */
export function stableId(type: string, ...key: string[]): string {
  const bytes = createHash('sha256').update(HINDSIGHT_NAMESPACE).update(utf8(`${type}\u0000${key.join('\u0000')}`)).digest();
  // RFC 4122 version 4 and variant bits over the digest's first 16 bytes.
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${type}--${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** UTF-8 bytes of a name (a lone surrogate, which has none, as U+FFFD rather than an exception). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A STIX timestamp: UTC with millisecond precision and `Z` (any ISO input; an unreadable one is refused). */
export function stixTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${iso}`);
  return new Date(ms).toISOString();
}

/** The later of two timestamps (STIX requires `modified` >= `created`). */
export function laterTime(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? stixTime(a) : stixTime(b);
}
