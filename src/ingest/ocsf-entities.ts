import type { Entity } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import type { Where } from './fields.js';
import { entity, list, object, qualifiedUser, scalars, text } from './soc-fields.js';

/**
 * OCSF objects into Hindsight entities: device, user, endpoint, process, file, url, email,
 * resource (resource_details), observable (by type_id), evidences[] (each artifact it holds).
 */

export function deviceEntity(d: JsonObject, where: Where, roles: string[] = []): Entity | null {
  const hostname = text(d, 'hostname', where) ?? text(d, 'name', where);
  const uid = text(d, 'uid', where);
  const ip = text(d, 'ip', where);
  if (!hostname && !uid && !ip) return null;
  return entity('device', 'ocsf:device', hostname ?? uid ?? ip, hostname ?? uid ?? ip, scalars(d), d, { roles });
}

export function userEntity(u: JsonObject, where: Where, roles: string[] = []): Entity | null {
  const name = qualifiedUser(text(u, 'name', where), text(u, 'domain', where));
  const key = text(u, 'email_addr', where) ?? name ?? text(u, 'uid', where);
  if (!key) return null;
  return entity('user', 'ocsf:user', key, text(u, 'email_addr', where) ?? name ?? key, scalars(u), u, { roles });
}

/** A network endpoint: its IP (the device it names beside, when it has a hostname). */
export function endpointEntities(e: JsonObject, where: Where, role: string): Entity[] {
  const out: Entity[] = [];
  const ip = text(e, 'ip', where);
  if (ip) out.push(entity('ip', 'ocsf:network_endpoint', ip, ip, scalars(e), e, { roles: [role] }));
  const host = text(e, 'hostname', where);
  if (host) out.push(entity('device', 'ocsf:network_endpoint', host, host, scalars(e), e, { roles: [role] }));
  return out;
}

export function processEntity(p: JsonObject, where: Where, roles: string[] = []): Entity | null {
  const name = text(p, 'name', where) ?? text(p, 'file.name', where);
  const pid = text(p, 'pid', where);
  const cmd = text(p, 'cmd_line', where);
  const uid = text(p, 'uid', where);
  if (!name && !pid && !cmd && !uid) return null;
  const key = uid ?? [pid, cmd ?? name, text(p, 'created_time', where)].filter(Boolean).join('|');
  return entity('process', 'ocsf:process', key, name ? (pid ? `${name} (${pid})` : name) : (cmd ?? `process ${pid}`), scalars(p), p, { roles, caseSensitive: true });
}

export function fileEntity(f: JsonObject, where: Where, roles: string[] = []): Entity | null {
  const name = text(f, 'name', where);
  const path = text(f, 'path', where);
  const hashes = list(f, 'hashes', where).items.filter(isRecord);
  const hash = hashes.map((h) => (typeof h.value === 'string' ? h.value : null)).find((h) => h);
  const key = hash ?? path ?? name;
  if (!key) return null;
  const attributes = scalars(f);
  for (const h of hashes) if (typeof h.algorithm === 'string' && typeof h.value === 'string') attributes[h.algorithm.toLowerCase()] = h.value;
  return entity('file', 'ocsf:file', key, name ?? path ?? key, attributes, f, { roles });
}

export function urlEntity(u: JsonObject, where: Where): Entity | null {
  const url = text(u, 'url_string', where) ?? [text(u, 'scheme', where), text(u, 'hostname', where), text(u, 'path', where)].filter(Boolean).join('') ?? null;
  return url ? entity('url', 'ocsf:url', url, url, scalars(u), u, { caseSensitive: true }) : null;
}

export function resourceEntity(r: JsonObject, where: Where): Entity | null {
  const uid = text(r, 'uid', where);
  const name = text(r, 'name', where);
  if (!uid && !name) return null;
  const type = text(r, 'type', where);
  return entity('other', `ocsf:resource${type ? `:${type}` : ''}`, `resource:${uid ?? name}`, name ?? uid, scalars(r), r, { roles: ['affected'], caseSensitive: true });
}

/** Observable type_id values (OCSF dictionary types `hostname_t` = 1, `ip_t` = 2, ...). */
const OBSERVABLE_KIND: Record<number, Entity['kind']> = {
  1: 'device', // Hostname
  2: 'ip', // IP Address
  4: 'user', // User Name
  5: 'mailbox', // Email Address
  6: 'url', // URL String
  7: 'file', // File Name
  8: 'file', // Hash
  9: 'process', // Process Name
  20: 'device', // Endpoint
  21: 'user', // User
  22: 'mailMessage', // Email
  23: 'url', // Uniform Resource Locator
  24: 'file', // File
  25: 'process', // Process
};

export function observableEntity(o: JsonObject, where: Where): Entity | null {
  const value = text(o, 'value', where);
  if (!value) return null;
  const typeId = Number(text(o, 'type_id', where) ?? NaN);
  const name = text(o, 'name', where);
  const kind = OBSERVABLE_KIND[typeId] ?? 'other';
  const caseSensitive = kind === 'url' || kind === 'process';
  const reputation = object(o, 'reputation', where);
  const verdict = reputation ? text(reputation, 'score', where) : null;
  return entity(kind, `ocsf:observable:${text(o, 'type', where) ?? typeId}`, kind === 'other' ? `${name ?? 'observable'}:${value}` : value, value, scalars(o), o, { caseSensitive, verdict });
}

/** The artifacts of one `evidences[]` entry. */
export function evidenceEntities(e: JsonObject, where: Where): Entity[] {
  const out: (Entity | null)[] = [];
  const sub = (name: string) => object(e, name, where);
  const w = (name: string) => where.key(name);
  const actor = sub('actor');
  if (actor) {
    const u = object(actor, 'user', w('actor'));
    if (u) out.push(userEntity(u, w('actor').key('user'), ['actor']));
    const p = object(actor, 'process', w('actor'));
    if (p) out.push(processEntity(p, w('actor').key('process'), ['actor']));
  }
  const user = sub('user');
  if (user) out.push(userEntity(user, w('user')));
  const device = sub('device');
  if (device) out.push(deviceEntity(device, w('device')));
  const process = sub('process');
  if (process) out.push(processEntity(process, w('process')));
  const file = sub('file');
  if (file) out.push(fileEntity(file, w('file')));
  const url = sub('url');
  if (url) out.push(urlEntity(url, w('url')));
  const src = sub('src_endpoint');
  if (src) out.push(...endpointEntities(src, w('src_endpoint'), 'source'));
  const dst = sub('dst_endpoint');
  if (dst) out.push(...endpointEntities(dst, w('dst_endpoint'), 'destination'));
  const email = sub('email');
  if (email) {
    const id = text(email, 'message_uid', w('email')) ?? text(email, 'uid', w('email'));
    const subject = text(email, 'subject', w('email'));
    if (id || subject) out.push(entity('mailMessage', 'ocsf:email', id ?? subject, subject ?? id, scalars(email), email));
  }
  return out.filter((x): x is Entity => x !== null);
}
