import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/attack/resolve.js';
import type { KnowledgeBase } from '../../src/attack/types.js';
import { parseFile } from '../../src/ingest/index.js';
import type { StoredIncident } from '../../src/model/index.js';
import type { CacaoPlaybook, CommandData, WorkflowStep } from '../../src/playbooks/cacao.js';
import { generateRemediationPlaybook, type GeneratedPlaybook } from '../../src/playbooks/generate.js';
import { playbooksForTechniques, savePlaybook } from '../../src/app/playbooks.js';
import { asLibraryRefs } from '../../src/playbooks/library.js';
import { renderRunbookMarkdown } from '../../src/playbooks/runbook-markdown.js';
import { validateCacaoPlaybook } from '../../src/playbooks/validate.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

/**
 * The ransomware example (examples/ransomware.json) through the real ATT&CK 18.1 bundle: the
 * generated playbook validates and does what the incident calls for.
 */
const bundle = attackBundle();
const run = requireOrSkip('ATT&CK 18.1 bundle for the ransomware playbook test', Boolean(bundle.path), bundle.reason);

const DEVICES = ['ws-hr-017.contoso.com', 'ws-fin-042.contoso.com', 'srv-file-01.contoso.com', 'srv-sql-03.contoso.com', 'srv-dc-02.contoso.com'];
const USERS = ['Marco Rossi', 'Backup Service', 'Kim Wong (admin)'];
const ATTACKER_IPS = ['203.0.113.66', '198.51.100.140'];

const steps = (p: CacaoPlaybook): WorkflowStep[] => Object.values(p.workflow);
const commandsOf = (s: WorkflowStep): CommandData[] => s.commands ?? [];
const stepsNamed = (p: CacaoPlaybook, prefix: string) => steps(p).filter((s) => (s.name ?? '').startsWith(prefix));

/** SHA-256 of every file evidence the example names with an attacker or attacked role. */
function attackerHashes(): string[] {
  const doc = JSON.parse(readFileSync(join(projectRoot, 'examples', 'ransomware.json'), 'utf8')) as unknown;
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const roles = Array.isArray(o.roles) ? (o.roles as string[]) : [];
    const details = o.fileDetails as { sha256?: string } | undefined;
    if (o['@odata.type'] === '#microsoft.graph.security.fileEvidence' && details?.sha256 && roles.some((r) => r === 'attacker' || r === 'attacked')) out.add(details.sha256.toLowerCase());
    Object.values(o).forEach(walk);
  };
  walk(doc);
  return [...out].sort();
}

describe.runIf(run)('remediation playbook for the ransomware example (ATT&CK 18.1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-playbook-ransomware-'));
  let kb: KnowledgeBase;
  let store: OpenedStore;
  let incident: StoredIncident;
  let generated: GeneratedPlaybook;
  let playbook: CacaoPlaybook;

  beforeAll(async () => {
    kb = await loadBundle(bundle.path as string);
    const parsed = await parseFile(join(projectRoot, 'examples', 'ransomware.json'));
    store = await openStore({ db: join(dir, 'h.db') });
    const { results } = await store.importIncidents(parsed.incidents);
    incident = (await store.getIncident(results[0]?.id as string)) as StoredIncident;
    generated = generateRemediationPlaybook(kb, { incident }, { now: '2026-03-01T00:00:00.000Z' });
    playbook = generated.playbook;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates against CACAO 2.0 and answers the incident techniques, including T1486 and T1490', () => {
    expect(validateCacaoPlaybook(playbook).errors).toEqual([]);
    expect(generated.unknownTechniques).toEqual([]);
    expect(generated.techniques).toEqual(expect.arrayContaining(['T1486', 'T1490', 'T1566.001']));
  });

  it('isolates each of the 5 compromised devices through the Defender API, and releases each after verification', () => {
    const isolate = stepsNamed(playbook, 'Containment: Isolate device ');
    expect(isolate.map((s) => s.name?.replace('Containment: Isolate device ', '')).sort()).toEqual([...DEVICES].sort());
    for (const s of isolate) expect(commandsOf(s)[0]?.command).toMatch(/^POST \/api\/machines\/[0-9a-f]{40}\/isolate HTTP\/1\.1$/);
    expect(stepsNamed(playbook, 'Recovery: Release device ').length).toBe(5);
  });

  it('disables, revokes the sessions of and resets the password of each compromised user', () => {
    for (const user of USERS) {
      const disable = stepsNamed(playbook, `Containment: Disable ${user} and revoke sessions`)[0];
      expect(disable, user).toBeDefined();
      expect(commandsOf(disable as WorkflowStep).map((c) => c.command)).toEqual(expect.arrayContaining([expect.stringMatching(/^POST \/v1\.0\/users\/[0-9a-f-]{36}\/revokeSignInSessions HTTP\/1\.1$/)]));
      expect(stepsNamed(playbook, `Containment: Reset password of ${user}`)).toHaveLength(1);
      expect(stepsNamed(playbook, `Recovery: Re-enable ${user}`)).toHaveLength(1);
    }
  });

  it('blocks the attacker IPs and the malicious file hashes as Defender indicators', () => {
    const indicators = steps(playbook)
      .flatMap(commandsOf)
      .filter((c) => c.command === 'POST /api/indicators HTTP/1.1')
      .map((c) => JSON.parse(c.content ?? '{}') as { indicatorType: string; indicatorValue: string; action: string });
    expect(indicators.filter((i) => i.indicatorType === 'IpAddress').map((i) => i.indicatorValue).sort()).toEqual([...ATTACKER_IPS].sort());
    const hashes = attackerHashes();
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    const blocked = indicators.filter((i) => i.indicatorType === 'FileSha256');
    expect(blocked.map((i) => i.indicatorValue.toLowerCase())).toEqual(expect.arrayContaining(hashes));
    expect(blocked.every((i) => i.action === 'BlockAndRemediate')).toBe(true);
  });

  it('recovers from backup for T1486 and T1490 with ATT&CK mitigation M1053, and ends with lessons learned', () => {
    const restore = stepsNamed(playbook, 'Recovery: Restore data and systems from backup')[0];
    expect(restore?.external_references?.map((r) => r.external_id)).toEqual(expect.arrayContaining(['T1486', 'T1490', 'M1053']));
    expect(stepsNamed(playbook, 'Eradication: M1053 Data Backup')).toHaveLength(1);
    expect(stepsNamed(playbook, 'Lessons learned: ')).toHaveLength(3);
    const md = renderRunbookMarkdown(playbook);
    expect(md.indexOf('## Containment')).toBeLessThan(md.indexOf('## Eradication'));
    expect(md.indexOf('## Recovery')).toBeLessThan(md.indexOf('## Lessons learned'));
  });

  it('includes a library playbook linked to T1486 as a playbook-action step that resolves', async () => {
    const own = JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'playbooks', 'valid-playbook.json'), 'utf8')) as CacaoPlaybook;
    await savePlaybook(store, 'test:ana', { playbook: own, author: 'ana', techniques: ['T1486'] });
    const linked = await playbooksForTechniques(store, generated.techniques);
    expect(linked.map((v) => v.playbookId)).toEqual([own.id]);
    const withLibrary = generateRemediationPlaybook(kb, { incident }, { now: '2026-03-01T00:00:00.000Z', library: asLibraryRefs(linked) });
    const action = steps(withLibrary.playbook).find((s) => s.type === 'playbook-action');
    expect(action).toMatchObject({ playbook_id: own.id, playbook_version: own.modified });
    expect(validateCacaoPlaybook(withLibrary.playbook, { knownPlaybookIds: withLibrary.referencedPlaybooks.map((p) => p.id) }).errors).toEqual([]);
    expect(validateCacaoPlaybook(withLibrary.playbook, { knownPlaybookIds: [] }).valid).toBe(false);
  });
});
