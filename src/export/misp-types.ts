import { isIP } from 'node:net';
import type { ShareObservable, ShareTlp } from './share-document.js';
import { observableTypeKey } from './stix-observables.js';

/**
 * Which MISP attribute type and category an observable becomes, following MISP's own defaults
 * (describeTypes `sane_defaults`): the category is each type's default category, and it is one
 * the type is allowed in (`category_type_mappings`). A value MISP would refuse for its type (a
 * hand-typed hash of the wrong length) is shared as `text` in `Other` rather than lost.
 */

export interface MispTyping {
  type: string;
  category: string;
  /** Relation inside a `file` or `domain-ip` object, when the attribute can be grouped. */
  objectRelation: string | null;
  /** The object template that groups this kind of attribute. */
  object: 'file' | 'domain-ip' | null;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`, 'i');
const HASH_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

export function mispTyping(o: ShareObservable): MispTyping {
  const key = observableTypeKey(o.type);
  const text: MispTyping = { type: 'text', category: 'Other', objectRelation: null, object: null };
  switch (key) {
    case 'ip':
    case 'ipaddress':
    case 'ipv4':
    case 'ipv6':
      return isIP(o.value) ? { type: 'ip-dst', category: 'Network activity', objectRelation: 'ip', object: 'domain-ip' } : text;
    case 'domain':
    case 'domainname':
      return /^[^\s/]+\.[^\s/]+$/.test(o.value) ? { type: 'domain', category: 'Network activity', objectRelation: 'domain', object: 'domain-ip' } : text;
    case 'host':
    case 'hostname':
      return /^[^\s/]+$/.test(o.value) ? { type: 'hostname', category: 'Network activity', objectRelation: 'hostname', object: 'domain-ip' } : text;
    case 'url':
      return { type: 'url', category: 'Network activity', objectRelation: null, object: null };
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const length = HASH_LENGTH[key] ?? 64;
      return HEX(length).test(o.value) ? { type: key, category: 'Payload delivery', objectRelation: key, object: 'file' } : text;
    }
    case 'file':
    case 'filename':
      return { type: 'filename', category: 'Payload delivery', objectRelation: 'filename', object: 'file' };
    case 'email':
    case 'emailaddress':
    case 'emailaddr':
      return { type: 'email-src', category: 'Payload delivery', objectRelation: null, object: null };
    case 'user':
    case 'account':
    case 'useraccount':
      return { type: 'target-user', category: 'Targeting data', objectRelation: null, object: null };
    case 'registrykey':
    case 'windowsregistrykey':
      return { type: 'regkey', category: 'Persistence mechanism', objectRelation: null, object: null };
    case 'process':
    case 'commandline':
    case 'processcommandline':
      return { type: 'text', category: 'Artifacts dropped', objectRelation: null, object: null };
    case 'macaddress':
    case 'mac':
      return { type: 'mac-address', category: 'Network activity', objectRelation: null, object: null };
    default:
      return text;
  }
}

/**
 * MISP distribution for a TLP level: CLEAR may go to all communities, GREEN stays in this
 * community, AMBER, AMBER+STRICT and RED stay in the receiving organisation.
 */
export function mispDistribution(tlp: ShareTlp): '0' | '1' | '3' {
  if (tlp === 'clear') return '3';
  if (tlp === 'green') return '1';
  return '0';
}

/** The MISP taxonomy tag of a TLP 2.0 level (`tlp:amber+strict`). */
export function mispTlpTag(tlp: ShareTlp): string {
  return `tlp:${tlp}`;
}

/** MISP threat level: 1 high, 2 medium, 3 low, 4 undefined. */
export function mispThreatLevel(severity: string): '1' | '2' | '3' | '4' {
  const s = severity.toLowerCase();
  if (s === 'high' || s === 'critical') return '1';
  if (s === 'medium') return '2';
  if (s === 'low' || s === 'informational') return '3';
  return '4';
}

/** MISP analysis: 0 initial, 1 ongoing, 2 completed. */
export function mispAnalysis(status: string): '0' | '1' | '2' {
  const s = status.toLowerCase();
  if (s === 'resolved' || s === 'closed') return '2';
  if (s === 'new') return '0';
  return '1';
}

/** The MISP object templates Hindsight fills (misp-objects: name, template uuid, version, meta-category, relations that may appear once only). */
export const MISP_OBJECT_TEMPLATES = {
  file: { name: 'file', uuid: '688c46fb-5edb-40a3-8273-1af7923e2215', version: '25', metaCategory: 'file', description: 'File object describing a file with meta-information', single: ['md5', 'sha1', 'sha256', 'sha512'] },
  'domain-ip': { name: 'domain-ip', uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734', version: '11', metaCategory: 'network', description: 'A domain/hostname and IP address seen as a tuple in a specific time frame.', single: ['hostname'] },
} as const;
