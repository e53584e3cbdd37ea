import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, UsageError } from '../../src/model/index.js';
import { LifecycleError } from '../../src/review/lifecycle.js';
import { loadPolicy, evaluatePolicy } from '../../src/review/policy.js';
import { QUESTION_IDS } from '../../src/review/questions.js';
import { POLICY_ACTOR, ReviewRepository } from '../../src/review/repo.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { sampleIncident } from '../fixtures/review/incident.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

type Opener = () => Promise<OpenedStore>;

async function withIncident(open: Opener, now?: () => Date): Promise<{ store: OpenedStore; repo: ReviewRepository; id: string }> {
  const store = await open();
  const incident = sampleIncident();
  const { results } = await store.importIncidents([incident]);
  const id = results[0]?.id as string;
  return { store, repo: new ReviewRepository(store.snake, now ? { now } : {}), id };
}

async function changeCount(store: OpenedStore): Promise<number> {
  const row = await store.snake
    .withTables<{ review_changes: { id: string } }>()
    .selectFrom('review_changes')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function reviewSuite(open: Opener): void {
  it('sets required from the policy, and the policy never moves a started review', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      const { policy } = loadPolicy({ env: {} });
      const decision = evaluatePolicy(policy, { severity: 'high', tags: [], classification: null, determination: null });
      expect(await repo.applyPolicy(id, decision)).toEqual({ state: 'required', changed: true });
      expect(await repo.getReview(id)).toMatchObject({ state: 'required', requiredBy: 'high-severity', updatedBy: POLICY_ACTOR, version: 1 });
      expect(await repo.applyPolicy(id, decision)).toEqual({ state: 'required', changed: false });
      expect((await repo.applyPolicy(id, { required: false, matched: [] })).state).toBe('not-required');
      await repo.applyPolicy(id, decision);
      await repo.saveSection(id, 'summary', 'We were phished.', { actor: 'ana' });
      expect((await repo.getReview(id))?.state).toBe('draft');
      expect(await repo.applyPolicy(id, { required: false, matched: [] })).toEqual({ state: 'draft', changed: false });
    } finally {
      await store.close();
    }
  });

  it('creates the review records of new incidents in one batch, with the same record and history as one by one', async () => {
    const store = await open();
    try {
      const a = sampleIncident();
      const b = { ...sampleIncident(), sourceId: `${sampleIncident().sourceId}-b`, alerts: [] };
      const { results } = await store.importIncidents([a, b]);
      const [idA, idB] = results.map((r) => r.id) as [string, string];
      const at = new Date('2026-03-01T10:00:00.000Z');
      const repo = new ReviewRepository(store.snake, { now: () => at });
      const { policy } = loadPolicy({ env: {} });
      const high = evaluatePolicy(policy, { severity: 'high', tags: [], classification: null, determination: null });
      await repo.createReviewsByPolicy([
        { incidentId: idA, decision: high },
        { incidentId: idB, decision: { required: false, matched: [] } },
      ]);
      expect(await repo.getReview(idA)).toMatchObject({ state: 'required', requiredBy: 'high-severity', updatedBy: POLICY_ACTOR, version: 1, updatedAt: at.toISOString() });
      expect(await repo.getReview(idB)).toMatchObject({ state: 'not-required', requiredBy: null, version: 1 });
      expect((await repo.history(idA)).map((c) => [c.field, c.after, c.actor])).toEqual([
        ['state', 'required', POLICY_ACTOR],
        ['requiredBy', 'high-severity', POLICY_ACTOR],
      ]);
      expect((await repo.history(idB)).map((c) => [c.field, c.after])).toEqual([['state', 'not-required']]);
      // The policy then treats them as it treats any review it set.
      expect(await repo.applyPolicy(idA, high)).toEqual({ state: 'required', changed: false });
      // A record that already exists is refused whole: nothing of the batch is written.
      await expect(repo.createReviewsByPolicy([{ incidentId: idA, decision: high }])).rejects.toThrow();
      expect(await changeCount(store)).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('refuses a stale write with a conflict naming who changed it and when, and loses nothing', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      const first = await repo.saveSection(id, 'takeaways', 'v1', { actor: 'ana' });
      expect(first.version).toBe(1);
      // Two writers both read version 1.
      const bens = await repo.saveSection(id, 'takeaways', 'Ben: detection was slow', { actor: 'ben', expectedVersion: 1 });
      expect(bens.version).toBe(2);
      const before = await changeCount(store);
      const stale = repo.saveSection(id, 'takeaways', 'Cleo: overwrites Ben', { actor: 'cleo', expectedVersion: 1 });
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toThrow(new RegExp(`section takeaways was changed by ben at ${bens.updatedAt.replace(/\./g, '\\.')} since version 1`));
      const sections = await repo.listSections(id);
      expect(sections.find((s) => s.key === 'takeaways')).toMatchObject({ body: 'Ben: detection was slow', version: 2, updatedBy: 'ben' });
      expect(await changeCount(store)).toBe(before);

      // The same for findings, action items and answers.
      const f = await repo.addFinding(id, { category: 'technical-lapse', title: 'MFA not enforced' }, { actor: 'ana' });
      await repo.editFinding(f.id, { severity: 'high' }, { actor: 'ana', expectedVersion: 1 });
      await expect(repo.editFinding(f.id, { title: 'stale' }, { actor: 'ben', expectedVersion: 1 })).rejects.toThrow(/finding fnd_\w+ was changed by ana .* since version 1 \(it is now version 2\)/);
      expect(await repo.getFinding(f.id)).toMatchObject({ title: 'MFA not enforced', severity: 'high', category: 'technical-lapse' });
      await repo.saveAnswer(id, 'precursors', 'Impossible travel alerts', { actor: 'ana' });
      await expect(repo.saveAnswer(id, 'precursors', 'x', { actor: 'ben', expectedVersion: 0 })).rejects.toBeInstanceOf(ConflictError);
    } finally {
      await store.close();
    }
  });

  it('of two concurrent writers on the same version exactly one wins', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      await repo.saveSection(id, 'summary', 'v1', { actor: 'ana' });
      const results = await Promise.allSettled([
        repo.saveSection(id, 'summary', 'from ben', { actor: 'ben', expectedVersion: 1 }),
        repo.saveSection(id, 'summary', 'from cleo', { actor: 'cleo', expectedVersion: 1 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ body: string }>).value.body;
      expect((await repo.listSections(id))[0]).toMatchObject({ body: winner, version: 2 });
    } finally {
      await store.close();
    }
  });

  it('walks the lifecycle to approval, requiring completeness or a recorded override, and guards closing', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      await repo.applyPolicy(id, { required: true, matched: [{ rule: 'high-severity', description: '', reasons: [] }] });
      await expect(repo.closeIncident(id, { actor: 'ana' })).rejects.toThrow(/cannot be closed: its post-incident review is required \(required by high-severity\)/);
      await expect(repo.submit(id, { actor: 'ana' })).rejects.toBeInstanceOf(LifecycleError);
      await repo.startDraft(id, { actor: 'ana' });
      await expect(repo.closeIncident(id, { actor: 'ana' })).rejects.toBeInstanceOf(LifecycleError);
      const submitted = await repo.submit(id, { actor: 'ana' });
      expect(submitted).toMatchObject({ state: 'in-review', submittedBy: 'ana' });
      await expect(repo.approve(id, { actor: 'lead', sufficiency: 'sufficient' })).rejects.toThrow(/0% complete and cannot be approved yet/);
      await expect(repo.approve(id, { actor: 'lead', sufficiency: 'insufficient' })).rejects.toBeInstanceOf(UsageError);
      // Fill it in (editing while in review keeps it in review).
      for (const key of ['summary', 'technicalSummary', 'response', 'takeaways'] as const) await repo.saveSection(id, key, `${key} text`, { actor: 'ana' });
      for (const q of QUESTION_IDS) await repo.saveAnswer(id, q, `answer ${q}`, { actor: 'ana' });
      const f = await repo.addFinding(id, { category: 'procedural-failure', title: 'Playbook skipped token revocation' }, { actor: 'ana' });
      expect((await repo.completeness(id)).score).toBe(75);
      await repo.addActionItem(id, { type: 'procedure-update', title: 'Add token revocation to the playbook', findingId: f.id, owner: 'ben', dueDate: '2026-06-01' }, { actor: 'ana' });
      expect(await repo.completeness(id)).toMatchObject({ score: 100, complete: true });
      expect((await repo.getReview(id))?.state).toBe('in-review');
      const approved = await repo.approve(id, { actor: 'lead', sufficiency: 'sufficient', notes: 'Thorough.' });
      expect(approved).toMatchObject({ state: 'approved', approvedBy: 'lead', sufficiency: 'sufficient', sufficiencyNotes: 'Thorough.', completenessOverride: null });
      await expect(repo.saveSection(id, 'summary', 'late edit', { actor: 'ana' })).rejects.toThrow(/approved; reopen it/);
      const closed = await repo.closeIncident(id, { actor: 'lead', reason: 'review approved' });
      expect(closed).toMatchObject({ closedBy: 'lead', closeReason: 'review approved' });
      await expect(repo.closeIncident(id, { actor: 'lead' })).rejects.toThrow(/already closed/);
      const history = await repo.history(id, { entityType: 'review' });
      expect(history.filter((h) => h.field === 'state').map((h) => h.after)).toEqual(['required', 'draft', 'in-review', 'approved']);
      expect(history.find((h) => h.field === 'state' && h.after === 'approved')?.actor).toBe('lead');
    } finally {
      await store.close();
    }
  });

  it('approves an incomplete review only with an override reason, which is recorded; waiving needs a reason', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      await repo.applyPolicy(id, { required: true, matched: [{ rule: 'r', description: '', reasons: [] }] });
      await expect(repo.waive(id, { actor: 'lead', reason: ' ' })).rejects.toBeInstanceOf(UsageError);
      await repo.startDraft(id, { actor: 'ana' });
      await repo.submit(id, { actor: 'ana' });
      const ok = await repo.approve(id, { actor: 'lead', sufficiency: 'insufficient', notes: 'No root cause', overrideIncomplete: 'regulator deadline' });
      expect(ok).toMatchObject({ state: 'approved', completenessOverride: 'regulator deadline', sufficiency: 'insufficient' });
      const reopened = await repo.reopen(id, { actor: 'lead' });
      expect(reopened).toMatchObject({ state: 'draft', approvedBy: null, sufficiency: null });
      const waived = await repo.waive(id, { actor: 'lead', reason: 'Duplicate of INC-7' });
      expect(waived).toMatchObject({ state: 'waived', waiverReason: 'Duplicate of INC-7' });
      await expect(repo.closeIncident(id, { actor: 'lead' })).resolves.toMatchObject({ closedBy: 'lead' });
    } finally {
      await store.close();
    }
  });

  it('keeps the action-item lifecycle, flags overdue items across incidents, and records every change', async () => {
    const { store, repo, id } = await withIncident(open, () => new Date('2026-06-15T10:00:00Z'));
    try {
      const a = await repo.addActionItem(id, { type: 'detection-engineering', title: 'Alert on OAuth consent', owner: 'dee', team: 'detection', dueDate: '2026-06-01', priority: 'high', closureCriteria: 'Rule deployed and tested' }, { actor: 'ana' });
      const b = await repo.addActionItem(id, { type: 'training', title: 'Phishing drill', dueDate: '2026-07-01' }, { actor: 'ana' });
      expect(a).toMatchObject({ status: 'open', overdue: true, externalSystem: null });
      expect((await repo.listActionItems({ overdue: true })).map((x) => x.id)).toEqual([a.id]);
      await expect(repo.moveActionItem(a.id, { status: 'verified', verificationMethod: 'x', verificationEvidence: 'y' }, { actor: 'dee' })).rejects.toThrow(/open and cannot move to verified/);
      await repo.moveActionItem(a.id, { status: 'in-progress' }, { actor: 'dee' });
      const done = await repo.moveActionItem(a.id, { status: 'done' }, { actor: 'dee' });
      expect(done.overdue).toBe(false);
      await expect(repo.moveActionItem(a.id, { status: 'verified' }, { actor: 'lead' })).rejects.toBeInstanceOf(UsageError);
      const verified = await repo.moveActionItem(a.id, { status: 'verified', verificationMethod: 'Replayed the consent grant in staging', verificationEvidence: 'Alert DA-991 fired' }, { actor: 'lead' });
      expect(verified).toMatchObject({ status: 'verified', verifiedBy: 'lead', verifiedAt: '2026-06-15T10:00:00.000Z', version: 4 });
      await expect(repo.moveActionItem(b.id, { status: 'wont-do' }, { actor: 'lead' })).rejects.toThrow(/needs a reason/);
      await repo.moveActionItem(b.id, { status: 'wont-do', reason: 'Covered by the annual programme' }, { actor: 'lead' });
      const updated = await repo.updateActionItem(b.id, { owner: 'erin', dueDate: '2026-08-01' }, { actor: 'ana' });
      expect(updated).toMatchObject({ owner: 'erin', dueDate: '2026-08-01', status: 'wont-do' });
      // A patch changes only what it names.
      const reassigned = await repo.updateActionItem(a.id, { owner: 'fay' }, { actor: 'ana' });
      expect(reassigned).toMatchObject({ owner: 'fay', team: 'detection', priority: 'high', closureCriteria: 'Rule deployed and tested', status: 'verified' });
      const history = await repo.history(id, { entityType: 'action-item', entityId: a.id });
      expect(history.filter((h) => h.field === 'status').map((h) => [h.before, h.after, h.actor])).toEqual([
        ['open', 'in-progress', 'dee'],
        ['in-progress', 'done', 'dee'],
        ['done', 'verified', 'lead'],
      ]);
      expect(history[0]).toMatchObject({ field: '*', before: null, actor: 'ana', version: 1 });
      const bh = await repo.history(id, { entityId: b.id });
      expect(bh.filter((h) => h.field === 'owner')).toEqual([expect.objectContaining({ before: null, after: 'erin', actor: 'ana', version: 3 })]);
      expect((await repo.listActionItems({ status: ['wont-do'] })).map((x) => x.id)).toEqual([b.id]);
    } finally {
      await store.close();
    }
  });

  it('gives trackers external columns and applies their state through the lifecycle', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      const a = await repo.addActionItem(id, { type: 'fix', title: 'Patch VPN appliance' }, { actor: 'ana' });
      const linked = await repo.updateActionItemExternal(a.id, { externalSystem: 'github', externalKey: 'acme/infra#12', externalUrl: 'https://github.com/acme/infra/issues/12', externalState: 'open' });
      expect(linked).toMatchObject({ externalSystem: 'github', externalKey: 'acme/infra#12', version: 2 });
      expect(linked.syncedAt).toMatch(/^\d{4}-/);
      expect((await repo.listActionItems({ externalSystem: 'github' })).map((x) => x.id)).toEqual([a.id]);
      expect(await repo.listActionItems({ externalSystem: null })).toEqual([]);
      const closed = await repo.applyExternalState(a.id, 'done', 'github:octocat');
      expect(closed.status).toBe('done');
      expect((await repo.applyExternalState(a.id, 'done', 'github:octocat')).version).toBe(closed.version);
      await expect(repo.applyExternalState(a.id, 'open', 'github:octocat')).rejects.toBeInstanceOf(LifecycleError);
      const h = await repo.history(id, { entityId: a.id });
      expect(h.find((c) => c.field === 'status')).toMatchObject({ before: 'open', after: 'done', actor: 'github:octocat' });
      await expect(repo.getActionItem('act_nope')).resolves.toBeUndefined();
      await expect(repo.moveActionItem('act_nope', { status: 'done' }, { actor: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await store.close();
    }
  });

  it('stores hand-written timeline events and annotations of derived ones, versioned', async () => {
    const { store, repo, id } = await withIncident(open);
    try {
      const e = await repo.addManualEvent(id, { at: '2026-03-02T10:30:00Z', title: 'Called the user to confirm', phase: 'triage', evidence: ['call log 2026-03-02'] }, { actor: 'ana' });
      expect(e).toMatchObject({ at: '2026-03-02T10:30:00.000Z', version: 1, phase: 'triage', keyMoment: false });
      const edited = await repo.editManualEvent(id, e.id, { keyMoment: true }, { actor: 'ben', expectedVersion: 1 });
      expect(edited).toMatchObject({ keyMoment: true, version: 2, updatedBy: 'ben' });
      await expect(repo.deleteManualEvent(id, e.id, { actor: 'ana', expectedVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
      await repo.deleteManualEvent(id, e.id, { actor: 'ana', expectedVersion: 2 });
      expect(await repo.listManualEvents(id)).toEqual([]);
      await expect(repo.editManualEvent(id, 'ev_0123456789ab', { title: 'x' }, { actor: 'ana' })).rejects.toThrow(/only annotated/);
      const ann = await repo.annotateEvent(id, 'ev_0123456789ab', { phase: 'containment', evidence: ['EDR isolation record'] }, { actor: 'ana' });
      expect(ann).toMatchObject({ phase: 'containment', keyMoment: null, hidden: false, version: 1 });
      await expect(repo.annotateEvent(id, 'ev_0123456789ab', { hidden: true }, { actor: 'ana' })).rejects.toThrow(/needs a reason/);
      const hidden = await repo.annotateEvent(id, 'ev_0123456789ab', { hidden: true, hiddenReason: 'duplicate' }, { actor: 'ben', expectedVersion: 1 });
      expect(hidden).toMatchObject({ phase: 'containment', hidden: true, hiddenReason: 'duplicate', version: 2 });
      const h = await repo.history(id, { entityType: 'timeline-event' });
      expect(h.map((c) => c.field)).toEqual(['*', 'keyMoment', '*']);
      expect(h[1]).toMatchObject({ before: false, after: true, actor: 'ben', version: 2 });
      expect(h[2]).toMatchObject({ after: null, actor: 'ana' });
    } finally {
      await store.close();
    }
  });
}

describe('review repository on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-review-'));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  reviewSuite(() => openStore({ db: join(dir, `review-${++n}.db`) }));
});

const postgres = await pgAvailable();
const runPostgres = requireOrSkip('PostgreSQL for the review repository tests', Boolean(postgres.url), postgres.reason);

describe.runIf(runPostgres)('review repository on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_review');
  afterAll(() => schemas.dropAll());
  reviewSuite(() => openStore({ db: schemas.next() }));
});
