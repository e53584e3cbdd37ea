import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/** Upload limits: each file (also enforced by the multipart parser) and the whole request. */
export interface UploadLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxFileBytes: 100 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024 };

export interface SavedUpload {
  /** Where each file was written, in upload order. */
  paths: string[];
  /** The name each file was sent with, made safe for messages and the audit trail. */
  names: string[];
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`);

/**
 * Streams every file of a multipart request to `dir`, never holding a file in memory: a 5 x 45 MB
 * upload used to be buffered whole (the server grew by 600 MB and kept it). A file over the
 * per-file limit or a request over the total limit stops the upload with 413; the caller removes
 * `dir` either way.
 */
export async function saveUploadedFiles(request: FastifyRequest, dir: string, limits: UploadLimits): Promise<SavedUpload> {
  const paths: string[] = [];
  const names: string[] = [];
  let total = 0;
  let current = '';
  try {
    for await (const part of request.files({ limits: { fileSize: limits.maxFileBytes } })) {
      current = basename(part.filename || `upload-${paths.length + 1}.json`).replace(/[^\w.-]/g, '_');
      const path = join(dir, `${paths.length}-${current}`);
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          total += chunk.length;
          if (total > limits.maxTotalBytes) done(new HttpError(413, 'too-large', `the upload is larger than ${sizeText(limits.maxTotalBytes)} in all; nothing was imported`));
          else done(null, chunk);
        },
      });
      await pipeline(part.file, counter, createWriteStream(path));
      paths.push(path);
      names.push(current);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The multipart parser's own limit (a file over the size, too many files) says so with 413.
    if ((error as { statusCode?: number }).statusCode === 413) {
      const code = (error as { code?: string }).code;
      throw new HttpError(413, 'too-large', code === 'FST_FILES_LIMIT' ? `the upload holds too many files; nothing was imported` : `${current} is larger than ${sizeText(limits.maxFileBytes)}; nothing was imported`);
    }
    throw error;
  }
  return { paths, names };
}
