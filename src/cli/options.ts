import { UsageError } from '../model/errors.js';

/** A positive whole number option (`--limit`, `--top`); anything else is bad usage (exit 2). */
export function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, not "${value}"`);
  return n;
}

/** A date or time option as an ISO time. */
export function parseDateOption(value: string, name: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${name} must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not "${value}"`);
  return new Date(t).toISOString();
}
