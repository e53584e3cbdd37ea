import type { Entity } from './incident.js';
import { ipObservable, normaliseObservable } from './observable-values.js';
import type { ObservableType } from './observables.js';

/**
 * The observables an entity of imported evidence carries, read from its kind, display name and
 * flattened attributes (every ingest mapper keeps the source's identifying fields there: Graph's
 * `fileDetails.sha256`, OCSF's `cmd_line`, Elastic's `destination.ip`, Splunk's `src`...). Only
 * values valid for their type are kept, normalised; nothing is guessed from free text (titles,
 * descriptions, comments). Pure and cheap: it runs for every entity an import writes.
 */

export interface ExtractedObservable {
  type: ObservableType;
  value: string;
}

/** An entity whose attributes are hostile cannot flood the store: at most this many observables each. */
const MAX_PER_ENTITY = 24;

/** The last segment of a flattened attribute name, lower-cased, without `_` and `-`: `fileDetails.sha256` → `sha256`. */
function leaf(key: string): string {
  let name = LEAVES.get(key);
  if (name === undefined) {
    const dot = key.lastIndexOf('.');
    name = (dot >= 0 ? key.slice(dot + 1) : key).toLowerCase().replace(/[_-]/g, '');
    // Attribute names repeat across every entity of a source: each is worked out once.
    if (LEAVES.size >= 10_000) LEAVES.clear();
    LEAVES.set(key, name);
  }
  return name;
}
const LEAVES = new Map<string, string>();

const IP_KEYS = new Set(['ip', 'ips', 'ipaddress', 'ipaddresses', 'senderip', 'src', 'dest', 'dst', 'srcip', 'dstip', 'destip', 'sourceip', 'destinationip', 'ipinterfaces', 'clientip', 'remoteip', 'localip', 'address', 'ipv4', 'ipv6']);
const URL_KEYS = new Set(['url', 'urls', 'requesturl', 'fullurl']);
const DOMAIN_KEYS = new Set(['domain', 'domainname', 'fqdn', 'queryname', 'dnsquery']);
const HOST_KEYS = new Set(['hostname', 'devicednsname', 'dnsname', 'computername', 'computer']);
const EMAIL_KEYS = new Set(['emailaddress', 'primaryaddress', 'mailboxaddress', 'mailboxprimaryaddress', 'sender', 'recipient', 'recipientemailaddress', 'senderemailaddress', 'senderfromaddress', 'sendermailfromaddress', 'from', 'to', 'email', 'mail']);
const ACCOUNT_KEYS = new Set(['userprincipalname', 'upn', 'accountlogin', 'srcuser', 'dstuser', 'samaccountname']);
const COMMAND_LINE_KEYS = new Set(['commandline', 'processcommandline', 'cmdline']);
const FILE_NAME_KEYS = new Set(['filename']);
const HASHES = ['sha256', 'sha1', 'md5'] as const;
const HASH_BY_LENGTH: Record<number, (typeof HASHES)[number]> = { 64: 'sha256', 40: 'sha1', 32: 'md5' };

/** TheHive's observable data types and OCSF's observable type names, as Hindsight's types. */
const NAMED_TYPES: Record<string, ObservableType | 'ip' | 'hash'> = {
  ip: 'ip',
  'ip address': 'ip',
  domain: 'domain',
  fqdn: 'host',
  hostname: 'host',
  url: 'url',
  'url string': 'url',
  hash: 'hash',
  filename: 'file-name',
  'file name': 'file-name',
  mail: 'email',
  'email address': 'email',
  username: 'user-account',
  'user name': 'user-account',
  registry: 'registry-key',
  'registry key path': 'registry-key',
  'command line': 'process-command-line',
};

/** Kinds whose `domain` attributes name an Active Directory domain (CORP), not a DNS domain worth sharing. */
const ACCOUNT_KINDS = new Set<Entity['kind']>(['user', 'mailbox', 'mailboxConfiguration', 'cloudLogonSession', 'securityGroup', 'device']);

export type EntityObservableSource = Pick<Entity, 'kind' | 'key' | 'displayName' | 'attributes'>;

export function extractObservables(entity: EntityObservableSource): ExtractedObservable[] {
  const found = new Map<string, ExtractedObservable>();
  const add = (type: ObservableType, raw: unknown): boolean => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return false;
    if (found.size >= MAX_PER_ENTITY) return false;
    const result = normaliseObservable(type, String(raw));
    if (!result.ok) return false;
    found.set(`${type}\u0000${result.value}`, { type, value: result.value });
    return true;
  };
  const addIp = (raw: unknown): boolean => {
    if (typeof raw !== 'string') return false;
    let any = false;
    for (const part of raw.split(/\s*,\s*/)) {
      const ip = ipObservable(part);
      if (ip && found.size < MAX_PER_ENTITY) {
        found.set(`${ip.type}\u0000${ip.value}`, ip);
        any = true;
      }
    }
    return any;
  };
  // A hash's type is its length: one normalisation, not three.
  const addHash = (raw: unknown): boolean => {
    if (typeof raw !== 'string') return false;
    const type = HASH_BY_LENGTH[raw.trim().length];
    return type !== undefined && add(type, raw);
  };
  const addUrl = (raw: unknown): boolean => {
    if (typeof raw !== 'string') return false;
    if (!add('url', raw)) return add('domain', raw);
    // The host a URL names is a domain seen too (a partner's domain indicator matches the URL's incident).
    try {
      const host = new URL(raw.trim()).hostname;
      if (!addIp(host.replace(/^\[|\]$/g, ''))) add('domain', host);
    } catch {
      // add('url') accepted it, so it parses; nothing to do.
    }
    return true;
  };

  kindValues(entity, { add, addIp, addUrl });
  const attrs = entity.attributes;
  const named = NAMED_TYPES[String(attrs['dataType'] ?? attrs['type'] ?? '').toLowerCase()];
  const namedValue = attrs['data'] ?? attrs['value'];
  if (named === 'ip') addIp(namedValue);
  else if (named === 'hash') addHash(namedValue);
  else if (named === 'url') addUrl(namedValue);
  else if (named) add(named, namedValue);

  for (const key in attrs) {
    const value = attrs[key];
    if (typeof value !== 'string' || value === '') continue;
    const name = leaf(key);
    const hash = HASHES.find((h) => name === h || name.startsWith(h) || name === `hashes${h}`);
    if (hash) add(hash, value);
    else if (IP_KEYS.has(name)) addIp(value);
    else if (URL_KEYS.has(name)) for (const u of name === 'urls' ? value.split(/\s*,\s*/) : [value]) addUrl(u);
    else if (HOST_KEYS.has(name)) add('host', value);
    else if (DOMAIN_KEYS.has(name) && !ACCOUNT_KINDS.has(entity.kind)) add('domain', value);
    else if (EMAIL_KEYS.has(name) || name.endsWith('emailaddress')) add('email', value);
    else if (ACCOUNT_KEYS.has(name)) add('user-account', value);
    else if (COMMAND_LINE_KEYS.has(name)) add('process-command-line', value);
    else if (FILE_NAME_KEYS.has(name)) add('file-name', value);
    else if (/^arn:aws[a-z-]*:/i.test(value) || /^\/subscriptions\/[0-9a-f-]{36}\//i.test(value)) add('cloud-resource', value);
  }
  return [...found.values()];
}

interface Adders {
  add: (type: ObservableType, raw: unknown) => boolean;
  addIp: (raw: unknown) => boolean;
  addUrl: (raw: unknown) => boolean;
}

/** The value an entity of a kind stands for, from its identity (key) or what a person reads (display name). */
function kindValues(entity: EntityObservableSource, { add, addIp, addUrl }: Adders): void {
  const attrs = entity.attributes;
  switch (entity.kind) {
    case 'ip':
      if (!addIp(entity.key)) addIp(entity.displayName);
      break;
    case 'url':
      addUrl(attrs['url'] ?? entity.displayName);
      break;
    case 'dns':
      add('domain', attrs['domainName'] ?? entity.displayName);
      break;
    case 'device':
      // Some sources key devices by an agent id: the display name is the host's name.
      add('host', attrs['deviceDnsName'] ?? attrs['hostName'] ?? attrs['hostname'] ?? entity.displayName);
      break;
    case 'user':
      // The key is the merged identity (UPN, or DOMAIN\name), already lower-cased by ingest.
      add('user-account', entity.key);
      break;
    case 'mailbox':
      add('email', attrs['primaryAddress'] ?? attrs['mailboxAddress'] ?? entity.displayName);
      break;
    case 'file':
      add('file-name', attrs['fileDetails.fileName'] ?? attrs['fileName'] ?? attrs['name'] ?? entity.displayName);
      break;
    case 'registryKey':
    case 'registryValue': {
      const hive = attrs['registryHive'];
      const key = attrs['registryKey'];
      if (typeof hive === 'string' && typeof key === 'string') add('registry-key', `${hive}\\${key}`);
      else if (typeof key === 'string') add('registry-key', key);
      else if (entity.kind === 'registryKey') add('registry-key', entity.displayName);
      break;
    }
    case 'azureResource':
      add('cloud-resource', attrs['resourceId'] ?? entity.key);
      break;
    case 'other':
      if (typeof attrs['uid'] === 'string' && /^arn:/i.test(attrs['uid'])) add('cloud-resource', attrs['uid']);
      break;
    default:
      break;
  }
}
