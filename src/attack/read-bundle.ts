/**
 * Reading a STIX bundle's bytes from a path or an http(s) URL, `.json` or `.json.gz` (gzip is
 * detected by its magic bytes, not by the name), and parsing them with precise errors.
 */
import { lineAndColumn } from '../model/json.js';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../model/errors.js';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Fetches or reads the raw bytes of `source` (a path or an http(s) URL). */
export async function readSourceBytes(source: string): Promise<Buffer> {
  if (isUrl(source)) {
    let response: Response;
    try {
      response = await fetch(source);
    } catch (error) {
      throw new InputError(`could not fetch the ATT&CK bundle: ${describe(error)}`, { file: source });
    }
    if (!response.ok) throw new InputError(`could not fetch the ATT&CK bundle: HTTP ${response.status} ${response.statusText}`, { file: source });
    return Buffer.from(await response.arrayBuffer());
  }
  try {
    return await readFile(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a bundle file' : describe(error);
    throw new InputError(`cannot read the ATT&CK bundle: ${reason}`, { file: source });
  }
}

/** Decompresses (when gzip) and decodes the bytes to text. */
export function decodeBundleText(bytes: Buffer, source: string): string {
  if (!isGzip(bytes)) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw new InputError(`the gzip data is corrupt: ${describe(error)}`, { file: source });
  }
}

/** JSON.parse with an error that names the file, line and column. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = describe(error);
    const offset = errorOffset(message, text);
    const reason = message.split('\n')[0]?.replace(/, "[\s\S]*$|, \.\.\.[\s\S]*$| in JSON at position \d+.*$/, '') ?? message;
    if (offset !== undefined) {
      const { line, column } = lineAndColumn(text, offset);
      throw new InputError(`not valid JSON: ${reason}`, { file: source, line, column });
    }
    throw new InputError(`not valid JSON: ${reason}`, { file: source });
  }
}

/**
 * Where JSON.parse stopped. Node 20's messages give `at position N` for some errors and, for
 * others, a snippet of up to 10 characters either side of the fault (`..."abc" is not valid JSON`).
 */
function errorOffset(message: string, text: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position?.[1] !== undefined) return Number(position[1]);
  if (/Unexpected end of JSON input/.test(message)) return text.length;
  const snippet = /, (\.\.\.)?"([\s\S]*?)(\.\.\.)?" is not valid JSON$/.exec(message);
  if (snippet?.[2] !== undefined) {
    const at = text.indexOf(snippet[2]);
    if (at === -1) return undefined;
    if (snippet[1]) return at + 10;
    const token = /Unexpected token '(.)'/.exec(message)?.[1];
    const inSnippet = token ? snippet[2].indexOf(token) : -1;
    return at + Math.max(0, inSnippet);
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
