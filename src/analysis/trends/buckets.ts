import { DAY_MS, isoWeekMonday, isoWeekOf, type TrendBucket } from '../../model/learning.js';

/**
 * Trend buckets over UTC times: ISO-8601 weeks (`2021-W01`, Monday to Sunday, week-numbering year),
 * months (`2024-03`) and quarters (`2024-Q1`). The keys match those the store computes in SQL.
 */

export function bucketOf(iso: string, bucket: TrendBucket): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${iso}`);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  if (bucket === 'month') return `${year}-${String(month).padStart(2, '0')}`;
  if (bucket === 'quarter') return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  return isoWeekOf(d);
}

/** First instant (inclusive) and end (exclusive) of a bucket key, as ISO times. */
export function bucketSpan(key: string): { start: string; end: string } {
  let m = /^(\d{4})-W(\d{2})$/.exec(key);
  if (m) {
    const start = isoWeekMonday(Number(m[1]), Number(m[2]));
    return { start: new Date(start).toISOString(), end: new Date(start + 7 * DAY_MS).toISOString() };
  }
  m = /^(\d{4})-Q([1-4])$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    const q = Number(m[2]);
    return { start: new Date(Date.UTC(year, (q - 1) * 3, 1)).toISOString(), end: new Date(Date.UTC(year, q * 3, 1)).toISOString() };
  }
  m = /^(\d{4})-(\d{2})$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    return { start: new Date(Date.UTC(year, month - 1, 1)).toISOString(), end: new Date(Date.UTC(year, month, 1)).toISOString() };
  }
  throw new RangeError(`not a bucket key: ${key}`);
}

/** Every bucket key from the one holding `from` to the one holding the instant before `to`, in order. */
export function bucketsBetween(from: string, to: string, bucket: TrendBucket): string[] {
  const keys: string[] = [];
  const endMs = Date.parse(to);
  let key = bucketOf(from, bucket);
  for (let guard = 0; guard < 5000; guard++) {
    keys.push(key);
    const span = bucketSpan(key);
    if (Date.parse(span.end) >= endMs) break;
    key = bucketOf(span.end, bucket);
  }
  return keys;
}

/** Days of a bucket that fall inside [from, to) (the exposure of a partial first or last bucket). */
export function bucketDaysWithin(key: string, from: string | null, to: string | null): number {
  const span = bucketSpan(key);
  const start = Math.max(Date.parse(span.start), from ? Date.parse(from) : -Infinity);
  const end = Math.min(Date.parse(span.end), to ? Date.parse(to) : Infinity);
  return Math.max(0, (end - start) / DAY_MS);
}
