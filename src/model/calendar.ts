import { z } from 'zod';

/** A real calendar day, YYYY-MM-DD: 2026-02-30 and 2026-13-01 are refused, 2024-02-29 is kept. */
export const CalendarDate = z.iso.date({ error: 'a real calendar date such as 2026-04-30' });

/** A time with its offset (2026-04-30T12:00:00Z), or a calendar day. */
export const DateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], { error: 'a real date such as 2026-04-30 or a time such as 2026-04-30T12:00:00Z' });

/** True when `value` is a real calendar day or a valid ISO time. */
export function isDateOrTime(value: string): boolean {
  return DateOrTime.safeParse(value).success && !Number.isNaN(Date.parse(value));
}
