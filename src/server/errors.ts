import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, DatabaseUnavailableError, HindsightError, InputError, NotFoundError, UsageError, formatLocation } from '../model/errors.js';
import { ChromiumUnavailableError, PdfQueueFullError } from '../export/pdf-printer.js';
import { storeErrorOf } from '../store/index.js';
import type { ErrorBody } from './schemas/errors.js';

/** An HTTP error with a machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'sign in first (session cookie or Authorization: Bearer token)');
export const forbidden = (needed: string) => new HttpError(403, 'forbidden', `this needs the ${needed} role or above`);
export const notFound = (what: string) => new HttpError(404, 'not-found', what);

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details !== undefined ? { details } : {}) } };
}

/** Maps every error to a status and the shared body; never leaks a stack trace. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const e = error as FastifyError & { validation?: { instancePath?: string; message?: string }[]; validationContext?: string };
  if (e instanceof HttpError) {
    void reply.status(e.statusCode).send(errorBody(e.code, e.message, e.details));
    return;
  }
  if (e.validation) {
    const details = e.validation.map((v) => ({ path: `${e.validationContext ?? 'body'}${v.instancePath ?? ''}`, message: v.message ?? 'invalid' }));
    const first = details[0];
    void reply.status(400).send(errorBody('invalid-input', first ? `${first.path}: ${first.message}` : 'invalid input', details));
    return;
  }
  if (e instanceof ConflictError) {
    void reply.status(409).send(errorBody('conflict', e.message));
    return;
  }
  if (e instanceof NotFoundError) {
    void reply.status(404).send(errorBody('not-found', e.message));
    return;
  }
  if (e instanceof InputError) {
    const where = formatLocation(e.location);
    void reply.status(400).send(errorBody('invalid-input', `${where ? `${where}: ` : ''}${e.message}`, e.location));
    return;
  }
  if (e instanceof UsageError) {
    void reply.status(400).send(errorBody('invalid-input', e.message));
    return;
  }
  if (e instanceof HindsightError && e.name === 'LifecycleError') {
    void reply.status(409).send(errorBody('invalid-state', e.message));
    return;
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = e.statusCode === 429 ? 'rate-limited' : e.statusCode === 413 ? 'too-large' : e.statusCode === 415 ? 'unsupported-media-type' : 'bad-request';
    void reply.status(e.statusCode).send(errorBody(code, e.message));
    return;
  }
  if (e instanceof PdfQueueFullError) {
    void reply.status(503).header('retry-after', '5').send(errorBody('unavailable', e.message));
    return;
  }
  if (e instanceof ChromiumUnavailableError) {
    request.log.warn(e.message);
    void reply.status(503).send(errorBody('unavailable', e.message));
    return;
  }
  // The database busy (another writer held the lock for the whole busy timeout) or read-only: the
  // request can be tried again, and nothing was written. Named without the database's location.
  const storeError = storeErrorOf(e, 'the database');
  if (storeError instanceof DatabaseUnavailableError) {
    request.log.warn(storeError.message);
    void reply.status(503).header('retry-after', '5').send(errorBody('unavailable', storeError.message));
    return;
  }
  request.log.error(e);
  void reply.status(500).send(errorBody('internal', 'the server failed to handle this request; see its log'));
}
