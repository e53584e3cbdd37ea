import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import { InputError } from '../../src/model/errors.js';
import { unescapeText } from '../../src/model/text-escape.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

/** Hostile inputs imported end to end (ingest, the store's rows, the database), on each database. */
const dir = mkdtempSync(join(tmpdir(), 'hindsight-ingest-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(text: string, ext = 'json'): string {
  const path = join(dir, `input-${++files}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const incident = (id: string, extra = '') => `{"id":${id},"createdDateTime":"2026-03-01T10:00:00Z","lastUpdateDateTime":"2026-03-01T11:00:00Z","displayName":"incident ${id.replace(/"/g, '')}"${extra}}`;
const alert = (id: string, incidentId: string, extra = '') =>
  `{"@odata.type":"#microsoft.graph.security.alert","id":${id},"incidentId":${incidentId},"createdDateTime":"2026-03-01T10:00:00Z"${extra}}`;

async function counts(store: OpenedStore): Promise<{ incidents: number; alerts: number }> {
  const n = async (table: 'incidents' | 'alerts') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
  return { incidents: await n('incidents'), alerts: await n('alerts') };
}

function suite(open: () => Promise<OpenedStore>): void {
  it('keeps incidents 9007199254740992 and 9007199254740993 apart, and the alerts grouped under each', async () => {
    const store = await open();
    try {
      const whole = file(`[${incident('9007199254740992')},${incident('9007199254740993', ',"description":"second"')}]`);
      const ndjson = file([alert('"b1"', '9007199254740992'), alert('"b2"', '9007199254740993'), alert('"b3"', '123456789012345678901')].join('\n'), 'ndjson');
      const { summary } = await importFiles(store, [whole, ndjson]);
      expect(summary).toMatchObject({ incidents: 3, alerts: 3, created: 3 });
      const list = await store.listIncidents();
      expect(list.map((i) => i.sourceId).sort()).toEqual(['123456789012345678901', '9007199254740992', '9007199254740993']);
      const second = await store.getIncident('9007199254740993');
      expect(second?.description).toBe('second');
      expect(second?.alerts.map((a) => a.sourceId)).toEqual(['b2']);
      const raw = await store.db.selectFrom('incidents').select('raw').where('sourceId', '=', '9007199254740993').executeTakeFirstOrThrow();
      expect(raw.raw).toContain('"id":9007199254740993');
    } finally {
      await store.close();
    }
  });

  it('stores U+0000 and lone surrogates losslessly (escaped), in every column', async () => {
    const store = await open();
    try {
      const path = file(
        `[${incident('"nul\\u0000id"', ',"description":"a\\u0000b\\ud800c","customTags":["t\\u0000"],"comments":[{"comment":"c\\u0000","createdByDisplayName":"u\\udfff","createdDateTime":"2026-03-01T10:30:00Z"}],"alerts":[{"id":"al\\u0000","createdDateTime":"2026-03-01T10:00:00Z","title":"\\u2400 \\u0000","evidence":[{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"10.0.0.1\\u0000"}]}]')}]`,
      );
      await importFiles(store, [path]);
      const stored = await store.getIncident('nul␀0000id');
      expect(stored).toBeDefined();
      expect(unescapeText(stored!.sourceId)).toBe('nul\u0000id');
      expect(unescapeText(stored!.description!)).toBe('a\u0000b\ud800c');
      expect(stored!.tags).toEqual(['t␀0000']);
      expect(stored!.comments.map((c) => [c.author, c.text])).toEqual([['u␀dfff', 'c␀0000']]);
      const a = stored!.alerts[0]!;
      expect(unescapeText(a.sourceId)).toBe('al\u0000');
      expect(unescapeText(a.title)).toBe('\u2400 \u0000');
      expect(a.evidence[0]!.key).toBe('10.0.0.1␀0000');
      // Importing it again changes nothing.
      expect((await importFiles(store, [path])).summary).toMatchObject({ unchanged: 1 });
    } finally {
      await store.close();
    }
  });

  it('counts a duplicate id once, with one warning', async () => {
    const store = await open();
    try {
      const path = file([alert('"d1"', '"di"'), alert('"d1"', '"di"'), alert('"d2"', '"di"')].join('\n'), 'ndjson');
      const result = await importFiles(store, [path]);
      expect(result.summary).toMatchObject({ incidents: 1, alerts: 2 });
      expect(result.files).toEqual([{ file: path, format: 'graph', formats: ['graph'], incidents: 1, alerts: 2 }]);
      expect(result.warnings).toEqual([`${path}: line 2: $: duplicate alert id "d1" (it appears earlier in the file); it is imported and counted once`]);
    } finally {
      await store.close();
    }
  });

  it('refuses a deep, a bad-id, a bad-date and a wrong-type file with nothing written', async () => {
    const store = await open();
    try {
      const good = file(`[${incident('"fine"')}]`);
      const before = await counts(store);
      for (const bad of [
        `[${incident('"d"', `,"x":${'['.repeat(10_000)}${']'.repeat(10_000)}`)}]`,
        `[${incident('1e400')}]`,
        `[${incident('"e"').replace('2026-03-01T10:00:00Z', '2026-02-30T10:00:00Z')}]`,
        `[${incident('"f"', ',"severity":5')}]`,
      ]) {
        await expect(importFiles(store, [good, file(bad)])).rejects.toBeInstanceOf(InputError);
        expect(await counts(store)).toEqual(before);
      }
    } finally {
      await store.close();
    }
  });
}

describe('hostile imports on SQLite', () => {
  let n = 0;
  suite(() => openStore({ db: join(dir, `store-${++n}.db`) }));
});

const postgres = await pgAvailable();
const runPostgres = requireOrSkip('PostgreSQL for the hostile import tests', Boolean(postgres.url), postgres.reason);

describe.runIf(runPostgres)('hostile imports on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_hostile');
  afterAll(() => schemas.dropAll());
  suite(() => openStore({ db: schemas.next() }));
});
