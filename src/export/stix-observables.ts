import type { ShareObservable } from './share-document.js';
import { scoId } from './stix-ids.js';

/**
 * How each observable type becomes a STIX 2.1 cyber-observable object and, for an IOC, the STIX
 * pattern that matches it. Types STIX has no object for (a bare host name, a cloud resource) give
 * null: they are shared in MISP and as Attack Flow assets, never as an invented STIX type.
 */

export interface StixSco {
  type: string;
  spec_version: '2.1';
  id: string;
  [property: string]: unknown;
}

interface ScoShape {
  /** The SCO's properties apart from type, id and spec_version. */
  properties: Record<string, unknown>;
  /** The object path the pattern compares, e.g. `file:hashes.'SHA-256'`. */
  path: string;
}

/** The STIX 2.1 hash algorithm names (hash-algorithm-ov). */
const HASH_NAMES: Record<string, string> = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' };

/** Lower-case, no separators: `SHA-256`, `sha_256` and `sha256` are the same type. */
export function observableTypeKey(type: string): string {
  return type.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function shapeOf(observable: ShareObservable): { type: string; shape: ScoShape } | null {
  const value = observable.value;
  switch (observableTypeKey(observable.type)) {
    case 'ip':
    case 'ipaddress':
    case 'ipv4':
    case 'ipv6':
      return value.includes(':')
        ? { type: 'ipv6-addr', shape: { properties: { value }, path: 'ipv6-addr:value' } }
        : { type: 'ipv4-addr', shape: { properties: { value }, path: 'ipv4-addr:value' } };
    case 'domain':
    case 'domainname':
      return { type: 'domain-name', shape: { properties: { value }, path: 'domain-name:value' } };
    case 'host':
    case 'hostname':
      // A fully qualified host name is a domain name; a bare NetBIOS-style name is not.
      return value.includes('.') ? { type: 'domain-name', shape: { properties: { value }, path: 'domain-name:value' } } : null;
    case 'url':
      return { type: 'url', shape: { properties: { value: rfc3986(value) }, path: 'url:value' } };
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const algorithm = HASH_NAMES[observableTypeKey(observable.type)] ?? 'SHA-256';
      const quoted = /^[A-Z0-9]+$/.test(algorithm) ? algorithm : `'${algorithm}'`;
      return { type: 'file', shape: { properties: { hashes: { [algorithm]: value } }, path: `file:hashes.${quoted}` } };
    }
    case 'file':
    case 'filename':
      return { type: 'file', shape: { properties: { name: value }, path: 'file:name' } };
    case 'email':
    case 'emailaddress':
    case 'emailaddr':
      return { type: 'email-addr', shape: { properties: { value }, path: 'email-addr:value' } };
    case 'user':
    case 'account':
    case 'useraccount':
      return { type: 'user-account', shape: { properties: { account_login: value }, path: 'user-account:account_login' } };
    case 'process':
    case 'commandline':
    case 'processcommandline':
      return { type: 'process', shape: { properties: { command_line: value }, path: 'process:command_line' } };
    case 'registrykey':
    case 'windowsregistrykey':
      return { type: 'windows-registry-key', shape: { properties: { key: expandHive(value) }, path: 'windows-registry-key:key' } };
    case 'macaddress':
    case 'mac':
      return { type: 'mac-addr', shape: { properties: { value }, path: 'mac-addr:value' } };
    default:
      return null;
  }
}

/**
 * A URL as RFC 3986 allows it (STIX's url value must conform): every character outside its
 * unreserved and reserved sets percent-encoded as UTF-8, and brackets outside an IPv6 host too.
 */
export function rfc3986(url: string): string {
  const authorityEnd = url.search(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i) === 0 ? (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0].length ?? 0) : 0;
  let out = '';
  let i = 0;
  for (const char of url) {
    const inAuthority = i < authorityEnd;
    i += char.length;
    if (/[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/.test(char) || (inAuthority && (char === '[' || char === ']'))) out += char;
    else out += [...new TextEncoder().encode(char)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** STIX requires the hive written out in full (HKEY_LOCAL_MACHINE, not HKLM). */
const HIVES: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKCR: 'HKEY_CLASSES_ROOT', HKU: 'HKEY_USERS', HKCC: 'HKEY_CURRENT_CONFIG' };

export function expandHive(key: string): string {
  return key.replace(/^(HKLM|HKCU|HKCR|HKU|HKCC)(?=\\|$)/i, (hive) => HIVES[hive.toUpperCase()] ?? hive);
}

/** The SCO for an observable, or null when STIX has no object for its type. */
export function observableSco(observable: ShareObservable, markingRefs: string[]): StixSco | null {
  const found = shapeOf(observable);
  if (!found) return null;
  const base = { type: found.type, ...found.shape.properties };
  return { type: found.type, spec_version: '2.1', id: scoId(base), ...found.shape.properties, ...(markingRefs.length ? { object_marking_refs: markingRefs } : {}) };
}

/**
 * A string literal of the STIX patterning language: single-quoted, with backslash and quote
 * escaped (the only two escapes the grammar has; every other character stands for itself).
 */
export function patternString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The STIX pattern that matches an observable (`[ipv4-addr:value = '203.0.113.66']`), or null. */
export function observablePattern(observable: ShareObservable): string | null {
  const found = shapeOf(observable);
  if (!found) return null;
  const value = found.type === 'windows-registry-key' ? expandHive(observable.value) : found.type === 'url' ? rfc3986(observable.value) : observable.value;
  return `[${found.shape.path} = ${patternString(value)}]`;
}
