import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './database.js';
import { dialectOf } from './dialect.js';
import type { StoreKind } from './types.js';

/**
 * A read the hot paths (an incident's detail, its review) run many times with different values:
 * built and compiled once per dialect, then run with the new parameter values. Building and
 * compiling a query (and mapping its names to snake_case) costs more than running the small indexed
 * queries an incident page makes; the SQL text is the same each time, so SQLite's statement stays
 * prepared too. `build` receives placeholders and must use each of them once, in order.
 */
export function compiledRead<O, P extends readonly unknown[]>(build: (db: Kysely<Database>, ...placeholders: P) => Compilable<O>, placeholders: P): (db: Kysely<Database>, ...params: P) => Promise<O[]> {
  const byDialect = new Map<StoreKind, CompiledQuery<O>>();
  return async (db, ...params) => {
    const kind = dialectOf(db);
    let compiled = byDialect.get(kind);
    if (!compiled) {
      compiled = build(db, ...placeholders).compile();
      if (compiled.parameters.length !== params.length) throw new Error(`a compiled read takes ${compiled.parameters.length} parameter(s), not ${params.length}`);
      byDialect.set(kind, compiled);
    }
    return (await db.executeQuery<O>({ ...compiled, parameters: params })).rows;
  };
}
