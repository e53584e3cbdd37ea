/**
 * Every write of the command line records its audit entry in the same transaction as the write:
 * with audit_log refusing inserts, the command fails and the store is unchanged; run again, it
 * succeeds and its entry (who, what, before, after) is there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { listAuditLog, verifyAuditTrail } from '../../src/app/accounts/audit-log.js';
import { openStore } from '../../src/store/index.js';
import { allowAuditInserts, dumpTables, refuseAuditInserts } from '../helpers/audit.js';
import { runCliInProcess, type CliRun } from '../helpers/cli-in-process.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

const bundle = attackBundle();
const run = requireOrSkip('CLI audit tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);
const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function hs(db: string, ...args: string[]): Promise<CliRun> {
  return runCliInProcess(['--db', db, '--attack', bundle.path as string, ...args], { HINDSIGHT_USER: 'ops', HINDSIGHT_POLICY: undefined });
}

describe.runIf(run)('command-line writes and the audit trail', () => {
  it('each write commits with its audit entry or not at all', async () => {
    const db = join(dir, 'cli.db');
    const store = await openStore({ db });
    try {
      const examples = join(projectRoot, 'examples');
      let incident = '';
      let finding = '';
      const steps: { args: () => string[]; action: string; actor: string; hasBefore: boolean; keep?: (stdout: string) => void }[] = [
        {
          args: () => ['--json', 'import', join(examples, 'ransomware.json')],
          action: 'incident.import',
          actor: 'cli:ops',
          hasBefore: false,
          keep: (out) => (incident = (JSON.parse(out) as { reviews: { id: string }[] }).reviews[0]?.id ?? ''),
        },
        { args: () => ['review', 'edit', incident, '--section', 'summary', '--text', 'Ransomware on the file server.'], action: 'section.save', actor: 'ops', hasBefore: false },
        { args: () => ['review', 'edit', incident, '--answer', '1', '--text', 'A phished account ran the encryptor.'], action: 'answer.save', actor: 'ops', hasBefore: false },
        {
          args: () => ['--json', 'findings', 'add', incident, '--category', 'technical-lapse', '--title', 'EDR in audit mode'],
          action: 'finding.add',
          actor: 'ops',
          hasBefore: false,
          keep: (out) => (finding = (JSON.parse(out) as { id: string }).id),
        },
        { args: () => ['findings', 'edit', finding, '--title', 'EDR left in audit mode'], action: 'finding.edit', actor: 'ops', hasBefore: true },
        { args: () => ['actions', 'add', incident, '--type', 'fix', '--title', 'Turn on block mode', '--finding', finding], action: 'action-item.add', actor: 'ops', hasBefore: false },
        { args: () => ['review', 'waive', incident, '--reason', 'covered by the annual exercise'], action: 'review.waive', actor: 'ops', hasBefore: true },
        { args: () => ['coverage', 'confirm', incident, 'T1486', 'T1490', '--actor', 'ops'], action: 'coverage.confirm', actor: 'cli:ops', hasBefore: true },
        { args: () => ['playbook', 'library', 'add', join(projectRoot, 'test', 'fixtures', 'playbooks', 'valid-playbook.json'), '--reason', 'first version'], action: 'playbook.add', actor: 'cli:ops', hasBefore: false },
        { args: () => ['incidents', 'restrict', incident, '--to', 'alice'], action: 'incident.restrict', actor: 'cli:ops', hasBefore: true },
        { args: () => ['users', 'add', 'bob', '--role', 'viewer'], action: 'user.add', actor: 'cli:ops', hasBefore: false },
        { args: () => ['tokens', 'create', '--user', 'bob'], action: 'token.create', actor: 'cli:ops', hasBefore: false },
      ];
      for (const step of steps) {
        const label = `hindsight ${step.args().join(' ')}`;
        const before = await dumpTables(store.db, 'sqlite');
        await refuseAuditInserts(store.db, 'sqlite');
        const refused = await hs(db, ...step.args());
        await allowAuditInserts(store.db, 'sqlite');
        expect(refused.status, `${label} succeeded although its audit entry failed`).not.toBe(0);
        expect(refused.stderr, label).toMatch(/audit refused by the test/);
        expect(await dumpTables(store.db, 'sqlite'), `${label} changed the store although its audit entry failed`).toEqual(before);

        const last = (await listAuditLog(store, { limit: 1 }))[0]?.seq ?? 0;
        const ok = await hs(db, ...step.args());
        expect(ok.status, `${label}: ${ok.stderr}`).toBe(0);
        step.keep?.(ok.stdout);
        const entries = (await listAuditLog(store, { limit: 5 })).filter((e) => e.seq > last);
        expect(entries.map((e) => e.action), label).toEqual([step.action]);
        expect(entries[0]?.actor, label).toBe(step.actor);
        expect(entries[0]?.after, label).not.toBeNull();
        if (step.hasBefore) expect(entries[0]?.before, `${label} has no before`).not.toBeNull();
      }
      const all = await listAuditLog(store, { limit: 100 });
      expect(all.find((e) => e.action === 'coverage.confirm')).toMatchObject({ entityId: incident, before: { confirmed: [] }, after: { confirmed: [{ techniqueId: 'T1486' }, { techniqueId: 'T1490' }] } });
      expect(all.find((e) => e.action === 'finding.edit')).toMatchObject({ before: { title: 'EDR in audit mode' }, after: { title: 'EDR left in audit mode' } });
      expect(all.find((e) => e.action === 'playbook.add')).toMatchObject({ entityType: 'playbook', before: null, after: { version: 1, reason: 'first version', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      // Importing the same file again changes nothing, and records nothing.
      const count = all.length;
      expect((await hs(db, 'import', join(examples, 'ransomware.json'))).status).toBe(0);
      expect((await listAuditLog(store, { limit: 100 })).length).toBe(count);
      expect(await verifyAuditTrail(store)).toMatchObject({ ok: true, entries: count });
    } finally {
      await store.close();
    }
  });
});
