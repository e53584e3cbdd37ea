import { isRecord, type JsonObject } from '../model/json.js';
import { describe, parseTime, Where } from './fields.js';

/**
 * An Elasticsearch document read by ECS field name whatever the spelling. Kibana writes alert
 * documents with flattened keys (`"kibana.alert.rule.name": ...`) while the source event's fields
 * it copies stay nested (`host: {name}`), and exports often mix both (`"kibana.alert.rule.threat"`
 * beside `kibana: {alert: {...}}`), even inside one object (`host: {"os.name": ...}`). The
 * document is expanded once into one nested tree; where both spellings carry a value for the same
 * field, the first in the document wins. Every field remembers the JSON path it came from, so an
 * error names the path as written in the file.
 */
export class EcsDocument {
  readonly tree: JsonObject = {};
  private readonly origins = new Map<string, Where>();

  constructor(
    doc: JsonObject,
    private readonly where: Where,
  ) {
    this.expand(doc, this.tree, '', where);
    if (this.get('kibana.alert') === undefined && isRecord(this.get('signal.rule'))) this.graftLegacySignal();
  }

  /**
   * A 7.x `.siem-signals-*` document keeps what alerts-as-data later spelled `kibana.alert.*` under
   * `signal` (Kibana's own field aliases map one onto the other): the same values are made readable
   * under the new names, each still named by its own path in the file when it is at fault.
   */
  private graftLegacySignal(): void {
    const alert: JsonObject = {};
    const aliases: [string, string][] = [
      ['rule', 'signal.rule'],
      ['workflow_status', 'signal.status'],
      ['original_time', 'signal.original_time'],
      ['original_event', 'signal.original_event'],
      ['reason', 'signal.reason'],
      ['threshold_result', 'signal.threshold_result'],
    ];
    for (const [name, from] of aliases) {
      const value = this.get(from);
      if (value === undefined) continue;
      alert[name] = value as JsonObject[string];
      this.origins.set(`kibana.alert.${name}`, this.at(from));
    }
    const kibana = isRecord(this.tree.kibana) ? this.tree.kibana : (this.tree.kibana = {});
    kibana.alert = alert;
  }

  private expand(source: JsonObject, target: JsonObject, prefix: string, where: Where): void {
    for (const [key, value] of Object.entries(source)) {
      const parts = key.split('.').filter((p) => p !== '');
      if (parts.length === 0) continue;
      const at = where.key(key);
      let node = target;
      let path = prefix;
      let blocked = false;
      for (const part of parts.slice(0, -1)) {
        path = path ? `${path}.${part}` : part;
        const next = node[part];
        if (next === undefined) {
          const created: JsonObject = {};
          // A node only a dotted key implies has no place of its own in the file.
          node[part] = created;
          node = created;
        } else if (isRecord(next)) node = next;
        else {
          blocked = true; // a scalar already sits where an object would go: the first value wins
          break;
        }
      }
      if (blocked) continue;
      const last = parts[parts.length - 1]!;
      path = path ? `${path}.${last}` : last;
      const existing = node[last];
      if (isRecord(value)) {
        if (existing === undefined) node[last] = {};
        else if (!isRecord(existing)) continue;
        if (!this.origins.has(path) || existing === undefined) this.origins.set(path, at);
        this.expand(value, node[last] as JsonObject, path, at);
      } else if (existing === undefined) {
        node[last] = value;
        this.origins.set(path, at);
      }
    }
  }

  /** The value of an ECS field (`kibana.alert.rule.name`), or undefined. */
  get(field: string): unknown {
    let node: unknown = this.tree;
    for (const part of field.split('.')) {
      if (!isRecord(node)) return undefined;
      node = node[part];
    }
    return node;
  }

  /** Where a field sits in the file (the nearest spelled ancestor when it is absent). */
  at(field: string): Where {
    const direct = this.origins.get(field);
    if (direct) return direct;
    const parts = field.split('.');
    for (let n = parts.length - 1; n > 0; n--) {
      const base = this.origins.get(parts.slice(0, n).join('.'));
      if (base) return parts.slice(n).reduce((w, p) => w.key(p), base);
    }
    return this.where.key(field);
  }

  /**
   * A single text value. Elasticsearch fields are multi-valued, so an array (the fields API returns
   * every value as one) counts as its first value; numbers and booleans are turned into text.
   * Objects are refused with the field's path.
   */
  text(field: string): string | null {
    let value = this.get(field);
    if (Array.isArray(value)) value = value.find((v) => v !== null && v !== undefined);
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value.trim() === '' ? null : value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    return this.at(field).fail(`expected a string, got ${describe(value)}`);
  }

  /** The first of the fields that has a text value. */
  first(...fields: string[]): string | null {
    for (const f of fields) {
      const v = this.text(f);
      if (v !== null) return v;
    }
    return null;
  }

  /** Every text value of a multi-valued field (`host.ip`, `kibana.alert.case_ids`). */
  texts(field: string): string[] {
    const value = this.get(field);
    if (value === null || value === undefined) return [];
    const items = Array.isArray(value) ? value : [value];
    const out: string[] = [];
    items.forEach((item, i) => {
      if (item === null || item === undefined) return;
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'bigint') {
        const s = String(item).trim();
        if (s !== '') out.push(s);
      } else (Array.isArray(value) ? this.at(field).index(i) : this.at(field)).fail(`expected a string, got ${describe(item)}`);
    });
    return out;
  }

  /** A number (`kibana.alert.risk_score`); numeric text is accepted, anything else refused. */
  number(field: string): number | null {
    let value = this.get(field);
    if (Array.isArray(value) && value.length === 1) value = value[0];
    if (value === null || value === undefined || value === '') return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    return this.at(field).fail(`expected a number, got ${describe(value)}`);
  }

  /**
   * A date: ISO-8601 text (with or without an offset) as Elasticsearch stores `date` fields, or
   * epoch milliseconds (the `epoch_millis` format) as a number or digits.
   */
  time(field: string): string | null {
    let value = this.get(field);
    if (Array.isArray(value) && value.length === 1) value = value[0];
    if (value === null || value === undefined || value === '') return null;
    const time = dateValue(value);
    if (time === null) return this.at(field).fail(`not a valid date: ${describe(value)}`);
    return time;
  }
}

/**
 * ISO-8601 text or epoch milliseconds to UTC ISO; null when it is neither. A number below 10^11
 * (in milliseconds, before March 1973) is read as epoch seconds, as an `epoch_second` mapping or a
 * hand-made export gives them, rather than landing in 1970; one below 10^9 is refused.
 */
export function dateValue(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^\d{9,16}(\.\d+)?$/.test(value.trim()))) {
    const n = Number(value);
    // Under 10^9 is before 2001 even in seconds: no alert or case time, so a wrong value, refused.
    if (!Number.isFinite(n) || n < 1e9) return null;
    const ms = n < 1e11 ? Math.round(n * 1000) : n;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  if (typeof value === 'string') return parseTime(value);
  return null;
}
