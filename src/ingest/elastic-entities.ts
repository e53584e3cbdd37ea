import type { Entity, EntityKind } from '../model/incident.js';
import { isRecord } from '../model/json.js';
import type { EcsDocument } from './elastic-doc.js';
import { stableHash } from './fields.js';
import { flattenAttributes } from './graph-evidence.js';

type Attributes = Entity['attributes'];

/**
 * The entities of an Elastic Security alert, read from the ECS field sets the alert copied from
 * its source event: host, user (and user.target), process, file, source/destination (and the
 * network connection between them), dns, url and registry. Identities follow the Graph evidence
 * mapper's, so the same host, account, address or file merges across sources: devices by lower-cased
 * host name, users by e-mail or `domain\name`, files by hash else path, addresses as written.
 */
export function mapElasticEntities(doc: EcsDocument): Entity[] {
  const out: Entity[] = [];
  const add = (kind: EntityKind, sourceType: string, key: string | null, displayName: string | null, roles: string[], group: unknown) => {
    const raw = isRecord(group) ? group : {};
    const attributes: Attributes = flattenAttributes(raw, new Set());
    const finalKey = key ?? `${sourceType}:${stableHash(raw)}`;
    if (out.some((e) => e.kind === kind && e.key === finalKey)) return;
    out.push({ kind, sourceType, key: finalKey, displayName: displayName ?? finalKey, roles, verdict: null, remediationStatus: null, createdAt: null, attributes, raw });
  };

  const hostName = doc.first('host.name', 'host.hostname');
  if (hostName || doc.text('host.id')) {
    add('device', 'host', (hostName ?? doc.text('host.id'))!.toLowerCase(), hostName ?? doc.text('host.id'), [], doc.get('host'));
  }

  const user = userIdentity(doc, 'user');
  if (user) add('user', 'user', user.key, user.name, [], doc.get('user'));
  const target = userIdentity(doc, 'user.target');
  if (target) add('user', 'user.target', target.key, target.name, ['target'], doc.get('user.target'));

  const processName = doc.first('process.name', 'process.executable');
  const commandLine = doc.text('process.command_line');
  if (processName || commandLine || doc.text('process.entity_id')) {
    const pid = doc.text('process.pid');
    const identity = doc.text('process.entity_id') ?? [hostName, pid, doc.first('process.hash.sha256', 'process.executable') ?? commandLine, doc.text('process.start')].filter(Boolean).join('|');
    add('process', 'process', identity.toLowerCase(), processName ? (pid ? `${processName} (${pid})` : processName) : commandLine, [], doc.get('process'));
  }

  const fileName = doc.text('file.name');
  const filePath = doc.text('file.path');
  const fileHash = doc.first('file.hash.sha256', 'file.hash.sha1', 'file.hash.md5');
  if (fileName || filePath || fileHash) {
    add('file', 'file', (fileHash ?? filePath ?? fileName)!.toLowerCase(), fileName ?? filePath ?? fileHash, [], doc.get('file'));
  }

  const endpoints: { side: 'source' | 'destination'; ip: string | null }[] = [];
  for (const side of ['source', 'destination'] as const) {
    const ip = doc.text(`${side}.ip`);
    endpoints.push({ side, ip });
    if (ip) add('ip', side, ip.toLowerCase(), ip, [side], doc.get(side));
  }
  const [src, dst] = endpoints;
  if (src?.ip && dst?.ip) {
    const transport = doc.first('network.transport', 'network.protocol');
    const text = `${src.ip}:${doc.text('source.port') ?? '*'} -> ${dst.ip}:${doc.text('destination.port') ?? '*'}${transport ? `/${transport}` : ''}`;
    const network = doc.get('network');
    add('networkConnection', 'network', (doc.text('network.community_id') ?? text).toLowerCase(), text, [], {
      ...(isRecord(network) ? network : {}),
      source: doc.get('source'),
      destination: doc.get('destination'),
    });
  }

  const question = doc.text('dns.question.name');
  if (question) add('dns', 'dns', question.toLowerCase(), question, [], doc.get('dns'));
  const url = doc.first('url.full', 'url.original');
  if (url) add('url', 'url', url, url, [], doc.get('url'));
  const registry = doc.first('registry.path', 'registry.key');
  if (registry) add(doc.text('registry.value') ? 'registryValue' : 'registryKey', 'registry', registry.toLowerCase(), registry, [], doc.get('registry'));
  return out;
}

/** An ECS user set's identity: e-mail, else `domain\name`, else name, else id. */
function userIdentity(doc: EcsDocument, prefix: string): { key: string; name: string } | null {
  const name = doc.text(`${prefix}.name`);
  const domain = doc.text(`${prefix}.domain`);
  const email = doc.text(`${prefix}.email`);
  const id = doc.text(`${prefix}.id`);
  const account = name ? (domain ? `${domain}\\${name}` : name) : null;
  const key = email ?? account ?? id;
  if (!key) return null;
  return { key: key.toLowerCase(), name: doc.text(`${prefix}.full_name`) ?? account ?? email ?? key };
}

/** The host and user names a standalone alert is grouped by (src/ingest/grouping.ts). */
export function elasticGroupHints(doc: EcsDocument): { hosts: string[]; users: string[] } {
  const host = doc.first('host.name', 'host.hostname');
  const user = doc.text('user.name');
  return { hosts: host ? [host] : [], users: user ? [user] : [] };
}
