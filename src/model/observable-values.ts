import { hash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { OBSERVABLE_TYPES, type ObservableType } from './observables.js';

/**
 * One spelling per observable value, so that the same address, domain or hash seen by two products
 * (or typed by an analyst, or named by a partner's intelligence) is one observable. Pure: no I/O.
 *
 * - hashes, domains, host names, e-mail addresses and user accounts are lower-cased (they compare
 *   case-insensitively wherever Hindsight's sources use them); domains are IDNA-encoded (`xn--`);
 * - IPv4 must be dotted-quad decimal; IPv6 is written compressed (RFC 5952);
 * - URLs take the WHATWG URL serialisation (scheme and host lower-cased, default port dropped, path
 *   dot-segments resolved, spaces percent-encoded);
 * - registry keys get their hive's full name (`HKLM\…` → `HKEY_LOCAL_MACHINE\…`);
 * - file names, command lines and cloud resource ids (other than Azure's) are kept as given, trimmed.
 */

export type NormaliseResult = { ok: true; value: string } | { ok: false; error: string };

/** Longest value kept, per type; command lines and URLs can be long, the rest are short by nature. */
const MAX_LENGTH: Record<ObservableType, number> = {
  ipv4: 15,
  ipv6: 100,
  domain: 253,
  url: 8192,
  md5: 32,
  sha1: 40,
  sha256: 64,
  'file-name': 1024,
  email: 320,
  'user-account': 512,
  host: 253,
  'process-command-line': 32_768,
  'registry-key': 4096,
  'cloud-resource': 2048,
};

const HASH_LENGTH = { md5: 32, sha1: 40, sha256: 64 } as const;
const HASH_PATTERN = { md5: /^[0-9a-f]{32}$/, sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ } as const;

// Control characters are refused everywhere: they have no place in these values and make terminals and logs lie.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Command lines may carry tabs and line breaks (scripts passed inline); the other control characters still not.
// eslint-disable-next-line no-control-regex
const COMMAND_LINE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKEY_LOCAL_MACHINE: 'HKEY_LOCAL_MACHINE',
  '\\REGISTRY\\MACHINE': 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKEY_CURRENT_USER: 'HKEY_CURRENT_USER',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKEY_CLASSES_ROOT: 'HKEY_CLASSES_ROOT',
  HKU: 'HKEY_USERS',
  HKEY_USERS: 'HKEY_USERS',
  '\\REGISTRY\\USER': 'HKEY_USERS',
  HKCC: 'HKEY_CURRENT_CONFIG',
  HKEY_CURRENT_CONFIG: 'HKEY_CURRENT_CONFIG',
  HKEY_PERFORMANCE_DATA: 'HKEY_PERFORMANCE_DATA',
};

/** An observable's id: `obs_` + 16 hex characters of sha256(type NUL normalised value), the same in every store. */
export function observableId(type: ObservableType, value: string): string {
  // One-shot hash: about twice as fast as createHash for short texts, and an import hashes every value it sees.
  return `obs_${hash('sha256', `${type}\u0000${value}`, 'hex').slice(0, 16)}`;
}

/**
 * The ids a searched text has as an observable: under `type` when given, else under every type it
 * is valid for once normalised (a text valid for none has no ids, so finds nothing).
 */
export function observableIdsOfValue(value: string, type?: ObservableType): string[] {
  const ids: string[] = [];
  for (const t of type ? [type] : OBSERVABLE_TYPES) {
    const result = normaliseObservable(t, value);
    if (result.ok) ids.push(observableId(t, result.value));
  }
  return ids;
}

/** The normalised value, or why the text is not a value of that type. */
export function normaliseObservable(type: ObservableType, raw: string): NormaliseResult {
  if (typeof raw !== 'string') return fail('not text');
  const text = raw.trim();
  if (text === '') return fail(`empty ${type}`);
  if (text.length > MAX_LENGTH[type]) return fail(`${type} longer than ${MAX_LENGTH[type]} characters`);
  const control = type === 'process-command-line' ? COMMAND_LINE_CONTROL : CONTROL;
  if (control.test(text)) return fail(`${type} contains a control character`);
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return fail(`${type} is not well-formed Unicode (a lone surrogate)`);
  switch (type) {
    case 'ipv4':
      return ipaddr.IPv4.isValidFourPartDecimal(text) ? ok(ipaddr.IPv4.parse(text).toString()) : fail(`not an IPv4 address (dotted decimal): ${preview(text)}`);
    case 'ipv6':
      return ipv6(text);
    case 'domain':
      return domain(text, { singleLabel: false });
    case 'host':
      return domain(text, { singleLabel: true });
    case 'url':
      return url(text);
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const lower = text.toLowerCase();
      return HASH_PATTERN[type].test(lower) ? ok(lower) : fail(`not a ${type} hash (${HASH_LENGTH[type]} hexadecimal digits): ${preview(text)}`);
    }
    case 'file-name':
      return /[/\\]/.test(text) ? fail(`a file name, not a path: ${preview(text)}`) : ok(text);
    case 'email':
      return email(text);
    case 'user-account':
      return ok(text.toLowerCase());
    case 'process-command-line':
      return ok(text);
    case 'registry-key':
      return registryKey(text);
    case 'cloud-resource':
      // Azure resource ids are case-insensitive (ARM compares them so); ARNs and the rest are not.
      return ok(/^\/subscriptions\//i.test(text) ? text.toLowerCase() : text);
  }
}

/** Whether two texts name the same observable of a type (both valid and equal once normalised). */
export function sameObservable(type: ObservableType, a: string, b: string): boolean {
  const x = normaliseObservable(type, a);
  const y = normaliseObservable(type, b);
  return x.ok && y.ok && x.value === y.value;
}

/** An address as its observable: type and normalised value (an IPv4-mapped IPv6 address `::ffff:a.b.c.d` is the IPv4 address). */
export function ipObservable(text: string): { type: 'ipv4' | 'ipv6'; value: string } | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return { type: 'ipv4', value: ipaddr.IPv4.parse(bare).toString() };
  if (!ipaddr.IPv6.isValid(bare) || bare.includes('%')) return undefined;
  const parsed = ipaddr.IPv6.parse(bare);
  return parsed.isIPv4MappedAddress() ? { type: 'ipv4', value: parsed.toIPv4Address().toString() } : { type: 'ipv6', value: parsed.toRFC5952String() };
}

function ipv6(text: string): NormaliseResult {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.IPv6.isValid(bare) || bare.includes('%')) return fail(`not an IPv6 address: ${preview(text)}`);
  return ok(ipaddr.IPv6.parse(bare).toRFC5952String());
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function domain(text: string, options: { singleLabel: boolean }): NormaliseResult {
  const what = options.singleLabel ? 'host name' : 'domain name';
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  // domainToASCII lower-cases and IDNA-encodes; it answers '' for what is not a valid domain.
  const ascii = /[^\x21-\x7e]/.test(trimmed) || trimmed.includes('%') ? domainToASCII(trimmed) : trimmed.toLowerCase();
  if (ascii === '' || ascii.length > 253) return fail(`not a ${what}: ${preview(text)}`);
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return fail(`not a ${what}: ${preview(text)}`);
  if (!options.singleLabel && labels.length < 2) return fail(`not a domain name (needs a dot; a single name is a host): ${preview(text)}`);
  if (!options.singleLabel && /^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return fail(`an IP address, not a domain name: ${preview(text)}`);
  return ok(ascii);
}

function url(text: string): NormaliseResult {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail(`not an absolute URL: ${preview(text)}`);
  }
  if (parsed.host === '') return fail(`not a URL with a host: ${preview(text)}`);
  return ok(parsed.href);
}

function email(text: string): NormaliseResult {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return fail(`not an e-mail address: ${preview(text)}`);
  const local = text.slice(0, at);
  if (local.length > 64 || /[\s<>()[\],;:"@\\]/.test(local)) return fail(`not an e-mail address: ${preview(text)}`);
  const host = domain(text.slice(at + 1), { singleLabel: false });
  if (!host.ok) return fail(`not an e-mail address: ${preview(text)}`);
  return ok(`${local.toLowerCase()}@${host.value}`);
}

function registryKey(text: string): NormaliseResult {
  const collapsed = text.replace(/\\{2,}/g, '\\').replace(/\\$/, '');
  const upper = collapsed.toUpperCase();
  for (const [prefix, hive] of Object.entries(HIVES)) {
    if (upper === prefix || upper.startsWith(`${prefix}\\`)) return ok(hive + collapsed.slice(prefix.length));
  }
  return collapsed === '' ? fail('empty registry-key') : ok(collapsed);
}

function ok(value: string): NormaliseResult {
  return { ok: true, value };
}

function fail(error: string): NormaliseResult {
  return { ok: false, error };
}

/** A short, printable excerpt of refused input for an error message (never the whole of a long value). */
function preview(text: string): string {
  const flat = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  return flat;
}
