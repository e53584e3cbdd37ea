/**
 * JSON kept in a TEXT column (one schema for SQLite and PostgreSQL). The column's type carries the
 * shape of its value, so a read gives back exactly what was written without a cast at the caller:
 * `parseJsonText(row.tags)` is a `string[]` because the column is a `JsonText<string[]>`.
 */
declare const shape: unique symbol;

/** The JSON text of a value of type T. */
export type JsonText<T> = string & { readonly [shape]: T };

export function toJsonText<T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>;
}

export function parseJsonText<T>(text: JsonText<T>): T {
  return JSON.parse(text) as T;
}

/** 0 or 1: a boolean in an INTEGER column (SQLite has no boolean type; the schema is shared). */
export type Flag = 0 | 1;

export function toFlag(value: boolean): Flag {
  return value ? 1 : 0;
}

/** A flag as read back: PostgreSQL and SQLite both return the integer. */
export function fromFlag(value: number | null): boolean {
  return Number(value) === 1;
}
