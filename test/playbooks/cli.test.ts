import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacaoPlaybook } from '../../src/playbooks/cacao.js';
import { validateCacaoPlaybook } from '../../src/playbooks/validate.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

/**
 * `hindsight playbook` as a user runs it (needs `npm run build`): the ransomware example imported
 * into a temporary database, its playbook generated in CACAO and Markdown, and the library.
 */
const bundle = attackBundle();
const built = existsSync(join(projectRoot, 'dist', 'cli', 'main.js'));
const run =
  requireOrSkip('ATT&CK bundle for the playbook CLI test', Boolean(bundle.path), bundle.reason) &&
  requireOrSkip('a build (npm run build) for the playbook CLI test', built, 'dist/cli/main.js is missing');

const fixtureFile = join(projectRoot, 'test', 'fixtures', 'playbooks', 'valid-playbook.json');
const fixture = (): CacaoPlaybook => JSON.parse(readFileSync(fixtureFile, 'utf8')) as CacaoPlaybook;

interface GenerateJson {
  incident: string | null;
  techniques: string[];
  libraryPlaybooks: { id: string; version: number }[];
  valid: boolean;
  playbook: CacaoPlaybook;
  referencedPlaybooks: CacaoPlaybook[];
  markdown?: string;
}

describe.runIf(run)('hindsight playbook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-playbook-cli-'));
  const db = join(dir, 'h.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function hs(args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'hindsight.js'), '--db', db, '--attack', bundle.path as string, ...args], {
      encoding: 'utf8',
      env: { ...process.env, HINDSIGHT_USER: 'ana', HINDSIGHT_POLICY: '' },
      cwd: dir,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  function ok(args: string[]): string {
    const r = hs(args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }
  const json = <T>(args: string[]): T => JSON.parse(ok(['--json', ...args])) as T;

  let id = '';
  beforeAll(() => {
    const imported = json<{ created: number; reviews: { id: string }[] }>(['import', join(projectRoot, 'examples', 'ransomware.json')]);
    expect(imported.created).toBe(1);
    id = imported.reviews[0]?.id as string;
  });

  it('generates the incident playbook as CACAO 2.0 that validates, under --json and as a bare document', () => {
    const out = json<GenerateJson>(['playbook', id, '--format', 'cacao']);
    expect(out.incident).toBe(id);
    expect(out.valid).toBe(true);
    expect(validateCacaoPlaybook(out.playbook).errors).toEqual([]);
    expect(out.techniques).toEqual(expect.arrayContaining(['T1486', 'T1490']));
    expect(Object.values(out.playbook.workflow).filter((s) => (s.name ?? '').startsWith('Containment: Isolate device '))).toHaveLength(5);

    const bare = JSON.parse(ok(['playbook', id])) as CacaoPlaybook;
    expect(validateCacaoPlaybook(bare).errors).toEqual([]);
    expect(bare.name).toBe(out.playbook.name);

    const file = join(dir, 'pb.json');
    const r = hs(['playbook', id, '-o', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(validateCacaoPlaybook(JSON.parse(readFileSync(file, 'utf8'))).valid).toBe(true);
  });

  it('renders the Markdown runbook with the phases in order', () => {
    const md = ok(['playbook', id, '--format', 'md']);
    expect(md.startsWith('# Runbook: Remediation: Human-operated ransomware attack')).toBe(true);
    const at = ['## Containment', '## Eradication', '## Recovery', '## Lessons learned'].map((h) => md.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(md).toContain('/isolate HTTP/1.1');
    const markdown = json<GenerateJson>(['playbook', id, '--format', 'md']).markdown ?? '';
    const untimed = (text: string) => text.replace(/modified \S+Z/g, 'modified T').trimEnd();
    expect(untimed(markdown)).toBe(untimed(md));
  });

  it('generates from techniques alone, and refuses unknown techniques naming them (exit 2)', () => {
    const out = json<GenerateJson>(['playbook', '--techniques', 'T1486,T1490']);
    expect(out.incident).toBeNull();
    expect(out.techniques).toEqual(['T1486', 'T1490']);
    expect(validateCacaoPlaybook(out.playbook).valid).toBe(true);
    const bad = hs(['playbook', '--techniques', 'T1486,T9999,T0000']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('T9999, T0000');
    expect(bad.stdout).toBe('');
    expect(hs(['playbook']).status).toBe(2);
    expect(hs(['playbook', 'no-such-incident']).status).toBe(2);
  });

  it('keeps a library: add validates first, versions only on change, proposals record the incident and finding, generation includes it', () => {
    const broken = { ...fixture(), created_by: 'bob', workflow_start: 'start--00000000-0000-4000-8000-000000000000' };
    const brokenFile = join(dir, 'broken.json');
    writeFileSync(brokenFile, JSON.stringify(broken));
    const refused = hs(['playbook', 'library', 'add', brokenFile]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('$.created_by');
    expect(refused.stderr).toContain('$.workflow_start');
    expect(json<{ playbooks: unknown[] }>(['playbook', 'library', 'list']).playbooks).toEqual([]);

    const added = json<{ created: boolean; version: number; techniques: string[] }>(['playbook', 'library', 'add', fixtureFile, '--reason', 'initial']);
    expect(added).toMatchObject({ created: true, version: 1, techniques: ['T1486'] });
    expect(json<{ created: boolean; version: number }>(['playbook', 'library', 'add', fixtureFile])).toMatchObject({ created: false, version: 1 });

    const finding = json<{ id: string }>(['findings', 'add', id, '--category', 'procedural-failure', '--title', 'Backups restored before hosts were verified clean']);
    const changedFile = join(dir, 'changed.json');
    writeFileSync(changedFile, JSON.stringify({ ...fixture(), description: 'Verify hosts are clean before restoring.' }));
    const proposed = json<{ created: boolean; version: number; drivenByIncidentId: string; drivenByFindingId: string }>(['playbook', 'propose', fixture().id, '--incident', id, '--finding', finding.id, '--from', changedFile]);
    expect(proposed).toMatchObject({ created: true, version: 2, drivenByIncidentId: id, drivenByFindingId: finding.id });

    const history = json<{ versions: { version: number; reason: string; drivenByIncidentId: string | null; createdBy: string }[] }>(['playbook', 'library', 'history', fixture().id]);
    expect(history.versions.map((v) => [v.version, v.drivenByIncidentId, v.createdBy])).toEqual([[1, null, 'ana'], [2, id, 'ana']]);
    expect(history.versions[0]?.reason).toBe('initial');
    const v1 = JSON.parse(ok(['playbook', 'library', 'show', fixture().id, '--version', '1'])) as CacaoPlaybook;
    expect(v1.description).toBe(fixture().description);
    expect(ok(['playbook', 'library', 'show', fixture().id, '--format', 'md'])).toContain('Verify hosts are clean before restoring.');

    // Each version is audited as the command line's user, with the version before and after it.
    const audit = json<{ entries: { action: string; actor: string; entityId: string; before: { version: number } | null; after: { version: number; drivenByFindingId: string | null } }[] }>(['audit', 'log']);
    const library = audit.entries.filter((e) => e.action.startsWith('playbook.')).sort((a, b) => a.after.version - b.after.version);
    expect(library.map((e) => [e.action, e.actor, e.entityId, e.before?.version ?? null, e.after.version])).toEqual([
      ['playbook.add', 'cli:ana', fixture().id, null, 1],
      ['playbook.propose', 'cli:ana', fixture().id, 1, 2],
    ]);
    expect(library[1]?.after.drivenByFindingId).toBe(finding.id);

    // A playbook type outside CACAO's vocabulary is accepted, with a warning naming the file and path.
    const typoFile = join(dir, 'typo.json');
    writeFileSync(typoFile, JSON.stringify({ ...fixture(), id: 'playbook--0f6c1e7a-4b3d-4c8e-9a1f-0d2e3b4c5a6f', playbook_types: ['remediaton'] }));
    const typo = hs(['playbook', 'library', 'add', typoFile, '--techniques', 'T1110']);
    expect(typo.status).toBe(0);
    expect(typo.stderr).toBe(`warning: ${typoFile}: $.playbook_types[0]: "remediaton" is not in the CACAO playbook-type-ov vocabulary (notification, detection, investigation, prevention, mitigation, remediation, attack); allowed, but other tools may not know it\n`);

    // Names that do not exist are bad input (exit 2) with one line saying which.
    for (const args of [
      ['playbook', 'library', 'show', fixture().id, '--version', '9'],
      ['playbook', 'library', 'history', 'playbook--00000000-0000-4000-8000-000000000000'],
      ['playbook', 'propose', fixture().id, '--incident', 'no-such-incident', '--from', changedFile],
    ]) {
      const r = hs(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }

    const out = json<GenerateJson>(['playbook', id]);
    expect(out.libraryPlaybooks).toEqual([expect.objectContaining({ id: fixture().id, version: 2 })]);
    const action = Object.values(out.playbook.workflow).find((s) => s.type === 'playbook-action');
    expect(action?.playbook_id).toBe(fixture().id);
    expect(validateCacaoPlaybook(out.playbook, { knownPlaybookIds: out.referencedPlaybooks.map((p) => p.id) }).errors).toEqual([]);
  });
});
