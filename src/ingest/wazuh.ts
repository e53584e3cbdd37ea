import type { Entity } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { stableHash, type Where } from './fields.js';
import type { MappedRecord, RecordFormat } from './formats.js';
import { isWazuhFinding, parseWazuhFinding, wazuhSeverity } from './wazuh-findings.js';
import { at, entity, makeAlert, object, qualifiedUser, scalars, text, texts, timeAt, timeValue } from './soc-fields.js';

/**
 * Wazuh alerts, as the manager writes them to alerts.json (one per line) and as the indexer holds
 * them (`wazuh-alerts-*` hits, unwrapped in batches.ts). Each is a standalone alert the grouping rule
 * places. ATT&CK: `rule.mitre.id` (technique IDs); `rule.mitre.tactic` and `.technique` are names in
 * arrays of their own lengths, not parallel to the IDs, so only the IDs are techniques and the
 * tactic names go into the alert's category.
 */
export const WAZUH_SOURCE = 'wazuh';

export { wazuhSeverity };

export const wazuhFormat: RecordFormat = {
  name: 'wazuh',
  describe: 'Wazuh alerts (rule.level, agent, timestamp) or Wazuh 5 findings (wazuh.rule, @timestamp)',
  detect(obj) {
    if ('kibana' in obj) return false;
    const rule = obj.rule;
    const classic = isRecord(rule) && 'level' in rule && ('timestamp' in obj || '@timestamp' in obj) && (isRecord(obj.agent) || isRecord(obj.manager) || isRecord(obj.decoder));
    if (!classic && !isWazuhFinding(obj)) return false;
    // An Elastic Security alert with flattened `kibana.alert.*` keys is never a Wazuh alert.
    for (const k of Object.keys(obj)) if (k.startsWith('kibana.')) return false;
    return true;
  },
  parse: (obj, where) => [isWazuhFinding(obj) ? parseWazuhFinding(obj, where, WAZUH_SOURCE) : wazuhAlert(obj, where)],
};

function wazuhAlert(obj: JsonObject, where: Where): MappedRecord {
  const rule = object(obj, 'rule', where) ?? where.key('rule').fail('required field "rule" is missing');
  const rw = where.key('rule');
  const levelText = text(rule, 'level', rw);
  const level = levelText === null ? NaN : Number(levelText);
  if (!Number.isInteger(level) || level < 0 || level > 16) return rw.key('level').fail(`expected a rule level from 0 to 15, got ${levelText === null ? 'none' : JSON.stringify(levelText)}`);
  const createdAt = wazuhTime(obj, where) ?? timeAt(obj, '@timestamp', where) ?? where.key('timestamp').fail('required field "timestamp" is missing');
  const ruleId = text(rule, 'id', rw);
  const sourceId = text(obj, 'id', where) ?? `${createdAt}:${ruleId ?? ''}:${stableHash(obj)}`;
  const techniques = texts(rule, 'mitre.id', rw).map((t) => t.toUpperCase());
  const tactics = texts(rule, 'mitre.tactic', rw);
  const { evidence, hosts, users } = wazuhEntities(obj, where);
  const alert = makeAlert({
    sourceId,
    title: text(rule, 'description', rw) ?? `Wazuh rule ${ruleId ?? '?'}`,
    description: text(obj, 'full_log', where),
    severity: wazuhSeverity(level),
    status: 'new',
    category: tactics.length > 0 ? [...new Set(tactics)].join(', ') : null,
    serviceSource: texts(rule, 'groups', rw)[0] ?? null,
    detectionSource: text(obj, 'decoder.name', where),
    detectorId: ruleId,
    productName: 'Wazuh',
    createdAt,
    techniques,
    evidence,
    raw: obj,
  });
  return { kind: 'alert', alert, source: WAZUH_SOURCE, sourceFormat: 'wazuh', tenantId: null, group: { hosts, users } };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEGACY_TIMESTAMP = /^(\d{4}) ([A-Z][a-z]{2}) (\d{2}) (\d{2}:\d{2}:\d{2})$/;

/**
 * `timestamp`: ISO-8601 with an offset (`2020-03-04T03:00:28.973-0800`) since Wazuh 3; the 2.x
 * manager (and Wazuh's own documentation still showing its alerts.json) wrote `2017 Jan 05
 * 14:11:21`, without a zone, read as UTC like every other time without an offset.
 */
function wazuhTime(obj: JsonObject, where: Where): string | null {
  const value = obj.timestamp;
  const legacy = typeof value === 'string' ? LEGACY_TIMESTAMP.exec(value.trim()) : null;
  const month = legacy ? MONTHS.indexOf(legacy[2]!) + 1 : 0;
  if (!legacy || month === 0) return timeAt(obj, 'timestamp', where);
  return timeValue(`${legacy[1]}-${String(month).padStart(2, '0')}-${legacy[3]}T${legacy[4]}Z`, where.key('timestamp'));
}

function wazuhEntities(obj: JsonObject, where: Where): { evidence: Entity[]; hosts: string[]; users: string[] } {
  const evidence: Entity[] = [];
  const hosts: string[] = [];
  const users: string[] = [];
  const agent = object(obj, 'agent', where);
  if (agent) {
    const name = text(agent, 'name', where.key('agent'));
    const id = text(agent, 'id', where.key('agent'));
    if (name) hosts.push(name);
    if (name || id) evidence.push(entity('device', 'wazuh:agent', name ?? `agent-${id}`, name ?? `agent ${id}`, scalars(agent), agent, { roles: ['reporter'] }));
  }
  // Checks that `data`, when present, is an object (named by path otherwise). Wazuh 2.x wrote the
  // decoded fields (srcip, srcuser, dstuser, url) at the top level, before `data` held them.
  const nested = object(obj, 'data', where);
  const data = nested ?? obj;
  const dw = nested ? where.key('data') : where;
  const win = object(data, 'win', dw);
  const ww = dw.key('win');
  const ed = win ? (object(win, 'eventdata', ww) ?? {}) : {};
  const ew = ww.key('eventdata');
  const computer = win ? text(win, 'system.computer', ww) : null;
  if (computer) {
    hosts.push(computer);
    evidence.push(entity('device', 'wazuh:win.system.computer', computer, computer, { computer }, at(win!, 'system') ?? computer));
  }
  const ip = (path: string, w: Where, src: JsonObject, role: string) => {
    const v = text(src, path, w);
    if (v && v !== '-' && v !== '::1' && v !== '127.0.0.1') evidence.push(entity('ip', `wazuh:${path}`, v, v, { [path]: v }, v, { roles: [role] }));
  };
  ip('srcip', dw, data, 'source');
  ip('dstip', dw, data, 'destination');
  ip('ipAddress', ew, ed, 'source');
  const user = (name: string | null, domain: string | null, sourceType: string, role: string) => {
    if (!name || name === '-' || name.endsWith('$')) return;
    const qualified = qualifiedUser(name, domain && domain !== '-' ? domain : null)!;
    users.push(qualified);
    evidence.push(entity('user', sourceType, qualified, qualified, { name, domain }, { name, domain }, { roles: [role] }));
  };
  user(text(data, 'dstuser', dw), null, 'wazuh:dstuser', 'destination');
  user(text(data, 'srcuser', dw), null, 'wazuh:srcuser', 'source');
  user(text(ed, 'targetUserName', ew), text(ed, 'targetDomainName', ew), 'wazuh:win.eventdata.targetUserName', 'target');
  user(text(ed, 'subjectUserName', ew), text(ed, 'subjectDomainName', ew), 'wazuh:win.eventdata.subjectUserName', 'actor');
  const image = text(ed, 'image', ew) ?? text(ed, 'newProcessName', ew);
  const cmd = text(ed, 'commandLine', ew);
  if (image || cmd) {
    const pid = text(ed, 'processId', ew) ?? text(ed, 'newProcessId', ew);
    const name = image ? image.split(/[\\/]/).pop()! : cmd!;
    evidence.push(entity('process', 'wazuh:win.eventdata', [computer, pid, image ?? cmd, text(ed, 'utcTime', ew)].filter(Boolean).join('|'), pid ? `${name} (${pid})` : name, scalars(ed), ed, { caseSensitive: true }));
  }
  const hashes = text(ed, 'hashes', ew);
  const sha256 = hashes ? /SHA256=([0-9a-f]{64})/i.exec(hashes)?.[1] : undefined;
  if (image && sha256) evidence.push(entity('file', 'wazuh:win.eventdata.hashes', sha256, image.split(/[\\/]/).pop()!, { path: image, sha256 }, { image, hashes }));
  const url = text(data, 'url', dw);
  if (url) evidence.push(entity('url', 'wazuh:url', url, url, { url }, url, { caseSensitive: true }));
  const syscheck = object(obj, 'syscheck', where);
  if (syscheck) {
    const sw = where.key('syscheck');
    const path = text(syscheck, 'path', sw);
    if (path) {
      evidence.push(entity('file', 'wazuh:syscheck', path, path.split(/[\\/]/).pop() || path, scalars(syscheck), syscheck, { roles: [text(syscheck, 'event', sw) ?? 'changed'] }));
      const owner = text(syscheck, 'uname_after', sw);
      if (owner) users.push(owner);
    }
  }
  return { evidence, hosts, users };
}
