/** fast-check arbitraries of hostile JSON: values, mutations of an example record, and whole file texts. */
import fc from 'fast-check';

/** JSON text written as is (a number JSON.parse cannot hold, a deep nest). */
export class Raw {
  constructor(readonly text: string) {}
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\u2400', '␀0000', '\ud83d\ude00', '', '   ', '\\', 'DOMAIN\\user', '2026-02-30T10:00:00Z', '2026-02-29T00:00:00Z', '2026-01-01T24:00:00Z', '9007199254740993', 'High', 'resolved', '5'),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** A value a hostile source could send for any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 80n }), weight: 1 },
  { arbitrary: fc.constantFrom(new Raw('1e400'), new Raw('-1e400'), new Raw('1.5'), new Raw('-0'), new Raw('1e16'), new Raw('9007199254740993.0'), new Raw('0.000000000000000000001')), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 3000 }).map((n) => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`)), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 3000 }).map((n) => new Raw(`${'{"a":'.repeat(n)}null${'}'.repeat(n)}`)), weight: 1 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), weight: 2 },
);

/** JSON text of a value holding bigints (their digits) and Raw pieces (their text). */
export function toText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface Mutation {
  at: number;
  op: 'set' | 'delete' | 'add';
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'set', 'delete', 'add'),
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('id', 'incidentId', 'alertId', 'severity', 'status', 'createdDateTime', 'createdTime', 'creationTime', 'evidence', 'alerts', '__proto__', 'constructor', '@odata.type')),
  value: hostileValue,
});

/** The containers (objects and arrays) of a value, found without recursion. */
function containers(root: unknown): (Record<string, unknown> | unknown[])[] {
  const out: (Record<string, unknown> | unknown[])[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Raw || v === null || typeof v !== 'object') continue;
    out.push(v as Record<string, unknown> | unknown[]);
    stack.push(...Object.values(v));
  }
  return out;
}

/** A deep copy of the example with the mutations applied. */
function mutate(example: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const record = structuredClone(example);
  for (const m of mutations) {
    const all = containers(record);
    const target = all[m.at % all.length]!;
    const keys = Object.keys(target);
    if (m.op === 'add' || keys.length === 0) {
      if (Array.isArray(target)) target.push(m.value);
      else Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const key = keys[m.at % keys.length]!;
    if (m.op === 'delete') {
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete target[key];
    } else (target as Record<string, unknown>)[key] = m.value;
  }
  return record;
}

export type Shape = 'object' | 'array' | 'page' | 'ndjson';

/** A file's text: the example mutated, repeated (so ids may repeat), in one of the shapes a source sends. */
export function fileText(example: Record<string, unknown>): fc.Arbitrary<{ text: string; shape: Shape }> {
  return fc
    .record({
      records: fc.array(fc.array(mutation, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      shape: fc.constantFrom<Shape>('object', 'array', 'page', 'ndjson'),
      damage: fc.option(fc.record({ at: fc.nat(), cut: fc.nat({ max: 3 }), insert: fc.constantFrom('', '"', '{', ']', ',', '\u0000', '\n', 'x') }), { freq: 5 }),
    })
    .map(({ records, shape, damage }) => {
      const texts = records.map((mutations) => toText(mutate(example, mutations)));
      let text = shape === 'object' ? texts[0]! : shape === 'array' ? `[${texts.join(',')}]` : shape === 'page' ? `{"@odata.context":"x","value":[${texts.join(',')}]}` : `${texts.join('\n')}\n`;
      if (damage) {
        const at = damage.at % (text.length + 1);
        text = text.slice(0, at) + damage.insert + text.slice(at + damage.cut);
      }
      return { text, shape };
    });
}
