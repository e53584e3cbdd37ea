import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  addActionItem,
  addFinding,
  addTimelineEvent,
  annotateTimelineEvent,
  applyPolicyDecision,
  applyReviewPolicy,
  approveReview,
  closeIncident,
  deleteTimelineEvent,
  editFinding,
  editTimelineEvent,
  getActionItem,
  getFinding,
  getReview,
  linkActionItem,
  listActionItems,
  listManualEvents,
  loadReviewContent,
  makeReviewTransition,
  moveActionItem,
  POLICY_ACTOR,
  reopenReview,
  reviewCompleteness,
  reviewHistory,
  saveReviewAnswer,
  saveReviewSection,
  startReview,
  submitReview,
  syncActionItemState,
  updateActionItem,
  waiveReview,
} from '../../../src/app/review/index.js';
import { ConflictError, NotFoundError, UsageError } from '../../../src/model/index.js';
import { FourEyesError, LifecycleError } from '../../../src/review/lifecycle.js';
import { loadPolicy, evaluatePolicy } from '../../../src/review/policy.js';
import { QUESTION_IDS } from '../../../src/review/questions.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { insertReviewRecords } from '../../../src/store/reviews/records.js';
import { sampleIncident } from '../../fixtures/review/incident.js';
import { pgAvailable, requireOrSkip } from '../../helpers/env.js';
import { postgresSchemas } from '../../helpers/pg.js';

type Opener = () => Promise<OpenedStore>;

async function withIncident(open: Opener): Promise<{ store: OpenedStore; id: string }> {
  const store = await open();
  const { results } = await store.importIncidents([sampleIncident()]);
  return { store, id: results[0]?.id as string };
}

async function changeCount(store: OpenedStore): Promise<number> {
  const row = await store.db
    .selectFrom('reviewChanges')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditActions(store: OpenedStore): Promise<string[]> {
  const rows = await store.db.selectFrom('auditLog').select('action').orderBy('seq').execute();
  return rows.map((r) => r.action);
}

/** Stops the clock at `at` (only Date: the database drivers' timers keep running). */
function clockAt(at: string): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(at));
}

afterEach(() => {
  vi.useRealTimers();
});

function reviewSuite(open: Opener): void {
  it('sets required from the policy, and the policy never moves a started review', async () => {
    const { store, id } = await withIncident(open);
    try {
      const { policy } = loadPolicy({ env: {} });
      const decision = evaluatePolicy(policy, { severity: 'high', tags: [], classification: null, determination: null });
      expect(await applyPolicyDecision(store, id, decision)).toEqual({ state: 'required', changed: true });
      expect(await getReview(store, id)).toMatchObject({ state: 'required', requiredBy: 'high-severity', updatedBy: POLICY_ACTOR, version: 1 });
      expect(await applyPolicyDecision(store, id, decision)).toEqual({ state: 'required', changed: false });
      expect((await applyPolicyDecision(store, id, { required: false, matched: [] })).state).toBe('not-required');
      await applyPolicyDecision(store, id, decision);
      await saveReviewSection(store, id, 'summary', 'We were phished.', { actor: 'ana' });
      expect((await getReview(store, id)).state).toBe('draft');
      expect(await applyPolicyDecision(store, id, { required: false, matched: [] })).toEqual({ state: 'draft', changed: false });
      // The policy's changes are in the review's history, not in the audit trail.
      expect(await auditActions(store)).toEqual(['section.save']);
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
      const at = '2026-03-01T10:00:00.000Z';
      clockAt(at);
      const { policy } = loadPolicy({ env: {} });
      const high = evaluatePolicy(policy, { severity: 'high', tags: [], classification: null, determination: null });
      const none = { required: false, matched: [] };
      expect(
        await store.transaction((tx) =>
          applyReviewPolicy(tx, [
            { incidentId: idA, decision: high },
            { incidentId: idB, decision: none },
          ]),
        ),
      ).toEqual([
        { id: idA, state: 'required', required: true, rules: ['high-severity'] },
        { id: idB, state: 'not-required', required: false, rules: [] },
      ]);
      vi.useRealTimers();
      expect(await getReview(store, idA)).toMatchObject({ state: 'required', requiredBy: 'high-severity', updatedBy: POLICY_ACTOR, version: 1, updatedAt: at });
      expect(await getReview(store, idB)).toMatchObject({ state: 'not-required', requiredBy: null, version: 1 });
      expect((await reviewHistory(store, idA)).map((c) => [c.field, c.after, c.actor])).toEqual([
        ['state', 'required', POLICY_ACTOR],
        ['requiredBy', 'high-severity', POLICY_ACTOR],
      ]);
      expect((await reviewHistory(store, idB)).map((c) => [c.field, c.after])).toEqual([['state', 'not-required']]);
      // The policy then treats them as it treats any review it set: unchanged, moved, or left alone once started.
      await startReview(store, idB, { actor: 'ana' });
      expect(await applyReviewPolicy(store, [{ incidentId: idA, decision: high }, { incidentId: idB, decision: high }])).toEqual([
        { id: idA, state: 'required', required: true, rules: ['high-severity'] },
        { id: idB, state: 'draft', required: true, rules: ['high-severity'] },
      ]);
      expect(await applyReviewPolicy(store, [{ incidentId: idA, decision: none }])).toEqual([{ id: idA, state: 'not-required', required: false, rules: [] }]);
      const before = await changeCount(store);
      // A record that already exists is refused whole: nothing of the batch is written.
      await expect(insertReviewRecords(store.db, [{ incidentId: idA, state: 'required', requiredBy: 'r' }], { actor: POLICY_ACTOR, at })).rejects.toThrow();
      expect(await changeCount(store)).toBe(before);
    } finally {
      await store.close();
    }
  });

  it('refuses a stale write with a conflict naming who changed it and when, and loses nothing', async () => {
    const { store, id } = await withIncident(open);
    try {
      const first = await saveReviewSection(store, id, 'takeaways', 'v1', { actor: 'ana' });
      expect(first.version).toBe(1);
      // Two writers both read version 1.
      const bens = await saveReviewSection(store, id, 'takeaways', 'Ben: detection was slow', { actor: 'ben', expectedVersion: 1 });
      expect(bens.version).toBe(2);
      const before = await changeCount(store);
      const audited = (await auditActions(store)).length;
      const stale = saveReviewSection(store, id, 'takeaways', 'Cleo: overwrites Ben', { actor: 'cleo', expectedVersion: 1 });
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toThrow(new RegExp(`section takeaways was changed by ben at ${bens.updatedAt.replace(/\./g, '\\.')} since version 1`));
      const { sections } = await loadReviewContent(store, id);
      expect(sections.find((s) => s.key === 'takeaways')).toMatchObject({ body: 'Ben: detection was slow', version: 2, updatedBy: 'ben' });
      expect(await changeCount(store)).toBe(before);
      expect((await auditActions(store)).length).toBe(audited);

      // The same for findings, action items and answers.
      const f = await addFinding(store, id, { category: 'technical-lapse', title: 'MFA not enforced' }, { actor: 'ana' });
      await editFinding(store, f.id, { severity: 'high' }, { actor: 'ana', expectedVersion: 1 });
      await expect(editFinding(store, f.id, { title: 'stale' }, { actor: 'ben', expectedVersion: 1 })).rejects.toThrow(/finding fnd_\w+ was changed by ana .* since version 1 \(it is now version 2\)/);
      expect(await getFinding(store, f.id)).toMatchObject({ title: 'MFA not enforced', severity: 'high', category: 'technical-lapse' });
      await saveReviewAnswer(store, id, 'precursors', 'Impossible travel alerts', { actor: 'ana' });
      await expect(saveReviewAnswer(store, id, 'precursors', 'x', { actor: 'ben', expectedVersion: 0 })).rejects.toBeInstanceOf(ConflictError);
      await expect(saveReviewSection(store, id, 'nonsense' as 'summary', 'x', { actor: 'ana' })).rejects.toBeInstanceOf(UsageError);
    } finally {
      await store.close();
    }
  });

  it('of two concurrent writers on the same version exactly one wins', async () => {
    const { store, id } = await withIncident(open);
    try {
      await saveReviewSection(store, id, 'summary', 'v1', { actor: 'ana' });
      const results = await Promise.allSettled([
        saveReviewSection(store, id, 'summary', 'from ben', { actor: 'ben', expectedVersion: 1 }),
        saveReviewSection(store, id, 'summary', 'from cleo', { actor: 'cleo', expectedVersion: 1 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ body: string }>).value.body;
      expect((await loadReviewContent(store, id)).sections[0]).toMatchObject({ body: winner, version: 2 });
      expect(await auditActions(store)).toEqual(['section.save', 'section.save']);
    } finally {
      await store.close();
    }
  });

  it('walks the lifecycle to approval, requiring completeness or a recorded override, and guards closing', async () => {
    const { store, id } = await withIncident(open);
    try {
      await applyPolicyDecision(store, id, { required: true, matched: [{ rule: 'high-severity', description: '', reasons: [] }] });
      await expect(closeIncident(store, id, { actor: 'ana' })).rejects.toThrow(/cannot be closed: its post-incident review is required \(required by high-severity\)/);
      await expect(submitReview(store, id, { actor: 'ana' })).rejects.toBeInstanceOf(LifecycleError);
      await startReview(store, id, { actor: 'ana' });
      await expect(closeIncident(store, id, { actor: 'ana' })).rejects.toBeInstanceOf(LifecycleError);
      const submitted = await submitReview(store, id, { actor: 'ana' });
      expect(submitted).toMatchObject({ state: 'in-review', submittedBy: 'ana' });
      await expect(approveReview(store, id, { actor: 'lead', sufficiency: 'sufficient' })).rejects.toThrow(/0% complete and cannot be approved yet/);
      await expect(approveReview(store, id, { actor: 'lead', sufficiency: 'insufficient' })).rejects.toBeInstanceOf(UsageError);
      // A move that exists under another name is refused, naming it.
      await expect(makeReviewTransition(store, 'start', id, { actor: 'ana' })).rejects.toThrow(/in-review: start applies to a review that is not-required or required \(use return\)/);
      // Fill it in (editing while in review keeps it in review).
      for (const key of ['summary', 'technicalSummary', 'response', 'takeaways'] as const) await saveReviewSection(store, id, key, `${key} text`, { actor: 'ana' });
      for (const q of QUESTION_IDS) await saveReviewAnswer(store, id, q, `answer ${q}`, { actor: 'ana' });
      const f = await addFinding(store, id, { category: 'procedural-failure', title: 'Playbook skipped token revocation' }, { actor: 'ana' });
      expect((await reviewCompleteness(store, id)).score).toBe(75);
      await addActionItem(store, id, { type: 'procedure-update', title: 'Add token revocation to the playbook', findingId: f.id, owner: 'ben', dueDate: '2026-06-01' }, { actor: 'ana' });
      expect(await reviewCompleteness(store, id)).toMatchObject({ score: 100, complete: true });
      expect((await getReview(store, id)).state).toBe('in-review');
      const approved = await makeReviewTransition(store, 'approve', id, { actor: 'lead', notes: 'Thorough.' });
      expect(approved).toMatchObject({ state: 'approved', approvedBy: 'lead', sufficiency: 'sufficient', sufficiencyNotes: 'Thorough.', completenessOverride: null });
      await expect(saveReviewSection(store, id, 'summary', 'late edit', { actor: 'ana' })).rejects.toThrow(/approved; reopen it/);
      await expect(makeReviewTransition(store, 'start', id, { actor: 'ana' })).rejects.toThrow(/use reopen/);
      const closed = await closeIncident(store, id, { actor: 'lead', reason: 'review approved' });
      expect(closed).toMatchObject({ closedBy: 'lead', closeReason: 'review approved' });
      await expect(closeIncident(store, id, { actor: 'lead' })).rejects.toThrow(/already closed/);
      const history = await reviewHistory(store, id, { entityType: 'review' });
      expect(history.filter((h) => h.field === 'state').map((h) => h.after)).toEqual(['required', 'draft', 'in-review', 'approved']);
      expect(history.find((h) => h.field === 'state' && h.after === 'approved')?.actor).toBe('lead');
      const audit = await store.db.selectFrom('auditLog').selectAll().where('action', 'in', ['review.start', 'review.submit', 'review.approve', 'incident.close']).orderBy('seq').execute();
      expect(audit.map((e) => [e.action, e.actor, e.entityType, e.entityId])).toEqual([
        ['review.start', 'ana', 'review', id],
        ['review.submit', 'ana', 'review', id],
        ['review.approve', 'lead', 'review', id],
        ['incident.close', 'lead', 'review', id],
      ]);
    } finally {
      await store.close();
    }
  });

  it('approves an incomplete review only with an override reason, which is recorded; waiving needs a reason', async () => {
    const { store, id } = await withIncident(open);
    try {
      await applyPolicyDecision(store, id, { required: true, matched: [{ rule: 'r', description: '', reasons: [] }] });
      await expect(waiveReview(store, id, { actor: 'lead', reason: ' ' })).rejects.toBeInstanceOf(UsageError);
      await startReview(store, id, { actor: 'ana' });
      await submitReview(store, id, { actor: 'ana' });
      for (const reason of ['   ', 'ok', 'regulator deadline']) {
        await expect(approveReview(store, id, { actor: 'lead', sufficiency: 'insufficient', notes: 'No root cause', overrideIncomplete: reason })).rejects.toThrow(/cannot be approved yet|at least 20 characters/);
      }
      const ok = await approveReview(store, id, { actor: 'lead', sufficiency: 'insufficient', notes: 'No root cause', overrideIncomplete: '  regulator deadline:\n notice due today ' });
      expect(ok).toMatchObject({ state: 'approved', completenessOverride: 'regulator deadline: notice due today', sufficiency: 'insufficient' });
      const reopened = await reopenReview(store, id, { actor: 'lead' });
      expect(reopened).toMatchObject({ state: 'draft', approvedBy: null, sufficiency: null });
      const waived = await waiveReview(store, id, { actor: 'lead', reason: 'Duplicate of INC-7' });
      expect(waived).toMatchObject({ state: 'waived', waiverReason: 'Duplicate of INC-7' });
      await expect(closeIncident(store, id, { actor: 'lead' })).resolves.toMatchObject({ closedBy: 'lead' });
    } finally {
      await store.close();
    }
  });

  it('four eyes: the submitter and the only author may not approve, unless the policy says the team is too small', async () => {
    const { store, id } = await withIncident(open);
    try {
      const reason = 'the exercise ends before the review can be finished';
      await saveReviewSection(store, id, 'technicalSummary', 'Phished credentials reused on the VPN.', { actor: 'ana' });
      await submitReview(store, id, { actor: 'lead' });
      await expect(approveReview(store, id, { actor: 'lead', sufficiency: 'sufficient', overrideIncomplete: reason })).rejects.toThrow(/four eyes: lead submitted this review/);
      await expect(approveReview(store, id, { actor: 'ana', sufficiency: 'sufficient', overrideIncomplete: reason })).rejects.toBeInstanceOf(FourEyesError);
      await expect(approveReview(store, id, { actor: 'ana', sufficiency: 'sufficient', overrideIncomplete: reason })).rejects.toThrow(/ana wrote all of this review/);
      expect((await getReview(store, id)).state).toBe('in-review');
      const approved = await approveReview(store, id, { actor: 'lead', sufficiency: 'sufficient', overrideIncomplete: reason, approvalRules: { fourEyes: false, overrideReasonMinLength: 20 } });
      expect(approved).toMatchObject({ state: 'approved', approvedBy: 'lead', submittedBy: 'lead' });
      await reopenReview(store, id, { actor: 'lead' });
      await saveReviewSection(store, id, 'takeaways', 'Two mailboxes read.', { actor: 'cy' });
      await submitReview(store, id, { actor: 'cy' });
      await expect(approveReview(store, id, { actor: 'ana', sufficiency: 'sufficient', overrideIncomplete: reason })).resolves.toMatchObject({ state: 'approved', approvedBy: 'ana' });
    } finally {
      await store.close();
    }
  });

  it('keeps the action-item lifecycle, flags overdue items across incidents, and records every change', async () => {
    const { store, id } = await withIncident(open);
    clockAt('2026-06-15T10:00:00Z');
    try {
      const a = await addActionItem(store, id, { type: 'detection-engineering', title: 'Alert on OAuth consent', owner: 'dee', team: 'detection', dueDate: '2026-06-01', priority: 'high', closureCriteria: 'Rule deployed and tested' }, { actor: 'ana' });
      const b = await addActionItem(store, id, { type: 'training', title: 'Phishing drill', dueDate: '2026-07-01' }, { actor: 'ana' });
      expect(a).toMatchObject({ status: 'open', overdue: true, externalSystem: null });
      expect((await listActionItems(store, { overdue: true })).map((x) => x.id)).toEqual([a.id]);
      await expect(moveActionItem(store, a.id, { status: 'verified', verificationMethod: 'x', verificationEvidence: 'y' }, { actor: 'dee' })).rejects.toThrow(/open and cannot move to verified/);
      await moveActionItem(store, a.id, { status: 'in-progress' }, { actor: 'dee' });
      const done = await moveActionItem(store, a.id, { status: 'done' }, { actor: 'dee' });
      expect(done.overdue).toBe(false);
      await expect(moveActionItem(store, a.id, { status: 'verified' }, { actor: 'lead' })).rejects.toBeInstanceOf(UsageError);
      const verified = await moveActionItem(store, a.id, { status: 'verified', verificationMethod: 'Replayed the consent grant in staging', verificationEvidence: 'Alert DA-991 fired' }, { actor: 'lead' });
      expect(verified).toMatchObject({ status: 'verified', verifiedBy: 'lead', verifiedAt: '2026-06-15T10:00:00.000Z', version: 4 });
      await expect(moveActionItem(store, b.id, { status: 'wont-do' }, { actor: 'lead' })).rejects.toThrow(/needs a reason/);
      await moveActionItem(store, b.id, { status: 'wont-do', reason: 'Covered by the annual programme' }, { actor: 'lead' });
      const updated = await updateActionItem(store, b.id, { owner: 'erin', dueDate: '2026-08-01' }, { actor: 'ana' });
      expect(updated).toMatchObject({ owner: 'erin', dueDate: '2026-08-01', status: 'wont-do' });
      // A patch changes only what it names.
      const reassigned = await updateActionItem(store, a.id, { owner: 'fay' }, { actor: 'ana' });
      expect(reassigned).toMatchObject({ owner: 'fay', team: 'detection', priority: 'high', closureCriteria: 'Rule deployed and tested', status: 'verified' });
      const history = await reviewHistory(store, id, { entityType: 'action-item', entityId: a.id });
      expect(history.filter((h) => h.field === 'status').map((h) => [h.before, h.after, h.actor])).toEqual([
        ['open', 'in-progress', 'dee'],
        ['in-progress', 'done', 'dee'],
        ['done', 'verified', 'lead'],
      ]);
      expect(history[0]).toMatchObject({ field: '*', before: null, actor: 'ana', version: 1 });
      const bh = await reviewHistory(store, id, { entityId: b.id });
      expect(bh.filter((h) => h.field === 'owner')).toEqual([expect.objectContaining({ before: null, after: 'erin', actor: 'ana', version: 3 })]);
      expect((await listActionItems(store, { status: ['wont-do'] })).map((x) => x.id)).toEqual([b.id]);
      const moves = await store.db.selectFrom('auditLog').select(['action', 'actor', 'entityId', 'before', 'after']).where('action', '=', 'action-item.move').orderBy('seq').execute();
      expect(moves.map((e) => [e.actor, e.entityId])).toEqual([
        ['dee', a.id],
        ['dee', a.id],
        ['lead', a.id],
        ['lead', b.id],
      ]);
      expect(JSON.parse(moves[2]?.before ?? 'null')).toMatchObject({ status: 'done', overdue: false });
    } finally {
      await store.close();
    }
  });

  it('gives trackers external columns and applies their state through the lifecycle', async () => {
    const { store, id } = await withIncident(open);
    try {
      const a = await addActionItem(store, id, { type: 'fix', title: 'Patch VPN appliance' }, { actor: 'ana' });
      const linked = await linkActionItem(store, a.id, { externalSystem: 'github', externalKey: 'acme/infra#12', externalUrl: 'https://github.com/acme/infra/issues/12', externalState: 'open' });
      expect(linked).toMatchObject({ externalSystem: 'github', externalKey: 'acme/infra#12', version: 2 });
      expect(linked.syncedAt).toMatch(/^\d{4}-/);
      expect((await listActionItems(store, { externalSystem: 'github' })).map((x) => x.id)).toEqual([a.id]);
      expect(await listActionItems(store, { externalSystem: null })).toEqual([]);
      const closed = await syncActionItemState(store, a.id, 'done', 'github:octocat');
      expect(closed.status).toBe('done');
      const audited = (await auditActions(store)).length;
      expect((await syncActionItemState(store, a.id, 'done', 'github:octocat')).version).toBe(closed.version);
      // Nothing changed: nothing recorded.
      expect((await auditActions(store)).length).toBe(audited);
      await expect(syncActionItemState(store, a.id, 'open', 'github:octocat')).rejects.toBeInstanceOf(LifecycleError);
      const h = await reviewHistory(store, id, { entityId: a.id });
      expect(h.find((c) => c.field === 'status')).toMatchObject({ before: 'open', after: 'done', actor: 'github:octocat' });
      await expect(getActionItem(store, 'act_nope')).resolves.toBeUndefined();
      await expect(moveActionItem(store, 'act_nope', { status: 'done' }, { actor: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await auditActions(store)).toEqual(['action-item.add', 'action-item.link', 'action-item.sync']);
      const link = await store.db.selectFrom('auditLog').select(['actor', 'entityId']).where('action', '=', 'action-item.link').executeTakeFirstOrThrow();
      expect(link).toEqual({ actor: 'hindsight-sync', entityId: a.id });
    } finally {
      await store.close();
    }
  });

  it('stores hand-written timeline events and annotations of derived ones, versioned', async () => {
    const { store, id } = await withIncident(open);
    try {
      const e = await addTimelineEvent(store, id, { at: '2026-03-02T10:30:00Z', title: 'Called the user to confirm', phase: 'triage', evidence: ['call log 2026-03-02'] }, { actor: 'ana' });
      expect(e).toMatchObject({ at: '2026-03-02T10:30:00.000Z', version: 1, phase: 'triage', keyMoment: false });
      const edited = await editTimelineEvent(store, id, e.id, { keyMoment: true }, { actor: 'ben', expectedVersion: 1 });
      expect(edited).toMatchObject({ keyMoment: true, version: 2, updatedBy: 'ben' });
      await expect(deleteTimelineEvent(store, id, e.id, { actor: 'ana', expectedVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
      await deleteTimelineEvent(store, id, e.id, { actor: 'ana', expectedVersion: 2 });
      expect(await listManualEvents(store, id)).toEqual([]);
      await expect(editTimelineEvent(store, id, 'ev_0123456789ab', { title: 'x' }, { actor: 'ana' })).rejects.toThrow(/only annotated/);
      const ann = await annotateTimelineEvent(store, id, 'ev_0123456789ab', { phase: 'containment', evidence: ['EDR isolation record'] }, { actor: 'ana' });
      expect(ann).toMatchObject({ phase: 'containment', keyMoment: null, hidden: false, version: 1 });
      await expect(annotateTimelineEvent(store, id, 'ev_0123456789ab', { hidden: true }, { actor: 'ana' })).rejects.toThrow(/needs a reason/);
      const hidden = await annotateTimelineEvent(store, id, 'ev_0123456789ab', { hidden: true, hiddenReason: 'duplicate' }, { actor: 'ben', expectedVersion: 1 });
      expect(hidden).toMatchObject({ phase: 'containment', hidden: true, hiddenReason: 'duplicate', version: 2 });
      const h = await reviewHistory(store, id, { entityType: 'timeline-event' });
      expect(h.map((c) => c.field)).toEqual(['*', 'keyMoment', '*']);
      expect(h[1]).toMatchObject({ before: false, after: true, actor: 'ben', version: 2 });
      expect(h[2]).toMatchObject({ after: null, actor: 'ana' });
      const content = await loadReviewContent(store, id);
      expect(content.annotations).toEqual([expect.objectContaining({ eventId: 'ev_0123456789ab', hidden: true, evidence: ['EDR isolation record'] })]);
      const audit = await store.db.selectFrom('auditLog').select(['action', 'entityType', 'entityId']).where('entityType', 'in', ['timeline-event', 'timeline-annotation']).orderBy('seq').execute();
      expect(audit).toEqual([
        { action: 'timeline.add', entityType: 'timeline-event', entityId: e.id },
        { action: 'timeline.edit', entityType: 'timeline-event', entityId: e.id },
        { action: 'timeline.delete', entityType: 'timeline-event', entityId: e.id },
        { action: 'timeline.annotate', entityType: 'timeline-annotation', entityId: `${id}/ev_0123456789ab` },
        { action: 'timeline.annotate', entityType: 'timeline-annotation', entityId: `${id}/ev_0123456789ab` },
      ]);
    } finally {
      await store.close();
    }
  });
}

describe('review use cases on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-review-'));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  reviewSuite(() => openStore({ db: join(dir, `review-${++n}.db`) }));
});

const postgres = await pgAvailable();
const runPostgres = requireOrSkip('PostgreSQL for the review use case tests', Boolean(postgres.url), postgres.reason);

describe.runIf(runPostgres)('review use cases on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_review');
  afterAll(() => schemas.dropAll());
  reviewSuite(() => openStore({ db: schemas.next() }));
});
