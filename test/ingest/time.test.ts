import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/ingest/fields.js';

/** The general rule, by way of Date, for dates that exist: a date Date would roll over (30 February, 24:00) is refused. */
function viaDate(value: string): string | null {
  const text = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) return null;
  const [y, mo, d, h, mi, se] = (text.match(/\d+/g) ?? []).map(Number);
  const real = new Date(Date.UTC(y!, mo! - 1, d!, h ?? 0, mi ?? 0, se ?? 0));
  if (mo! < 1 || mo! > 12 || real.getUTCDate() !== d || real.getUTCHours() !== (h ?? 0) || real.getUTCMinutes() !== (mi ?? 0) || real.getUTCSeconds() !== (se ?? 0)) return null;
  let normal = text.replace(' ', 'T');
  if (/[T]\d/.test(normal) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(normal)) normal += 'Z';
  normal = normal.replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(normal);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

describe('parseTime', () => {
  it('normalises UTC times to milliseconds', () => {
    expect(parseTime('2026-03-01T10:15:00Z')).toBe('2026-03-01T10:15:00.000Z');
    expect(parseTime('2021-08-13T08:43:35.5533333Z')).toBe('2021-08-13T08:43:35.553Z');
    expect(parseTime('2026-03-01T10:15:00.1Z')).toBe('2026-03-01T10:15:00.100Z');
    expect(parseTime('2026-03-01T10:15:00.123Z')).toBe('2026-03-01T10:15:00.123Z');
    expect(parseTime('2026-03-01T10:15:00+02:00')).toBe('2026-03-01T08:15:00.000Z');
    expect(parseTime('2026-03-01 10:15')).toBe('2026-03-01T10:15:00.000Z');
    expect(parseTime('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(parseTime('yesterday')).toBeNull();
    expect(parseTime('2026-13-01T00:00:00Z')).toBeNull();
  });

  it('gives what Date gives for every edge of the fast path', () => {
    const cases = [
      '2026-02-29T00:00:00Z', // not a date: refused (Date would roll it over to 1 March)
      '1900-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T23:60:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999Z',
      '2026-01-01T10:15:00.Z',
      '2026-01-01T10:15:00.12Z',
      ' 2026-01-01T10:15:00Z ',
      '2026-01-01t10:15:00z',
      '2026-1-01T10:15:00Z',
    ];
    for (const value of cases) expect([value, parseTime(value)]).toEqual([value, viaDate(value)]);
    for (let ms = Date.UTC(1999, 11, 25); ms < Date.UTC(2001, 2, 5); ms += 86_399_937) {
      const iso = new Date(ms).toISOString();
      for (const value of [iso, iso.replace(/\.\d{3}Z$/, 'Z'), iso.replace(/Z$/, '4567Z')]) expect(parseTime(value)).toBe(viaDate(value));
    }
  });
});
