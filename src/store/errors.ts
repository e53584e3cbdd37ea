/**
 * The database's own failures as one-line errors for the user: a lock held too long, a file that
 * cannot be written or is not a database, a server that cannot be reached. Read from the error
 * codes of better-sqlite3 and pg, so a front end never has to know either.
 */
import { DatabaseUnavailableError, HindsightError, UsageError } from '../model/errors.js';

const POSTGRES_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', '28P01', '28000', '3D000', '57P03', '53300']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node reports a refused connection to every address of a name as an AggregateError.
  const first = (error as { errors?: unknown[] }).errors?.[0];
  return first === undefined ? undefined : codeOf(first);
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const first = (error as { errors?: unknown[] }).errors?.[0];
  return first === undefined ? error.name : messageOf(first);
}

/** The one-line error this database failure means for the user, or undefined for any other error. */
export function storeErrorOf(error: unknown, location: string): HindsightError | undefined {
  if (error instanceof HindsightError) return undefined;
  const code = codeOf(error);
  if (code === undefined) return undefined;
  const reason = messageOf(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    const waited = (error as { waitedMs?: unknown }).waitedMs;
    const timeout = typeof waited === 'number' ? `${waited} ms` : 'default 60000 ms';
    return new DatabaseUnavailableError(`the database is busy: ${location} stayed locked by another writer for the whole busy timeout (${timeout}, HINDSIGHT_BUSY_TIMEOUT_MS); nothing was written`);
  }
  if (code.startsWith('SQLITE_READONLY')) return new DatabaseUnavailableError(`the database is read-only: ${location} cannot be written (${reason}); nothing was written`);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return new UsageError(`${location} is not a usable Hindsight database: ${reason}`);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_PERM') {
    return new HindsightError(`cannot use the database ${location}: ${reason}`);
  }
  if (POSTGRES_UNREACHABLE.has(code)) return new UsageError(`cannot reach PostgreSQL at ${location}: ${reason}`);
  return undefined;
}
