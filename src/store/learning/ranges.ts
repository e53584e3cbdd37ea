import { sql, type RawBuilder } from 'kysely';
import { UsageError } from '../../model/errors.js';
import { addDays, isoWeekday, nextMonth } from '../../model/learning.js';

/**
 * Ranges of the learning reads: bounds as comparable ISO text, and a range of whole days split into
 * the whole weeks or months the coarser pre-aggregated tables answer and the edge days the daily
 * tables answer.
 */

/** A range as ISO times, `to` exclusive; null bounds are open. */
export interface TimeRange {
  from: string | null;
  to: string | null;
}

/** A range in whole UTC days, `YYYY-MM-DD`, `to` exclusive; null bounds are open. */
export interface DayRange {
  from: string | null;
  to: string | null;
}

/** A range bound as ISO text comparable with stored times: a bare date becomes midnight UTC. */
function normaliseBound(value: string | undefined, name: string): string | null {
  if (value === undefined || value === '') return null;
  const v = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UsageError(`${name} must be an ISO-8601 date or time, not "${value}"`);
  return new Date(ms).toISOString();
}

/** The `--from` / `--to` options as a time range. */
export function timeRange(options: { from?: string; to?: string }): TimeRange {
  return { from: normaliseBound(options.from, '--from'), to: normaliseBound(options.to, '--to') };
}

/** The range as whole days, or null when a bound is not midnight UTC (then only the facts answer exactly). */
export function wholeDays(range: TimeRange): DayRange | null {
  const day = (v: string | null) => (v === null ? null : v.endsWith('T00:00:00.000Z') ? v.slice(0, 10) : undefined);
  const from = day(range.from);
  const to = day(range.to);
  return from === undefined || to === undefined ? null : { from, to };
}

/** `column` within the range (a time or day column; any bound left open). */
export function withinRange(range: TimeRange | DayRange, column: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (range.from !== null) parts.push(sql`${sql.ref(column)} >= ${range.from}`);
  if (range.to !== null) parts.push(sql`${sql.ref(column)} < ${range.to}`);
  return sql.join(parts, sql` and `);
}

/** True when any of the conditions holds (false for none). */
export function anyOf(pieces: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return pieces.length === 0 ? sql`1 = 0` : sql`(${sql.join(pieces.map((p) => sql`(${p})`), sql` or `)})`;
}

/**
 * Splits a day range into the whole periods inside it (months as `YYYY-MM`, or ISO weeks as the
 * `YYYY-MM-DD` of their Monday), read from the coarser tables, and the days at its edges, read from
 * the daily table (or the facts).
 */
export function splitRange(r: DayRange, unit: 'month' | 'week' = 'month'): { periods: DayRange | null; days: DayRange[] } {
  const monthly = unit === 'month';
  const startsPeriod = (day: string) => (monthly ? day.endsWith('-01') : isoWeekday(day) === 0);
  const periodOf = (day: string) => (monthly ? day.slice(0, 7) : addDays(day, -isoWeekday(day)));
  const firstDay = (period: string) => (monthly ? `${period}-01` : period);
  const next = (period: string) => (monthly ? nextMonth(period) : addDays(period, 7));
  const fp = r.from === null ? null : startsPeriod(r.from) ? periodOf(r.from) : next(periodOf(r.from));
  const tp = r.to === null ? null : periodOf(r.to);
  if (fp !== null && tp !== null && fp >= tp) return { periods: null, days: [r] };
  const days: DayRange[] = [];
  if (r.from !== null && fp !== null && !startsPeriod(r.from)) days.push({ from: r.from, to: firstDay(fp) });
  if (r.to !== null && tp !== null && !startsPeriod(r.to)) days.push({ from: firstDay(tp), to: r.to });
  return { periods: { from: fp, to: tp }, days };
}
