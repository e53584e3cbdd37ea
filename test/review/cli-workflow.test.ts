import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

/**
 * End to end through the command line (needs `npm run build`): the ransomware example from
 * import to an approved, closed review; a stale write refused; markup shown as text in every format.
 */
const bundle = attackBundle();
const built = existsSync(join(projectRoot, 'dist', 'cli', 'main.js'));
const run = requireOrSkip('ATT&CK bundle for the review CLI test', Boolean(bundle.path), bundle.reason) && requireOrSkip('a build (npm run build) for the review CLI test', built, 'dist/cli/main.js is missing');

describe.runIf(run)('review workflow through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-review-cli-'));
  const db = join(dir, 'h.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function hs(args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'hindsight.js'), '--db', db, '--attack', bundle.path as string, ...args], {
      encoding: 'utf8',
      env: { ...process.env, HINDSIGHT_USER: 'ana', HINDSIGHT_POLICY: '', ...env },
      cwd: dir,
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  function ok(args: string[], env?: Record<string, string>): string {
    const r = hs(args, env);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('hindsight:'))).toEqual([]);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }
  function json<T = Record<string, unknown>>(args: string[], env?: Record<string, string>): T {
    return JSON.parse(ok(['--json', ...args], env)) as T;
  }

  let id = '';
  beforeAll(() => {
    const imported = json<{ created: number; reviews: { id: string; state: string; rules: string[] }[] }>(['import', join(projectRoot, 'examples', 'ransomware.json')]);
    expect(imported.created).toBe(1);
    id = imported.reviews[0]?.id as string;
    expect(imported.reviews[0]).toMatchObject({ state: 'required', required: true });
  });

  it('walks the ransomware example from import to an approved, closed review', () => {
    const check = json<{ required: boolean; matched: { rule: string }[] }>(['policy', 'check', id]);
    expect(check.required).toBe(true);
    expect(check.matched.map((m) => m.rule)).toContain('high-severity');

    const closedEarly = hs(['close', id]);
    expect(closedEarly.status).toBe(1);
    expect(closedEarly.stderr).toMatch(/cannot be closed: its post-incident review is required/);

    ok(['review', 'edit', id, '--section', 'summary', '--text', 'Ransomware reached three servers before containment.']);
    ok(['review', 'edit', id, '--section', 'technicalSummary', '--confirm']);
    const techSection = json<{ body: string; source: string; version: number }>(['review', 'edit', id, '--section', 'response', '--text', 'Detection at 08:40; devices isolated by 10:05.']);
    expect(techSection).toMatchObject({ source: 'person', version: 1 });
    const notes = join(dir, 'takeaways.md');
    writeFileSync(notes, 'Backups held.\nLateral movement over SMB went unnoticed for an hour.');
    ok(['review', 'edit', id, '--section', 'takeaways', '--file', notes, '--actor', 'ben']);
    for (let q = 1; q <= 10; q++) ok(['review', 'edit', id, '--answer', String(q), '--text', `Answer ${q}`]);

    const timeline = json<{ events: { id: string; origin: string; kind: string }[] }>(['timeline', 'list', id]);
    const dataEvent = timeline.events.find((e) => e.origin === 'data' && e.kind === 'alert-created');
    expect(dataEvent).toBeDefined();
    ok(['timeline', 'tag', id, dataEvent?.id as string, '--phase', 'containment', '--evidence', 'EDR isolation log']);
    const manual = json<{ id: string }>(['timeline', 'add', id, '--at', '2026-02-10T12:00:00Z', '--title', 'Legal and DPO informed', '--phase', 'notification', '--key-moment']);
    expect(hs(['timeline', 'delete', id, dataEvent?.id as string]).stderr).toMatch(/only annotated/);

    const finding = json<{ id: string }>(['findings', 'add', id, '--category', 'technical-lapse', '--title', 'SMB open between server segments', '--severity', 'high', '--technique', 'T1021.002', '--event', manual.id, '--factor', 'Flat network']);
    const action = json<{ id: string; status: string }>(['actions', 'add', id, '--type', 'fix', '--title', 'Segment the server VLANs', '--finding', finding.id, '--owner', 'net-team', '--due', '2020-01-31', '--criteria', 'SMB blocked between segments']);
    expect(action.status).toBe('open');
    const overdue = json<{ actions: { id: string; overdue: boolean }[] }>(['actions', 'list', '--overdue']);
    expect(overdue.actions.map((a) => a.id)).toEqual([action.id]);
    ok(['actions', 'update', action.id, '--status', 'in-progress', '--actor', 'net-team']);

    const status = json<{ state: string; completeness: { score: number; complete: boolean } }>(['review', 'status', id]);
    expect(status).toMatchObject({ state: 'draft', completeness: { score: 100, complete: true } });
    expect(json<{ state: string }>(['review', 'submit', id]).state).toBe('in-review');
    expect(hs(['review', 'approve', id, '--sufficiency', 'excellent']).status).toBe(2);
    const approved = json<{ state: string; approvedBy: string; sufficiency: string }>(['review', 'approve', id, '--sufficiency', 'sufficient', '--notes', 'Complete and well evidenced', '--actor', 'lead']);
    expect(approved).toMatchObject({ state: 'approved', approvedBy: 'lead', sufficiency: 'sufficient' });
    expect(json<{ closedBy: string }>(['close', id, '--reason', 'review approved', '--actor', 'lead']).closedBy).toBe('lead');

    const report = json<Record<string, unknown> & {
      state: { state: string; sufficiencyNotes: string };
      timeline: { origin: string; title: string; phase: string | null; phaseSource: string | null; evidence: string[] }[];
      techniques: { techniqueIds: string[] };
      findings: { title: string }[];
      actions: { title: string; status: string }[];
      questions: { answer: string | null }[];
      completeness: { score: number };
      timings: { phases: { phase: string }[] };
    }>(['review', id]);
    for (const key of ['incident', 'state', 'timeline', 'techniques', 'findings', 'actions', 'questions', 'completeness']) expect(report).toHaveProperty(key);
    expect(report.state).toMatchObject({ state: 'approved', sufficiencyNotes: 'Complete and well evidenced' });
    expect(report.techniques.techniqueIds.length).toBeGreaterThan(3);
    expect(report.findings.map((f) => f.title)).toEqual(['SMB open between server segments']);
    expect(report.actions).toMatchObject([{ title: 'Segment the server VLANs', status: 'in-progress' }]);
    expect(report.questions.every((q) => q.answer)).toBe(true);
    expect(report.completeness.score).toBe(100);
    expect(report.timeline.find((e) => e.origin === 'manual')).toMatchObject({ title: 'Legal and DPO informed', phase: 'notification' });
    expect(report.timeline.find((e) => e.phaseSource === 'manual' && e.origin === 'data')).toMatchObject({ phase: 'containment', evidence: ['EDR isolation log'] });
    expect(report.timings.phases.map((p) => p.phase)).toEqual(expect.arrayContaining(['containment', 'notification']));

    const md = ok(['review', id, '--format', 'md']);
    expect(md).toMatch(/## Review state and sign-off/);
    expect(md).toMatch(/\*\*Legal and DPO informed\*\* _\(hand-written\)_ \| notification \|/);
    expect(md).toMatch(/## Lessons learned/);
    const history = json<{ changes: { entityType: string; field: string; after: unknown; actor: string }[] }>(['review', 'history', id]);
    expect(history.changes.filter((c) => c.entityType === 'review' && c.field === 'state').map((c) => c.after)).toEqual(['required', 'draft', 'in-review', 'approved']);
    expect(history.changes.find((c) => c.entityType === 'section' && c.field === 'body' && c.actor === 'ben')).toBeDefined();
  });

  it('refuses a stale write (exit 1, names who and when) and keeps the first writer\'s text', () => {
    ok(['review', 'reopen', id, '--actor', 'lead']);
    const current = json<{ sections: { key: string; version: number }[] }>(['review', id]).sections.find((s) => s.key === 'takeaways');
    const v = String(current?.version);
    ok(['review', 'edit', id, '--section', 'takeaways', '--text', 'Ben was here first', '--expect-version', v, '--actor', 'ben']);
    const stale = hs(['review', 'edit', id, '--section', 'takeaways', '--text', 'Cleo overwrites', '--expect-version', v, '--actor', 'cleo']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(new RegExp(`section takeaways was changed by ben at \\S+ since version ${v}`));
    const after = json<{ sections: { key: string; body: string }[] }>(['review', id]).sections.find((s) => s.key === 'takeaways');
    expect(after?.body).toBe('Ben was here first');
  });

  it('shows markup in titles, descriptions and review text as text in every format', () => {
    const evil = '<script>alert(1)</script>';
    // A Graph incident (the phishing example) retitled with markup, imported through the CLI.
    const page = JSON.parse(readFileSync(join(projectRoot, 'examples', 'phishing-credential-theft.json'), 'utf8')) as { value: Record<string, unknown>[] };
    const record = page.value[0] as Record<string, unknown>;
    record.id = 'xss-1';
    record.displayName = `Phish ${evil}`;
    record.description = `Body ${evil} <img src=x onerror=alert(2)>`;
    for (const alert of (record.alerts as Record<string, unknown>[] | undefined) ?? []) alert.incidentId = 'xss-1';
    const file = join(dir, 'xss.json');
    writeFileSync(file, JSON.stringify(page));
    ok(['import', file]);
    ok(['findings', 'add', 'xss-1', '--category', 'manual-error', '--title', `Finding ${evil}`]);
    ok(['review', 'edit', 'xss-1', '--section', 'takeaways', '--text', `Takeaway ${evil}`]);
    const md = ok(['review', 'xss-1', '--format', 'md']);
    const out = join(dir, 'xss.html');
    ok(['review', 'xss-1', '--format', 'html', '-o', out]);
    const html = readFileSync(out, 'utf8');
    for (const text of [md, html]) {
      expect(text).not.toContain('<script>');
      expect(text).not.toMatch(/<img/i);
      expect(text).toMatch(/Phish &lt;script&gt;alert\\?\(1\\?\)&lt;\/script&gt;/);
    }
    expect(html).toContain('Finding &lt;script&gt;');
    expect(html).toContain('Takeaway &lt;script&gt;');
    const report = json<{ incident: { title: string; description: string }; findings: { title: string }[] }>(['review', 'xss-1']);
    expect(report.incident.title).toBe(`Phish ${evil}`);
    expect(report.findings[0]?.title).toBe(`Finding ${evil}`);
  });
});
