import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import { parseFile, parseText } from '../../src/ingest/index.js';
import { InputError, UsageError } from '../../src/model/errors.js';
import type { Incident } from '../../src/model/incident.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { bin, built, runCli, scratch } from '../cli/run.js';
import { params, runs } from './fuzz-config.js';
import { FUZZ_FORMATS } from './ingest-formats.js';
import { fileText, hostileValue, toText } from './hostile-json.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-fuzz-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Only the errors a user may cause are allowed out of a parse: anything else is a crash. */
function expectUserError(error: unknown): void {
  tried.refused++;
  if (error instanceof InputError || error instanceof UsageError) {
    expect(error.message.includes('\n')).toBe(false);
    return;
  }
  throw error;
}

/** What a successful parse must give: ids as non-empty strings, UTC ISO times, no string a database refuses. */
function expectSound(incidents: readonly Incident[]): void {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  for (const incident of incidents) {
    expect(typeof incident.sourceId).toBe('string');
    expect(incident.sourceId.trim()).not.toBe('');
    expect(incident.createdAt).toMatch(iso);
    for (const alert of incident.alerts) {
      expect(typeof alert.sourceId).toBe('string');
      expect(alert.createdAt).toMatch(iso);
    }
    // Every decoded string of the model (the raw source kept aside) is one both databases take, and
    // no bigint is left outside the raw JSON (the store writes the rest with JSON.stringify).
    const strings: string[] = [];
    const bigints: string[] = [];
    JSON.stringify(incident, (key, value: unknown) => {
      if (key === 'raw' || key === 'rawText') return undefined;
      if (typeof value === 'string') strings.push(value);
      if (typeof value === 'bigint') {
        bigints.push(key);
        return undefined;
      }
      return value;
    });
    expect(bigints).toEqual([]);
    for (const s of strings) expect(s.includes('\u0000') || !(s as string & { isWellFormed(): boolean }).isWellFormed()).toBe(false);
  }
}

/** Inputs tried and how many were refused (the rest were read or imported). */
const tried = { inputs: 0, refused: 0 };

describe('fuzz: every importer parse', () => {
  for (const f of FUZZ_FORMATS) {
    it(`${f.name}: mutated records in every shape parse or are refused with an InputError (${runs(150)} runs, auto and --format ${f.format})`, async () => {
      await fc.assert(
        fc.asyncProperty(fileText(f.example), fc.boolean(), async ({ text }, auto) => {
          tried.inputs++;
          try {
            expectSound((await parseText(text, { file: 'fuzz.json', format: auto ? 'auto' : f.format })).incidents);
          } catch (error) {
            expectUserError(error);
          }
        }),
        params(150),
      );
    });
  }

  it(`arbitrary JSON values and text are refused or parsed, never a crash (${runs(300)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileValue.map(toText), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })), async (text) => {
        tried.inputs++;
        try {
          expectSound((await parseText(text, { file: 'any.json' })).incidents);
        } catch (error) {
          expectUserError(error);
        }
      }),
      params(300),
    );
  });

  it(`arbitrary bytes in a file (invalid UTF-8 included) are refused or parsed (${runs(100)} runs)`, async () => {
    const example = toText(FUZZ_FORMATS[1]!.example);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 30 }), fc.nat(), async (bytes, at) => {
        tried.inputs++;
        const path = join(dir, 'bytes.ndjson');
        const base = Buffer.from(`${example}\n${example}\n`);
        const cut = at % base.length;
        writeFileSync(path, Buffer.concat([base.subarray(0, cut), bytes, base.subarray(cut)]));
        try {
          expectSound((await parseFile(path, 'auto', () => undefined)).incidents);
        } catch (error) {
          expectUserError(error);
        }
      }),
      params(100),
    );
  });
});

/** Row counts of every table: what a refused import must leave as it was. */
async function tableCounts(store: OpenedStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['incidents', 'alerts', 'entities', 'comments', 'statusChanges', 'alertTechniques', 'reviews', 'auditLog'] as const) {
    out[table] = Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
  }
  return out;
}

describe('fuzz: imports into the store', () => {
  it(`succeed or fail with an InputError leaving the store unchanged (${runs(40)} runs over every format, SQLite)`, async () => {
    const store = await openStore({ db: join(dir, 'fuzz.db') });
    try {
      const formats = fc.constantFrom(...FUZZ_FORMATS).chain((f) => fileText(f.example).map((t) => ({ ...t, f })));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(formats, async ({ text }) => {
          tried.inputs++;
          const path = join(dir, `store-${++n}.json`);
          writeFileSync(path, text);
          const before = await tableCounts(store);
          try {
            await importFiles(store, [path], { env: {} });
          } catch (error) {
            expectUserError(error);
            expect(await tableCounts(store)).toEqual(before);
          }
        }),
        params(40),
      );
    } finally {
      await store.close();
    }
  });

  it.runIf(built)(`at the command line exit 0 or 2 with one line, no stack trace (${runs(4)} runs of ${bin.split('/').pop()})`, async () => {
    const cwd = scratch('hindsight-fuzz-cli-');
    try {
      const formats = fc.constantFrom(...FUZZ_FORMATS).chain((f) => fileText(f.example));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(formats, async ({ text }) => {
          tried.inputs++;
          const path = join(cwd, `cli-${++n}.json`);
          writeFileSync(path, text);
          const r = runCli(['import', path, '--db', join(cwd, 'cli.db')], { cwd });
          expect([0, 2], r.stderr).toContain(r.status);
          expect(r.stderr).not.toMatch(/\n\s+at /);
          if (r.status === 2) expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:'))).toHaveLength(1);
        }),
        params(4),
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  afterAll(() => console.info(`[fuzz] ingest: ${tried.inputs} inputs tried, ${tried.refused} refused with an InputError, the rest read or imported`));
});
