import { describe, expect, it } from 'vitest';
import { bucketDaysWithin, bucketOf, bucketSpan, bucketsBetween } from '../../../src/analysis/trends/buckets.js';

describe('trend buckets', () => {
  it('ISO weeks at year boundaries', () => {
    expect(bucketOf('2021-01-03T23:59:59Z', 'week')).toBe('2020-W53');
    expect(bucketOf('2021-01-04T00:00:00Z', 'week')).toBe('2021-W01');
    expect(bucketOf('2024-12-30T12:00:00Z', 'week')).toBe('2025-W01');
    expect(bucketOf('2026-12-31T12:00:00Z', 'week')).toBe('2026-W53');
    expect(bucketSpan('2025-W01')).toEqual({ start: '2024-12-30T00:00:00.000Z', end: '2025-01-06T00:00:00.000Z' });
  });

  it('months and quarters', () => {
    expect(bucketOf('2025-03-31T23:59:59.999Z', 'quarter')).toBe('2025-Q1');
    expect(bucketOf('2025-04-01T00:00:00Z', 'quarter')).toBe('2025-Q2');
    expect(bucketOf('2025-12-31T00:00:00Z', 'month')).toBe('2025-12');
    expect(bucketSpan('2025-Q4')).toEqual({ start: '2025-10-01T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z' });
    expect(bucketsBetween('2025-01-15T00:00:00Z', '2025-04-01T00:00:00Z', 'month')).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(bucketsBetween('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'quarter')).toHaveLength(4);
  });

  it('exposure of partial buckets', () => {
    expect(bucketDaysWithin('2025-02', null, null)).toBe(28);
    expect(bucketDaysWithin('2025-02', '2025-02-15T00:00:00.000Z', null)).toBe(14);
  });
});
