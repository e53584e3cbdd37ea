/**
 * Errors are values at the edges. These classes carry the exit status the command line contract
 * gives them: 2 for bad usage or bad input (the message names the file, line or JSON path at
 * fault), 1 for a failure of the work itself.
 */
export class HindsightError extends Error {
  readonly exitCode: number = 1;
}

/** Bad input: a file that does not parse, a record that breaks the schema, an unknown ID. */
export class InputError extends HindsightError {
  override readonly exitCode = 2;
  constructor(
    message: string,
    /** Where the problem is: file, line, JSON path. */
    readonly location?: { file?: string; line?: number; column?: number; path?: string },
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Bad usage: a missing argument, a contradictory option. */
export class UsageError extends HindsightError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The thing asked for does not exist (an incident id, a technique). Exit 2: the input named it. */
export class NotFoundError extends HindsightError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A write based on a stale version. */
export class ConflictError extends HindsightError {
  override readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The database cannot take a write now: another writer held the lock for the whole busy timeout,
 * or it is read-only. Nothing was written; the same write may succeed later (the server: 503).
 */
export class DatabaseUnavailableError extends HindsightError {
  override readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Formats `file:line:column: path: reason` with whatever parts are known. */
export function formatLocation(location: InputError['location']): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file) {
    let head = location.file;
    if (location.line !== undefined) head += `:${location.line}`;
    if (location.line !== undefined && location.column !== undefined) head += `:${location.column}`;
    parts.push(head);
  }
  if (location.path) parts.push(location.path);
  return parts.join(': ');
}
