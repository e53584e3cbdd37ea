import type { Kysely } from 'kysely';
import { BINS_PER_DOUBLING } from '../../model/learning.js';
import type { Database } from '../database.js';
import { dialectOf } from '../dialect.js';

/**
 * The pieces of learning SQL that differ between SQLite and PostgreSQL (date arithmetic, ISO weeks)
 * and the expressions both share (the log-scale duration bin, severity ranks), as SQL text over
 * column expressions. The dialect is the connection's (`dialectOf`).
 */

/** Seconds from one ISO time expression to another (null when either is null). */
export function secondsBetween(db: Kysely<Database>, from: string, to: string): string {
  return dialectOf(db) === 'sqlite'
    ? `((julianday(${to}) - julianday(${from})) * 86400.0)`
    : `extract(epoch from (cast(${to} as timestamptz) - cast(${from} as timestamptz)))`;
}

/** The duration bin of a seconds expression: `binOf` of model/learning.ts, in SQL. */
export function binOfSql(seconds: string): string {
  return `(case when ${seconds} is null then null when ${seconds} < 1 then 0 else cast(floor(ln(${seconds}) / ln(2) * ${BINS_PER_DOUBLING}) as integer) + 1 end)`;
}

/** The day, ISO week, month and quarter keys of an ISO time expression, as four select columns. */
export function bucketColumns(db: Kysely<Database>, at: string): string {
  const week = dialectOf(db) === 'sqlite' ? `strftime('%G-W%V', ${at})` : `to_char(cast(${at} as timestamptz) at time zone 'UTC', 'IYYY-"W"IW')`;
  return [
    `substr(${at}, 1, 10)`,
    week,
    `substr(${at}, 1, 7)`,
    `substr(${at}, 1, 4) || '-Q' || cast((cast(substr(${at}, 6, 2) as integer) + 2) / 3 as text)`,
  ].join(', ');
}

/** The Monday starting a `YYYY-MM-DD` day expression's ISO week, as `YYYY-MM-DD`. */
export function weekStartSql(db: Kysely<Database>, day: string): string {
  return dialectOf(db) === 'sqlite'
    ? `date(${day}, 'weekday 0', '-6 days')`
    : `to_char(cast(${day} as date) - (cast(extract(isodow from cast(${day} as date)) as integer) - 1), 'YYYY-MM-DD')`;
}

/** A severity expression as a rank (informational 1 ... critical 5, anything else 0). */
export function severityRankSql(value: string): string {
  return `(case ${value} when 'informational' then 1 when 'low' then 2 when 'medium' then 3 when 'high' then 4 when 'critical' then 5 else 0 end)`;
}
