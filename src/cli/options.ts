import { isDateOrTime } from '../model/calendar.js';
import { UsageError } from '../model/errors.js';

/** A positive whole number option (`--limit`, `--top`); anything else is bad usage (exit 2). */
export function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, not "${value}"`);
  return n;
}

/** A date or time option as an ISO time. */
export function parseDateOption(value: string, name: string): string {
  const t = Date.parse(checkDateOption(value, name));
  return new Date(t).toISOString();
}

/** A date or time option kept as given, once it is a real date (2026-02-30 is refused, not moved to March). */
export function checkDateOption(value: string, name: string): string {
  if (!isDateOrTime(value)) throw new UsageError(`${name} must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not "${value}"`);
  return value;
}

/** Values of a repeatable option that must each be one of `known` (else bad usage naming the value). */
export function parseEnumList<T extends string>(values: string[] | undefined, known: readonly T[], name: string): T[] | undefined {
  if (values === undefined) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = out.find((v) => !(known as readonly string[]).includes(v));
  if (unknown !== undefined) throw new UsageError(`${name} must be one of ${known.join(', ')}, not "${unknown}"`);
  return out as T[];
}
