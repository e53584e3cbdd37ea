import { EVIDENCE_REMEDIATION_STATUS_VALUES, EVIDENCE_VERDICT_VALUES } from '../model/enums.js';
import type { Entity, EntityKind } from '../model/incident.js';
import { isRecord } from '../model/json.js';
import { dedupe, objectAt, optEnum, optTime, prop, stableHash, stringArray, type JsonObject, type Where } from './fields.js';

type Attributes = Entity['attributes'];

/** alertEvidence fields every subtype shares; they are not repeated in `attributes`. */
const COMMON_FIELDS = new Set(['@odata.type', 'createdDateTime', 'verdict', 'remediationStatus', 'remediationStatusDetails', 'roles', 'detailedRoles', 'tags']);

/**
 * Flattens the scalar fields of an object into dotted keys (`fileDetails.sha256`), arrays of
 * scalars joined with ", ". Nulls, empty strings and arrays of objects are left out (they stay in
 * `raw`).
 */
export function flattenAttributes(obj: JsonObject, skip: Set<string> = COMMON_FIELDS, prefix = '', out: Attributes = {}, depth = 0): Attributes {
  for (const [key, value] of Object.entries(obj)) {
    if (skip.has(key) || key === '@odata.type') continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = value;
    // An integer beyond 2^53 (an id, kept exact by ingest) is kept as its digits.
    else if (typeof value === 'bigint') out[name] = value.toString();
    else if (Array.isArray(value)) {
      const scalars = value.filter((v): v is string | number | boolean | bigint => ['string', 'number', 'boolean', 'bigint'].includes(typeof v));
      if (scalars.length > 0 && scalars.length === value.length) out[name] = scalars.join(', ');
    } else if (isRecord(value) && depth < 2) flattenAttributes(value, new Set(), name, out, depth + 1);
  }
  return out;
}

/** The type name without the namespace: `#microsoft.graph.security.userEvidence` -> `userevidence`. */
function shortType(odataType: string): string {
  return odataType.replace(/^#?microsoft\.graph\.security\./i, '').replace(/^#/, '').toLowerCase();
}

const str = (a: Attributes, ...names: string[]): string | null => {
  for (const n of names) {
    const v = a[n];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return null;
};

/** Attributes keyed case-insensitively (cloudLogonSessionEvidence is documented in PascalCase). */
function lowerKeys(a: Attributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(a)) out[k.toLowerCase()] = v;
  return out;
}

interface Identity {
  kind: EntityKind;
  key: string | null;
  displayName: string | null;
}

function userIdentity(l: Attributes, prefix: string): { key: string | null; name: string | null } {
  const p = prefix ? `${prefix}.` : '';
  const upn = str(l, `${p}userprincipalname`);
  const aad = str(l, `${p}azureaduserid`);
  const account = str(l, `${p}accountname`);
  const domain = str(l, `${p}domainname`);
  const sid = str(l, `${p}usersid`);
  const key = upn ?? aad ?? (account ? (domain ? `${domain}\\${account}` : account) : null) ?? sid;
  const name = str(l, `${p}displayname`) ?? upn ?? (account ? (domain ? `${domain}\\${account}` : account) : null) ?? aad ?? sid;
  return { key: key?.toLowerCase() ?? null, name };
}

/** Kind, identity and display name by evidence subtype (see the Graph `alertEvidence` subtypes). */
function identify(type: string, a: Attributes): Identity {
  const l = lowerKeys(a);
  const lower = (s: string | null) => s?.toLowerCase() ?? null;
  switch (type) {
    case 'userevidence': {
      const u = userIdentity(l, 'useraccount');
      return { kind: 'user', key: u.key, displayName: u.name };
    }
    case 'deviceevidence': {
      const key = str(l, 'mdedeviceid', 'azureaddeviceid', 'devicednsname', 'hostname');
      return { kind: 'device', key: lower(key), displayName: str(l, 'devicednsname', 'hostname', 'mdedeviceid', 'azureaddeviceid') };
    }
    case 'mailboxevidence': {
      const key = str(l, 'primaryaddress', 'useraccount.userprincipalname');
      return { kind: 'mailbox', key: lower(key), displayName: str(l, 'primaryaddress', 'displayname', 'useraccount.userprincipalname') };
    }
    case 'analyzedmessageevidence': {
      const key = str(l, 'internetmessageid', 'networkmessageid');
      return { kind: 'mailMessage', key: lower(key), displayName: str(l, 'subject', 'internetmessageid', 'networkmessageid') };
    }
    case 'mailclusterevidence': {
      const by = str(l, 'clusterby');
      const byValue = str(l, 'clusterbyvalue');
      const key = str(l, 'urn', 'query') ?? (by || byValue ? `${by ?? ''}:${byValue ?? ''}` : null);
      return { kind: 'mailCluster', key: lower(key), displayName: by || byValue ? `${by ?? 'cluster'}: ${byValue ?? ''}`.trim() : str(l, 'query', 'urn') };
    }
    case 'ipevidence': {
      const ip = str(l, 'ipaddress');
      return { kind: 'ip', key: lower(ip), displayName: ip };
    }
    case 'urlevidence': {
      const url = str(l, 'url');
      return { kind: 'url', key: url, displayName: url };
    }
    case 'fileevidence': {
      const name = str(l, 'filedetails.filename');
      const path = str(l, 'filedetails.filepath');
      const key = str(l, 'filedetails.sha256', 'filedetails.sha1', 'filedetails.md5') ?? (name ? (path ? `${path.replace(/\\+$/, '')}\\${name}` : name) : null);
      return { kind: 'file', key: lower(key), displayName: name ?? key };
    }
    case 'filehashevidence': {
      const value = str(l, 'value');
      return { kind: 'file', key: lower(value), displayName: value ? `${str(l, 'algorithm') ?? 'hash'}: ${value}` : null };
    }
    case 'processevidence': {
      const pid = str(l, 'processid');
      const image = str(l, 'imagefile.sha256', 'imagefile.sha1') ?? str(l, 'processcommandline', 'imagefile.filename');
      const created = str(l, 'processcreationdatetime');
      const parts = [str(l, 'mdedeviceid'), pid, image, created].filter((p): p is string => p !== null);
      const key = pid || image ? parts.join('|') : null;
      const file = str(l, 'imagefile.filename');
      const displayName = file ? (pid ? `${file} (${pid})` : file) : (str(l, 'processcommandline') ?? (pid ? `process ${pid}` : null));
      return { kind: 'process', key: lower(key), displayName };
    }
    case 'registrykeyevidence': {
      const hive = str(l, 'registryhive');
      const key = str(l, 'registrykey');
      const full = hive || key ? [hive, key].filter(Boolean).join('\\') : null;
      return { kind: 'registryKey', key: lower(full), displayName: full };
    }
    case 'registryvalueevidence': {
      const hive = str(l, 'registryhive');
      const key = str(l, 'registrykey');
      const name = str(l, 'registryvaluename');
      const full = hive || key || name ? [hive, key, name].filter(Boolean).join('\\') : null;
      return { kind: 'registryValue', key: lower(full), displayName: full };
    }
    case 'cloudapplicationevidence': {
      const key = str(l, 'appid', 'saasappid', 'instanceid', 'displayname');
      return { kind: 'cloudApplication', key: lower(key), displayName: str(l, 'displayname', 'instancename', 'appid') };
    }
    case 'oauthapplicationevidence': {
      const key = str(l, 'appid', 'objectid', 'displayname');
      return { kind: 'oauthApplication', key: lower(key), displayName: str(l, 'displayname', 'appid', 'objectid') };
    }
    case 'securitygroupevidence': {
      const key = str(l, 'securitygroupid', 'displayname');
      return { kind: 'securityGroup', key: lower(key), displayName: str(l, 'displayname', 'securitygroupid') };
    }
    case 'cloudlogonsessionevidence': {
      const session = str(l, 'sessionid');
      const user = userIdentity(l, 'account.useraccount');
      return { kind: 'cloudLogonSession', key: lower(session), displayName: session ? `session ${session}${user.name ? ` (${user.name})` : ''}` : null };
    }
    case 'dnsevidence': {
      const domain = str(l, 'domainname');
      return { kind: 'dns', key: lower(domain), displayName: domain };
    }
    case 'malwareevidence': {
      const name = str(l, 'name');
      return { kind: 'malware', key: lower(name), displayName: name };
    }
    case 'networkconnectionevidence': {
      const src = str(l, 'sourceaddress.ipaddress');
      const dst = str(l, 'destinationaddress.ipaddress');
      if (!src && !dst) return { kind: 'networkConnection', key: null, displayName: null };
      const text = `${src ?? '?'}:${str(l, 'sourceport') ?? '*'} -> ${dst ?? '?'}:${str(l, 'destinationport') ?? '*'}${str(l, 'protocol') ? `/${str(l, 'protocol')}` : ''}`;
      return { kind: 'networkConnection', key: text.toLowerCase(), displayName: text };
    }
    case 'azureresourceevidence': {
      const id = str(l, 'resourceid');
      return { kind: 'azureResource', key: lower(id), displayName: str(l, 'resourcename', 'resourceid') };
    }
    case 'mailboxconfigurationevidence': {
      const mailbox = str(l, 'mailboxprimaryaddress', 'upn');
      const configType = str(l, 'configurationtype');
      const key = str(l, 'configurationid') ?? (mailbox ? `${mailbox}|${configType ?? ''}|${str(l, 'displayname') ?? ''}` : null);
      const displayName = [configType, mailbox ? `on ${mailbox}` : null].filter(Boolean).join(' ') || str(l, 'displayname');
      return { kind: 'mailboxConfiguration', key: lower(key), displayName };
    }
    default: {
      // Known Graph subtypes without a kind of their own (cloud, container, Kubernetes, ...) and
      // types Hindsight has never seen: kind `other`, identity from a well-known identifying field.
      const id = str(l, 'resourceid', 'amazonresourceid', 'fullresourcename', 'url', 'name', 'displayname', 'id');
      return { kind: 'other', key: id ? `${type}:${id.toLowerCase()}` : null, displayName: str(l, 'displayname', 'name', 'resourcename') ?? id };
    }
  }
}

/** Maps one Graph `alertEvidence` (any subtype) to an Entity. Unknown types are kept as `other`, never rejected. */
export function mapGraphEvidence(value: unknown, where: Where): Entity {
  const obj = objectAt(value, where);
  const odata = prop(obj, '@odata.type').value;
  const sourceType = typeof odata === 'string' && odata.trim() !== '' ? odata.trim() : 'unknown';
  const type = shortType(sourceType);
  const attributes = flattenAttributes(obj);
  // dnsEvidence.ipAddresses is an array of ipEvidence: keep the addresses.
  const resolved = prop(obj, 'ipAddresses').value;
  if (Array.isArray(resolved)) {
    const ips = resolved.map((r) => (isRecord(r) ? prop(r, 'ipAddress').value : null)).filter((ip): ip is string => typeof ip === 'string');
    if (ips.length > 0) attributes.ipAddresses = ips.join(', ');
  }
  const identity = identify(type, attributes);
  const key = identity.key ?? `${sourceType}:${stableHash(obj)}`;
  const roles = dedupe([...stringArray(obj, 'roles', where), ...stringArray(obj, 'detailedRoles', where)].map((r) => r.toLowerCase()));
  return {
    kind: identity.kind,
    sourceType,
    key,
    displayName: identity.displayName ?? key,
    roles,
    verdict: optEnum(obj, 'verdict', EVIDENCE_VERDICT_VALUES, where),
    remediationStatus: optEnum(obj, 'remediationStatus', EVIDENCE_REMEDIATION_STATUS_VALUES, where),
    createdAt: optTime(obj, 'createdDateTime', where),
    attributes,
    raw: obj,
  };
}
