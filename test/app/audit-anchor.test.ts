/** Anchors published by the team server while it runs, and read back for verification. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditedWrite } from '../../src/app/audit.js';
import { parseAnchors, publishAnchorsPeriodically, readAnchorFile } from '../../src/app/audit-anchor.js';
import { verifyAuditTrail } from '../../src/app/accounts/audit-log.js';
import { openStore } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hindsight-anchors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('periodic audit anchors', () => {
  it('appends an anchor line when the trail has grown, and verify checks every one', async () => {
    const store = await openStore({ db: ':memory:', auditKeyFile: join(dir, 'audit.key') });
    const file = join(dir, 'anchors.ndjson');
    const errors: string[] = [];
    const write = (n: number) => auditedWrite(store, { actor: 'test', operation: 'policy.update' }, async () => ({ result: n, entityId: 'policy', before: { n: n - 1 }, after: { n } }));
    try {
      await write(1);
      const stop = publishAnchorsPeriodically(store, file, 100, (m) => errors.push(m));
      await sleep(350);
      await write(2);
      await write(3);
      await sleep(350);
      stop();
      const anchors = await readAnchorFile(file);
      expect(anchors.map((a) => a.seq)).toEqual([1, 3]);
      expect(errors).toEqual([]);
      expect(await verifyAuditTrail(store, anchors)).toMatchObject({ ok: true, entries: 3, anchors: 2 });
      await store.db.deleteFrom('auditLog').where('seq', '=', 3).execute();
      expect(await verifyAuditTrail(store, anchors)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: expect.stringMatching(/entry 3 was removed/) } });
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('refuses a line that is not an anchor, naming file and line', () => {
    expect(() => parseAnchors('{"anchor":"hindsight-audit","seq":-1,"mac":"x","keyId":null,"at":"t"}\n', 'a.json')).toThrow(/seq/);
    expect(() => parseAnchors('\n\nnot json\n', 'a.ndjson')).toThrow(expect.objectContaining({ location: { file: 'a.ndjson', line: 3 } }));
  });
});
