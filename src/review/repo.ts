import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, InputError, NotFoundError, UsageError } from '../model/errors.js';
import {
  ActionItemInputSchema,
  ActionItemPatchSchema,
  FindingInputSchema,
  FindingPatchSchema,
  ManualTimelineEventInputSchema,
  ManualTimelineEventPatchSchema,
  REVIEW_SECTIONS,
  TimelineAnnotationPatchSchema,
  type ActionItem,
  type ActionItemInput,
  type ActionItemPatch,
  type ActionStatus,
  type Finding,
  type FindingInput,
  type FindingPatch,
  type ManualTimelineEvent,
  type ManualTimelineEventInput,
  type ManualTimelineEventPatch,
  type ReviewAnswer,
  type ReviewChange,
  type ReviewEntityType,
  type ReviewRecord,
  type ReviewSection,
  type ReviewSectionKey,
  type ReviewState,
  type Sufficiency,
  type TimelineAnnotation,
  type TimelineAnnotationPatch,
} from '../model/review.js';
import type { Database } from '../store/schema.js';
import { computeCompleteness, type Completeness } from './completeness.js';
import { assertActionTransition, assertEditable, assertTransition, BLOCKS_CLOSE, isOverdue, LifecycleError, policyMaySet } from './lifecycle.js';
import type { PolicyDecision } from './policy.js';
import { QUESTION_IDS } from './questions.js';
import type { ReviewActionItemsTable, ReviewFindingsTable, ReviewsTable, ReviewTables, ReviewTimelineAnnotationsTable, ReviewTimelineEventsTable } from './repo-schema.js';

type DB = Database & ReviewTables;
type Tx = Transaction<DB>;

/** The actor recorded for changes the policy makes. */
export const POLICY_ACTOR = 'hindsight-policy';

export interface WriteOptions {
  /** Who makes the change. */
  actor: string;
  /** The version the writer based the change on; a different current version is a conflict. */
  expectedVersion?: number;
}

export interface ActionItemFilter {
  incidentId?: string;
  status?: ActionStatus[];
  overdue?: boolean;
  owner?: string;
  /** Only items exported to this tracker (`github`, `jira`); `null`: only items not exported. */
  externalSystem?: string | null;
}

export interface ExternalLink {
  externalSystem: string | null;
  externalKey: string | null;
  externalUrl: string | null;
  externalState: string | null;
  /** Defaults to now. */
  syncedAt?: string | null;
}

export interface ActionStatusChange {
  status: ActionStatus;
  /** Required for wont-do. */
  reason?: string;
  /** Required for verified: how it was verified, and the evidence. */
  verificationMethod?: string;
  verificationEvidence?: string;
}

/** Everything stored about one incident's review. */
export interface ReviewContent {
  review: ReviewRecord;
  sections: ReviewSection[];
  answers: ReviewAnswer[];
  manualEvents: ManualTimelineEvent[];
  annotations: TimelineAnnotation[];
  findings: Finding[];
  actions: ActionItem[];
}

let changeCounter = 0;

/**
 * The review workflow's storage: the same queries on SQLite and PostgreSQL. Every write runs in
 * one transaction that also records the change history, and is guarded by the row's version so
 * that of two writers who read the same version, the second is refused and nothing is lost.
 */
export class ReviewRepository {
  private readonly db: Kysely<DB>;
  private readonly now: () => Date;

  constructor(db: Kysely<Database>, options: { now?: () => Date } = {}) {
    this.db = db.withTables<ReviewTables>();
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The same repository working inside the caller's transaction: its writes join that transaction
   * instead of opening their own, so the caller can commit them together with other rows (the
   * audit trail's entry) or roll them all back.
   */
  within(trx: Kysely<Database>): ReviewRepository {
    if (!trx.isTransaction) throw new Error('ReviewRepository.within needs a transaction');
    return new ReviewRepository(trx, { now: this.now });
  }

  /** Runs a write in a transaction of its own, or in the caller's when the repository works inside one. */
  private transact<T>(work: (trx: Tx) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this.db as unknown as Tx);
    return this.db.transaction().execute(work);
  }

  // ---------------------------------------------------------------- review record and lifecycle

  async getReview(incidentId: string): Promise<ReviewRecord | undefined> {
    const row = await this.db.selectFrom('reviews').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
    return row ? toReview(row) : undefined;
  }

  /** The review record, or the one an unevaluated incident would have (state not-required, version 0). */
  async getReviewOrDefault(incidentId: string): Promise<ReviewRecord> {
    return (await this.getReview(incidentId)) ?? emptyReview(incidentId);
  }

  /**
   * Applies a policy decision: creates the review record, or moves required <-> not-required. A
   * review that has progressed (draft, in review, approved, waived) is left alone. Returns the state.
   */
  async applyPolicy(incidentId: string, decision: PolicyDecision): Promise<{ state: ReviewState; changed: boolean }> {
    return this.transact(async (trx) => {
      const current = await this.readReview(trx, incidentId);
      const target: ReviewState = decision.required ? 'required' : 'not-required';
      const requiredBy = decision.required ? decision.matched.map((m) => m.rule).join(', ') : null;
      if (!current) {
        await this.insertReview(trx, incidentId, target, requiredBy, POLICY_ACTOR);
        return { state: target, changed: true };
      }
      if (!policyMaySet(current.state) || (current.state === target && current.requiredBy === requiredBy)) return { state: current.state, changed: false };
      await this.updateReview(trx, current, { state: target, required_by: requiredBy }, { actor: POLICY_ACTOR });
      return { state: target, changed: current.state !== target };
    });
  }

  /**
   * The review records of incidents that have none yet, as the policy decided: one multi-row insert
   * per table for the whole list (an import creates thousands at once). Incidents that already have
   * a review record are left to `applyPolicy`; the caller passes only new ones, and a record that
   * appeared meanwhile is a conflict, as in `applyPolicy`.
   */
  async createReviewsByPolicy(decisions: ReadonlyArray<{ incidentId: string; decision: PolicyDecision }>): Promise<void> {
    if (decisions.length === 0) return;
    await this.transact(async (trx) => {
      const at = this.now().toISOString();
      const reviews: ReviewsTable[] = [];
      const changes: Array<Omit<ReviewChange, 'id'>> = [];
      for (const { incidentId, decision } of decisions) {
        const state: ReviewState = decision.required ? 'required' : 'not-required';
        const requiredBy = decision.required ? decision.matched.map((m) => m.rule).join(', ') : null;
        reviews.push(emptyReviewRow(incidentId, state, requiredBy, POLICY_ACTOR, at));
        changes.push({ incidentId, entityType: 'review', entityId: incidentId, field: 'state', before: null, after: state, actor: POLICY_ACTOR, at, version: 1 });
        if (requiredBy) changes.push({ incidentId, entityType: 'review', entityId: incidentId, field: 'requiredBy', before: null, after: requiredBy, actor: POLICY_ACTOR, at, version: 1 });
      }
      // 17 and 10 columns: chunks stay well under either database's limit on bound parameters.
      for (let i = 0; i < reviews.length; i += 500) await trx.insertInto('reviews').values(reviews.slice(i, i + 500)).execute();
      const rows = changes.map((c) => this.changeRow(c));
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('review_changes').values(rows.slice(i, i + 500)).execute();
    });
  }

  /** Marks a review required by hand (from not-required or waived). */
  async requireReview(incidentId: string, options: WriteOptions & { reason?: string }): Promise<ReviewRecord> {
    return this.transition(incidentId, 'required', options, { required_by: options.reason ? `manual: ${options.reason}` : 'manual', waiver_reason: null });
  }

  /** Starts the draft explicitly (edits start it too). */
  async startDraft(incidentId: string, options: WriteOptions): Promise<ReviewRecord> {
    return this.transition(incidentId, 'draft', options, {});
  }

  async submit(incidentId: string, options: WriteOptions): Promise<ReviewRecord> {
    const at = this.now().toISOString();
    return this.transition(incidentId, 'in-review', options, { submitted_by: options.actor, submitted_at: at });
  }

  /** Returns a submitted review to draft for more work. */
  async returnToDraft(incidentId: string, options: WriteOptions & { reason?: string }): Promise<ReviewRecord> {
    return this.transition(incidentId, 'draft', options, {});
  }

  /**
   * Approves a review in review. Requires 100% completeness unless `overrideIncomplete` gives the
   * reason (recorded). The approver's sufficiency judgement is recorded; `insufficient` needs notes.
   */
  async approve(
    incidentId: string,
    options: WriteOptions & { sufficiency: Sufficiency; notes?: string; overrideIncomplete?: string },
  ): Promise<ReviewRecord> {
    if (options.sufficiency === 'insufficient' && !options.notes?.trim()) {
      throw new UsageError('an "insufficient" judgement needs notes saying what was missing (--notes)');
    }
    return this.transact(async (trx) => {
      const completeness = await this.completenessIn(trx, incidentId);
      if (!completeness.complete && !options.overrideIncomplete?.trim()) {
        const missing = completeness.parts.flatMap((p) => p.missing);
        throw new LifecycleError(
          `the review is ${completeness.score}% complete and cannot be approved yet: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''} (or approve with an override reason)`,
        );
      }
      const at = this.now().toISOString();
      return this.transitionIn(trx, incidentId, 'approved', options, {
        approved_by: options.actor,
        approved_at: at,
        sufficiency: options.sufficiency,
        sufficiency_notes: options.notes?.trim() || null,
        completeness_override: completeness.complete ? null : (options.overrideIncomplete?.trim() ?? null),
      });
    });
  }

  async waive(incidentId: string, options: WriteOptions & { reason: string }): Promise<ReviewRecord> {
    if (!options.reason?.trim()) throw new UsageError('waiving a review needs a reason (--reason)');
    return this.transition(incidentId, 'waived', options, { waiver_reason: options.reason.trim() });
  }

  /** Reopens an approved or waived review as a draft. */
  async reopen(incidentId: string, options: WriteOptions & { reason?: string }): Promise<ReviewRecord> {
    return this.transition(incidentId, 'draft', options, { approved_by: null, approved_at: null, sufficiency: null, sufficiency_notes: null, completeness_override: null, waiver_reason: null });
  }

  /**
   * Closes the incident on Hindsight's side (recorded). Refused while its review is required,
   * in draft or in review.
   */
  async closeIncident(incidentId: string, options: WriteOptions & { reason?: string }): Promise<ReviewRecord> {
    return this.transact(async (trx) => {
      const current = (await this.readReview(trx, incidentId)) ?? emptyReview(incidentId);
      if (BLOCKS_CLOSE.includes(current.state)) {
        throw new LifecycleError(
          `incident ${incidentId} cannot be closed: its post-incident review is ${current.state}${current.requiredBy ? ` (required by ${current.requiredBy})` : ''}; approve or waive the review first`,
        );
      }
      if (current.closedAt) throw new LifecycleError(`incident ${incidentId} was already closed by ${current.closedBy ?? 'someone'} at ${current.closedAt}`);
      const at = this.now().toISOString();
      const review = current.version === 0 ? await this.insertReview(trx, incidentId, current.state, null, options.actor) : current;
      return this.updateReview(trx, review, { closed_at: at, closed_by: options.actor, close_reason: options.reason?.trim() || null }, options);
    });
  }

  private async transition(incidentId: string, to: ReviewState, options: WriteOptions, fields: Partial<ReviewsTable>): Promise<ReviewRecord> {
    return this.transact((trx) => this.transitionIn(trx, incidentId, to, options, fields));
  }

  private async transitionIn(trx: Tx, incidentId: string, to: ReviewState, options: WriteOptions, fields: Partial<ReviewsTable>): Promise<ReviewRecord> {
    let current = await this.readReview(trx, incidentId);
    if (!current) current = await this.insertReview(trx, incidentId, 'not-required', null, options.actor);
    checkVersion('the review', current.version, options.expectedVersion, current.updatedBy, current.updatedAt);
    assertTransition(current.state, to);
    return this.updateReview(trx, current, { ...fields, state: to }, options);
  }

  private async readReview(trx: Tx | Kysely<DB>, incidentId: string): Promise<ReviewRecord | undefined> {
    const row = await trx.selectFrom('reviews').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
    return row ? toReview(row) : undefined;
  }

  private async insertReview(trx: Tx, incidentId: string, state: ReviewState, requiredBy: string | null, actor: string): Promise<ReviewRecord> {
    const at = this.now().toISOString();
    const incident = await trx.selectFrom('incidents').select('id').where('id', '=', incidentId).executeTakeFirst();
    if (!incident) throw new NotFoundError(`no incident "${incidentId}"`);
    const row = emptyReviewRow(incidentId, state, requiredBy, actor, at);
    const inserted = await trx.insertInto('reviews').values(row).onConflict((oc) => oc.column('incident_id').doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const other = await this.readReview(trx, incidentId);
      throw new ConflictError(`the review of ${incidentId} was created by ${other?.updatedBy ?? 'another writer'} at ${other?.updatedAt ?? 'the same time'}; try again`);
    }
    await this.record(trx, { incidentId, entityType: 'review', entityId: incidentId, field: 'state', before: null, after: state, actor, at, version: 1 });
    if (requiredBy) await this.record(trx, { incidentId, entityType: 'review', entityId: incidentId, field: 'requiredBy', before: null, after: requiredBy, actor, at, version: 1 });
    return toReview(row);
  }

  /** Guarded update of the review record (where version = current), with a change per field. */
  private async updateReview(trx: Tx, current: ReviewRecord, fields: Partial<ReviewsTable>, options: WriteOptions): Promise<ReviewRecord> {
    const at = this.now().toISOString();
    const version = current.version + 1;
    const result = await trx
      .updateTable('reviews')
      .set({ ...fields, version, updated_by: options.actor, updated_at: at })
      .where('incident_id', '=', current.incidentId)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw await this.conflictOnReview(trx, current.incidentId, current.version);
    const before = fromReview(current);
    for (const [key, value] of Object.entries(fields)) {
      const prior = before[key as keyof ReviewsTable];
      if (prior === value) continue;
      await this.record(trx, { incidentId: current.incidentId, entityType: 'review', entityId: current.incidentId, field: camel(key), before: prior, after: value, actor: options.actor, at, version });
    }
    const row = await trx.selectFrom('reviews').selectAll().where('incident_id', '=', current.incidentId).executeTakeFirstOrThrow();
    return toReview(row);
  }

  private async conflictOnReview(trx: Tx, incidentId: string, basedOn: number): Promise<ConflictError> {
    const now = await this.readReview(trx, incidentId);
    return conflict('the review', basedOn, now?.version ?? basedOn, now?.updatedBy ?? null, now?.updatedAt ?? null);
  }

  /** Editing content starts the draft of a review that has not started, and is refused once approved or waived. */
  private async beginEdit(trx: Tx, incidentId: string, actor: string): Promise<ReviewRecord> {
    let review = await this.readReview(trx, incidentId);
    if (!review) review = await this.insertReview(trx, incidentId, 'not-required', null, actor);
    assertEditable(review.state);
    if (review.state === 'required' || review.state === 'not-required') {
      review = await this.updateReview(trx, review, { state: 'draft' }, { actor });
    }
    return review;
  }

  // ---------------------------------------------------------------- sections and answers

  async listSections(incidentId: string): Promise<ReviewSection[]> {
    const rows = await this.db.selectFrom('review_sections').selectAll().where('incident_id', '=', incidentId).execute();
    return rows
      .map((r) => ({ key: r.section as ReviewSectionKey, body: r.body, source: r.source as ReviewSection['source'], version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at }))
      .sort((a, b) => REVIEW_SECTIONS.indexOf(a.key) - REVIEW_SECTIONS.indexOf(b.key));
  }

  /** Writes a section (`source` person unless stated). Version 0 means "not written yet". */
  async saveSection(incidentId: string, key: ReviewSectionKey, body: string, options: WriteOptions & { source?: ReviewSection['source'] }): Promise<ReviewSection> {
    if (!REVIEW_SECTIONS.includes(key)) throw new UsageError(`unknown section "${key}" (sections: ${REVIEW_SECTIONS.join(', ')})`);
    const source = options.source ?? 'person';
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const current = await trx.selectFrom('review_sections').selectAll().where('incident_id', '=', incidentId).where('section', '=', key).executeTakeFirst();
      const label = `section ${key}`;
      checkVersion(label, current?.version ?? 0, options.expectedVersion, current?.updated_by ?? null, current?.updated_at ?? null);
      const at = this.now().toISOString();
      const version = (current?.version ?? 0) + 1;
      if (!current) {
        const ins = await trx
          .insertInto('review_sections')
          .values({ incident_id: incidentId, section: key, body, source, version, updated_by: options.actor, updated_at: at })
          .onConflict((oc) => oc.columns(['incident_id', 'section']).doNothing())
          .executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 0) {
          const other = await trx.selectFrom('review_sections').selectAll().where('incident_id', '=', incidentId).where('section', '=', key).executeTakeFirstOrThrow();
          throw conflict(label, 0, other.version, other.updated_by, other.updated_at);
        }
      } else {
        const upd = await trx
          .updateTable('review_sections')
          .set({ body, source, version, updated_by: options.actor, updated_at: at })
          .where('incident_id', '=', incidentId)
          .where('section', '=', key)
          .where('version', '=', current.version)
          .executeTakeFirst();
        if (Number(upd.numUpdatedRows) === 0) {
          const other = await trx.selectFrom('review_sections').selectAll().where('incident_id', '=', incidentId).where('section', '=', key).executeTakeFirstOrThrow();
          throw conflict(label, current.version, other.version, other.updated_by, other.updated_at);
        }
      }
      await this.record(trx, { incidentId, entityType: 'section', entityId: key, field: 'body', before: current?.body ?? null, after: body, actor: options.actor, at, version });
      if ((current?.source ?? null) !== source) {
        await this.record(trx, { incidentId, entityType: 'section', entityId: key, field: 'source', before: current?.source ?? null, after: source, actor: options.actor, at, version });
      }
      return { key, body, source, version, updatedBy: options.actor, updatedAt: at };
    });
  }

  async listAnswers(incidentId: string): Promise<ReviewAnswer[]> {
    const rows = await this.db.selectFrom('review_answers').selectAll().where('incident_id', '=', incidentId).execute();
    return rows
      .map((r) => ({ questionId: r.question_id, answer: r.answer, version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at }))
      .sort((a, b) => QUESTION_IDS.indexOf(a.questionId) - QUESTION_IDS.indexOf(b.questionId));
  }

  async saveAnswer(incidentId: string, questionId: string, answer: string, options: WriteOptions): Promise<ReviewAnswer> {
    if (!QUESTION_IDS.includes(questionId)) throw new UsageError(`unknown question "${questionId}" (questions: ${QUESTION_IDS.join(', ')})`);
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const read = () => trx.selectFrom('review_answers').selectAll().where('incident_id', '=', incidentId).where('question_id', '=', questionId).executeTakeFirst();
      const current = await read();
      const label = `the answer to question ${questionId}`;
      checkVersion(label, current?.version ?? 0, options.expectedVersion, current?.updated_by ?? null, current?.updated_at ?? null);
      const at = this.now().toISOString();
      const version = (current?.version ?? 0) + 1;
      const res = current
        ? await trx
            .updateTable('review_answers')
            .set({ answer, version, updated_by: options.actor, updated_at: at })
            .where('incident_id', '=', incidentId)
            .where('question_id', '=', questionId)
            .where('version', '=', current.version)
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows))
        : await trx
            .insertInto('review_answers')
            .values({ incident_id: incidentId, question_id: questionId, answer, version, updated_by: options.actor, updated_at: at })
            .onConflict((oc) => oc.columns(['incident_id', 'question_id']).doNothing())
            .executeTakeFirst()
            .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0n));
      if (res === 0) {
        const other = await read();
        throw conflict(label, current?.version ?? 0, other?.version ?? 0, other?.updated_by ?? null, other?.updated_at ?? null);
      }
      await this.record(trx, { incidentId, entityType: 'answer', entityId: questionId, field: 'answer', before: current?.answer ?? null, after: answer, actor: options.actor, at, version });
      return { questionId, answer, version, updatedBy: options.actor, updatedAt: at };
    });
  }

  // ---------------------------------------------------------------- timeline

  async listManualEvents(incidentId: string): Promise<ManualTimelineEvent[]> {
    const rows = await this.db.selectFrom('review_timeline_events').selectAll().where('incident_id', '=', incidentId).orderBy('at').orderBy('id').execute();
    return rows.map(toManualEvent);
  }

  async addManualEvent(incidentId: string, input: ManualTimelineEventInput, options: WriteOptions): Promise<ManualTimelineEvent> {
    const data = parseInput(ManualTimelineEventInputSchema, input, 'timeline event');
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const at = this.now().toISOString();
      const row: ReviewTimelineEventsTable = {
        id: newId('tle'),
        incident_id: incidentId,
        at: new Date(data.at).toISOString(),
        title: data.title,
        detail: data.detail,
        phase: data.phase,
        key_moment: data.keyMoment ? 1 : 0,
        actor: data.actor,
        techniques: JSON.stringify(data.techniques),
        evidence: JSON.stringify(data.evidence),
        version: 1,
        created_by: options.actor,
        created_at: at,
        updated_by: options.actor,
        updated_at: at,
      };
      await trx.insertInto('review_timeline_events').values(row).execute();
      const event = toManualEvent(row);
      await this.record(trx, { incidentId, entityType: 'timeline-event', entityId: row.id, field: '*', before: null, after: contentOf(event), actor: options.actor, at, version: 1 });
      return event;
    });
  }

  async editManualEvent(incidentId: string, eventId: string, patch: ManualTimelineEventPatch, options: WriteOptions): Promise<ManualTimelineEvent> {
    const data = parseInput(ManualTimelineEventPatchSchema, patch, 'timeline event');
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const current = await this.readManualEvent(trx, incidentId, eventId);
      const next: ManualTimelineEvent = { ...current, ...definedOnly(data) };
      if (data.at) next.at = new Date(data.at).toISOString();
      return this.guardedUpdate(trx, {
        table: 'review_timeline_events',
        label: `timeline event ${eventId}`,
        incidentId,
        entityType: 'timeline-event',
        entityId: eventId,
        current,
        next,
        fields: ['at', 'title', 'detail', 'phase', 'keyMoment', 'actor', 'techniques', 'evidence'],
        toRow: (e) => ({ at: e.at, title: e.title, detail: e.detail, phase: e.phase, key_moment: e.keyMoment ? 1 : 0, actor: e.actor, techniques: JSON.stringify(e.techniques), evidence: JSON.stringify(e.evidence) }),
        options,
      });
    });
  }

  async deleteManualEvent(incidentId: string, eventId: string, options: WriteOptions): Promise<void> {
    await this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const current = await this.readManualEvent(trx, incidentId, eventId);
      checkVersion(`timeline event ${eventId}`, current.version, options.expectedVersion, current.updatedBy, current.updatedAt);
      const res = await trx.deleteFrom('review_timeline_events').where('id', '=', eventId).where('version', '=', current.version).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) {
        const other = await trx.selectFrom('review_timeline_events').selectAll().where('id', '=', eventId).executeTakeFirst();
        throw conflict(`timeline event ${eventId}`, current.version, other?.version ?? current.version, other?.updated_by ?? null, other?.updated_at ?? null);
      }
      const at = this.now().toISOString();
      await this.record(trx, { incidentId, entityType: 'timeline-event', entityId: eventId, field: '*', before: contentOf(current), after: null, actor: options.actor, at, version: current.version + 1 });
    });
  }

  private async readManualEvent(trx: Tx, incidentId: string, eventId: string): Promise<ManualTimelineEvent> {
    const row = await trx.selectFrom('review_timeline_events').selectAll().where('id', '=', eventId).where('incident_id', '=', incidentId).executeTakeFirst();
    if (!row) throw new NotFoundError(`no hand-written timeline event "${eventId}" in incident ${incidentId}${eventId.startsWith('ev_') ? ' (events built from data cannot be edited or deleted, only annotated)' : ''}`);
    return toManualEvent(row);
  }

  async listAnnotations(incidentId: string): Promise<TimelineAnnotation[]> {
    const rows = await this.db.selectFrom('review_timeline_annotations').selectAll().where('incident_id', '=', incidentId).execute();
    return rows.map(toAnnotation);
  }

  /**
   * Annotates an event derived from the data (phase tag, key moment, hidden with a reason, note,
   * evidence). The caller checks that `eventId` is an event of the incident's derived timeline.
   */
  async annotateEvent(incidentId: string, eventId: string, patch: TimelineAnnotationPatch, options: WriteOptions): Promise<TimelineAnnotation> {
    const data = parseInput(TimelineAnnotationPatchSchema, patch, 'annotation');
    if (data.hidden && !data.hiddenReason?.trim()) throw new UsageError('hiding an event needs a reason');
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const row = await trx.selectFrom('review_timeline_annotations').selectAll().where('incident_id', '=', incidentId).where('event_id', '=', eventId).executeTakeFirst();
      const at = this.now().toISOString();
      const current: TimelineAnnotation = row
        ? toAnnotation(row)
        : { incidentId, eventId, phase: null, keyMoment: null, hidden: false, hiddenReason: null, note: null, evidence: [], version: 0, updatedBy: options.actor, updatedAt: at };
      const next: TimelineAnnotation = { ...current, ...definedOnly(data) };
      if (data.hidden === false) next.hiddenReason = null;
      const toRow = (a: TimelineAnnotation): Omit<ReviewTimelineAnnotationsTable, 'incident_id' | 'event_id' | 'version' | 'updated_by' | 'updated_at'> => ({
        phase: a.phase,
        key_moment: a.keyMoment === null ? null : a.keyMoment ? 1 : 0,
        hidden: a.hidden ? 1 : 0,
        hidden_reason: a.hiddenReason,
        note: a.note,
        evidence: JSON.stringify(a.evidence),
      });
      if (!row) {
        checkVersion(`the annotation of event ${eventId}`, 0, options.expectedVersion, null, null);
        const ins = await trx
          .insertInto('review_timeline_annotations')
          .values({ incident_id: incidentId, event_id: eventId, ...toRow(next), version: 1, updated_by: options.actor, updated_at: at })
          .onConflict((oc) => oc.columns(['incident_id', 'event_id']).doNothing())
          .executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0n) === 0) {
          const other = await trx.selectFrom('review_timeline_annotations').selectAll().where('incident_id', '=', incidentId).where('event_id', '=', eventId).executeTakeFirstOrThrow();
          throw conflict(`the annotation of event ${eventId}`, 0, other.version, other.updated_by, other.updated_at);
        }
        for (const field of ['phase', 'keyMoment', 'hidden', 'hiddenReason', 'note', 'evidence'] as const) {
          if (JSON.stringify(current[field]) !== JSON.stringify(next[field])) {
            await this.record(trx, { incidentId, entityType: 'timeline-annotation', entityId: eventId, field, before: current[field], after: next[field], actor: options.actor, at, version: 1 });
          }
        }
        return { ...next, version: 1, updatedBy: options.actor, updatedAt: at };
      }
      return this.guardedUpdate(trx, {
        table: 'review_timeline_annotations',
        label: `the annotation of event ${eventId}`,
        incidentId,
        entityType: 'timeline-annotation',
        entityId: eventId,
        current,
        next,
        fields: ['phase', 'keyMoment', 'hidden', 'hiddenReason', 'note', 'evidence'],
        toRow,
        options,
        where: { incident_id: incidentId, event_id: eventId },
      });
    });
  }

  // ---------------------------------------------------------------- findings

  async listFindings(incidentId: string): Promise<Finding[]> {
    const rows = await this.db.selectFrom('review_findings').selectAll().where('incident_id', '=', incidentId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toFinding);
  }

  async getFinding(id: string): Promise<Finding | undefined> {
    const row = await this.db.selectFrom('review_findings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toFinding(row) : undefined;
  }

  async addFinding(incidentId: string, input: FindingInput, options: WriteOptions): Promise<Finding> {
    const data = parseInput(FindingInputSchema, input, 'finding');
    return this.transact(async (trx) => {
      await this.beginEdit(trx, incidentId, options.actor);
      const at = this.now().toISOString();
      const row: ReviewFindingsTable = {
        id: newId('fnd'),
        incident_id: incidentId,
        ...findingRow({ ...data }),
        version: 1,
        created_by: options.actor,
        created_at: at,
        updated_by: options.actor,
        updated_at: at,
      };
      await trx.insertInto('review_findings').values(row).execute();
      const finding = toFinding(row);
      await this.record(trx, { incidentId, entityType: 'finding', entityId: row.id, field: '*', before: null, after: contentOf(finding), actor: options.actor, at, version: 1 });
      return finding;
    });
  }

  async editFinding(id: string, patch: FindingPatch, options: WriteOptions): Promise<Finding> {
    const data = parseInput(FindingPatchSchema, patch, 'finding');
    return this.transact(async (trx) => {
      const row = await trx.selectFrom('review_findings').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`no finding "${id}"`);
      await this.beginEdit(trx, row.incident_id, options.actor);
      const current = toFinding(row);
      const next: Finding = { ...current, ...definedOnly(data) };
      return this.guardedUpdate(trx, {
        table: 'review_findings',
        label: `finding ${id}`,
        incidentId: row.incident_id,
        entityType: 'finding',
        entityId: id,
        current,
        next,
        fields: ['category', 'title', 'description', 'severity', 'contributingFactors', 'timelineEventIds', 'techniques', 'evidence', 'acceptedRisk'],
        toRow: findingRow,
        options,
      });
    });
  }

  // ---------------------------------------------------------------- action items

  /** Action items across all incidents (or one), oldest first; `overdue` is computed against today. */
  async listActionItems(filter: ActionItemFilter = {}): Promise<ActionItem[]> {
    let q = this.db.selectFrom('review_action_items').selectAll();
    if (filter.incidentId) q = q.where('incident_id', '=', filter.incidentId);
    if (filter.status?.length) q = q.where('status', 'in', filter.status);
    if (filter.owner) q = q.where('owner', '=', filter.owner);
    if (filter.externalSystem === null) q = q.where('external_system', 'is', null);
    else if (filter.externalSystem) q = q.where('external_system', '=', filter.externalSystem);
    if (filter.overdue) {
      const today = this.now().toISOString().slice(0, 10);
      q = q.where('due_date', '<', today).where('status', 'not in', ['done', 'verified', 'wont-do']);
    }
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    const now = this.now();
    return rows.map((r) => toActionItem(r, now));
  }

  async getActionItem(id: string): Promise<ActionItem | undefined> {
    const row = await this.db.selectFrom('review_action_items').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toActionItem(row, this.now()) : undefined;
  }

  async addActionItem(incidentId: string, input: ActionItemInput, options: WriteOptions): Promise<ActionItem> {
    const data = parseInput(ActionItemInputSchema, input, 'action item');
    return this.transact(async (trx) => {
      const review = (await this.readReview(trx, incidentId)) ?? (await this.insertReview(trx, incidentId, 'not-required', null, options.actor));
      void review;
      if (data.findingId) await this.assertFindingOf(trx, data.findingId, incidentId);
      const at = this.now().toISOString();
      const row: ReviewActionItemsTable = {
        id: newId('act'),
        incident_id: incidentId,
        finding_id: data.findingId,
        type: data.type,
        title: data.title,
        description: data.description,
        owner: data.owner,
        team: data.team,
        due_date: data.dueDate,
        priority: data.priority,
        status: 'open',
        wont_do_reason: null,
        closure_criteria: data.closureCriteria,
        verified_by: null,
        verified_at: null,
        verification_method: null,
        verification_evidence: null,
        external_system: null,
        external_key: null,
        external_url: null,
        external_state: null,
        synced_at: null,
        version: 1,
        created_by: options.actor,
        created_at: at,
        updated_by: options.actor,
        updated_at: at,
      };
      await trx.insertInto('review_action_items').values(row).execute();
      const item = toActionItem(row, this.now());
      await this.record(trx, { incidentId, entityType: 'action-item', entityId: row.id, field: '*', before: null, after: contentOf(item), actor: options.actor, at, version: 1 });
      return item;
    });
  }

  /** Changes an action item's fields (not its status: see `moveActionItem`). */
  async updateActionItem(id: string, patch: ActionItemPatch, options: WriteOptions): Promise<ActionItem> {
    const data = parseInput(ActionItemPatchSchema, patch, 'action item');
    return this.transact(async (trx) => {
      const current = await this.readActionItem(trx, id);
      if (data.findingId) await this.assertFindingOf(trx, data.findingId, current.incidentId);
      const next: ActionItem = { ...current, ...definedOnly(data) };
      return this.writeActionItem(trx, current, next, ['type', 'title', 'description', 'findingId', 'owner', 'team', 'dueDate', 'priority', 'closureCriteria'], options);
    });
  }

  /** Moves an action item through its lifecycle; wont-do needs a reason, verified needs how and evidence. */
  async moveActionItem(id: string, change: ActionStatusChange, options: WriteOptions): Promise<ActionItem> {
    return this.transact((trx) => this.moveActionItemIn(trx, id, change, options));
  }

  private async moveActionItemIn(trx: Tx, id: string, change: ActionStatusChange, options: WriteOptions): Promise<ActionItem> {
    const current = await this.readActionItem(trx, id);
    checkVersion(`action item ${id}`, current.version, options.expectedVersion, current.updatedBy, current.updatedAt);
    assertActionTransition(current.status, change.status);
    const next: ActionItem = { ...current, status: change.status };
    if (change.status === 'wont-do') {
      if (!change.reason?.trim()) throw new UsageError(`moving action item ${id} to wont-do needs a reason`);
      next.wontDoReason = change.reason.trim();
    } else next.wontDoReason = null;
    if (change.status === 'verified') {
      if (!change.verificationMethod?.trim() || !change.verificationEvidence?.trim()) {
        throw new UsageError(`verifying action item ${id} needs how it was verified and the evidence`);
      }
      next.verifiedBy = options.actor;
      next.verifiedAt = this.now().toISOString();
      next.verificationMethod = change.verificationMethod.trim();
      next.verificationEvidence = change.verificationEvidence.trim();
    } else if (current.status === 'done' || current.status === 'verified') {
      next.verifiedBy = null;
      next.verifiedAt = null;
      next.verificationMethod = null;
      next.verificationEvidence = null;
    }
    return this.writeActionItem(trx, current, next, ['status', 'wontDoReason', 'verifiedBy', 'verifiedAt', 'verificationMethod', 'verificationEvidence'], options);
  }

  /** Records where an action item lives in an external tracker (GitHub, Jira) and its last synced state. */
  async updateActionItemExternal(id: string, link: ExternalLink, options: WriteOptions = { actor: 'hindsight-sync' }): Promise<ActionItem> {
    return this.transact(async (trx) => {
      const current = await this.readActionItem(trx, id);
      const next: ActionItem = {
        ...current,
        externalSystem: link.externalSystem,
        externalKey: link.externalKey,
        externalUrl: link.externalUrl,
        externalState: link.externalState,
        syncedAt: link.syncedAt === undefined ? this.now().toISOString() : link.syncedAt,
      };
      return this.writeActionItem(trx, current, next, ['externalSystem', 'externalKey', 'externalUrl', 'externalState', 'syncedAt'], options);
    });
  }

  /**
   * Applies a status seen in an external tracker, through the normal lifecycle and history: moves
   * the item to `status` when the lifecycle allows it (no-op when already there).
   */
  async applyExternalState(id: string, status: ActionStatus, by: string, extra: Omit<ActionStatusChange, 'status'> = {}): Promise<ActionItem> {
    return this.transact(async (trx) => {
      const current = await this.readActionItem(trx, id);
      if (current.status === status) return current;
      return this.moveActionItemIn(trx, id, { status, ...extra, reason: extra.reason ?? (status === 'wont-do' ? `closed as not planned in ${current.externalSystem ?? 'the tracker'}` : undefined) }, { actor: by });
    });
  }

  private async readActionItem(trx: Tx, id: string): Promise<ActionItem> {
    const row = await trx.selectFrom('review_action_items').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no action item "${id}" (run \`hindsight actions list\` to list them)`);
    return toActionItem(row, this.now());
  }

  private async assertFindingOf(trx: Tx, findingId: string, incidentId: string): Promise<void> {
    const f = await trx.selectFrom('review_findings').select(['id', 'incident_id']).where('id', '=', findingId).executeTakeFirst();
    if (!f) throw new NotFoundError(`no finding "${findingId}"`);
    if (f.incident_id !== incidentId) throw new UsageError(`finding ${findingId} belongs to incident ${f.incident_id}, not ${incidentId}`);
  }

  private writeActionItem(trx: Tx, current: ActionItem, next: ActionItem, fields: (keyof ActionItem)[], options: WriteOptions): Promise<ActionItem> {
    return this.guardedUpdate(trx, {
      table: 'review_action_items',
      label: `action item ${current.id}`,
      incidentId: current.incidentId,
      entityType: 'action-item',
      entityId: current.id,
      current,
      next,
      fields,
      toRow: (a) => ({
        finding_id: a.findingId,
        type: a.type,
        title: a.title,
        description: a.description,
        owner: a.owner,
        team: a.team,
        due_date: a.dueDate,
        priority: a.priority,
        status: a.status,
        wont_do_reason: a.wontDoReason,
        closure_criteria: a.closureCriteria,
        verified_by: a.verifiedBy,
        verified_at: a.verifiedAt,
        verification_method: a.verificationMethod,
        verification_evidence: a.verificationEvidence,
        external_system: a.externalSystem,
        external_key: a.externalKey,
        external_url: a.externalUrl,
        external_state: a.externalState,
        synced_at: a.syncedAt,
      }),
      options,
    }).then((item) => ({ ...item, overdue: isOverdue(item, this.now()) }));
  }

  // ---------------------------------------------------------------- history and the whole review

  async history(incidentId: string, filter: { entityType?: ReviewEntityType; entityId?: string } = {}): Promise<ReviewChange[]> {
    let q = this.db.selectFrom('review_changes').selectAll().where('incident_id', '=', incidentId);
    if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
    if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      incidentId: r.incident_id,
      entityType: r.entity_type as ReviewEntityType,
      entityId: r.entity_id,
      field: r.field,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      actor: r.actor,
      at: r.at,
      version: r.version,
    }));
  }

  async loadContent(incidentId: string): Promise<ReviewContent> {
    const [review, sections, answers, manualEvents, annotations, findings, actions] = await Promise.all([
      this.getReviewOrDefault(incidentId),
      this.listSections(incidentId),
      this.listAnswers(incidentId),
      this.listManualEvents(incidentId),
      this.listAnnotations(incidentId),
      this.listFindings(incidentId),
      this.listActionItems({ incidentId }),
    ]);
    return { review, sections, answers, manualEvents, annotations, findings, actions };
  }

  /** Completeness from what is stored (generated, unconfirmed sections count as missing). */
  async completeness(incidentId: string): Promise<Completeness> {
    return this.completenessIn(this.db, incidentId);
  }

  private async completenessIn(trx: Tx | Kysely<DB>, incidentId: string): Promise<Completeness> {
    const [sections, answers, findings, actions] = await Promise.all([
      trx.selectFrom('review_sections').select(['section', 'body', 'source']).where('incident_id', '=', incidentId).execute(),
      trx.selectFrom('review_answers').select(['question_id', 'answer']).where('incident_id', '=', incidentId).execute(),
      trx.selectFrom('review_findings').select(['id', 'title', 'accepted_risk']).where('incident_id', '=', incidentId).execute(),
      trx.selectFrom('review_action_items').select(['finding_id', 'status']).where('incident_id', '=', incidentId).execute(),
    ]);
    return computeCompleteness({
      answers: Object.fromEntries(answers.map((a) => [a.question_id, a.answer])),
      sections: sections.map((s) => ({ key: s.section as ReviewSectionKey, body: s.body, source: s.source as 'person' | 'generated' })),
      findings: findings.map((f) => ({ id: f.id, title: f.title, acceptedRisk: f.accepted_risk })),
      actions: actions.map((a) => ({ findingId: a.finding_id, status: a.status })),
    });
  }

  // ---------------------------------------------------------------- internals

  /**
   * Updates one row `where version = current.version`, records one change per changed field, and
   * returns the new state. Zero rows updated means another writer got there first: a conflict.
   */
  private async guardedUpdate<T extends { version: number; updatedBy: string; updatedAt: string }>(
    trx: Tx,
    spec: {
      table: 'review_timeline_events' | 'review_timeline_annotations' | 'review_findings' | 'review_action_items';
      label: string;
      incidentId: string;
      entityType: ReviewEntityType;
      entityId: string;
      current: T;
      next: T;
      fields: (keyof T)[];
      toRow: (value: T) => Record<string, unknown>;
      options: WriteOptions;
      where?: Record<string, string>;
    },
  ): Promise<T> {
    const { current, next, options } = spec;
    checkVersion(spec.label, current.version, options.expectedVersion, current.updatedBy, current.updatedAt);
    const changed = spec.fields.filter((f) => JSON.stringify(current[f]) !== JSON.stringify(next[f]));
    if (changed.length === 0) return current;
    const at = this.now().toISOString();
    const version = current.version + 1;
    const where = spec.where ?? { id: spec.entityId };
    // The table union makes Kysely's column types unresolvable here; the row comes from toRow, typed per table.
    let q = trx.updateTable(spec.table as 'review_findings').set({ ...(spec.toRow(next) as Partial<ReviewFindingsTable>), version, updated_by: options.actor, updated_at: at });
    for (const [column, value] of Object.entries(where)) q = q.where(column as 'id', '=', value);
    const res = await q.where('version', '=', current.version).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      let read = trx.selectFrom(spec.table as 'review_findings').select(['version', 'updated_by', 'updated_at']);
      for (const [column, value] of Object.entries(where)) read = read.where(column as 'id', '=', value);
      const other = await read.executeTakeFirst();
      throw conflict(spec.label, current.version, other?.version ?? current.version, other?.updated_by ?? null, other?.updated_at ?? null);
    }
    for (const f of changed) {
      await this.record(trx, { incidentId: spec.incidentId, entityType: spec.entityType, entityId: spec.entityId, field: String(f), before: current[f], after: next[f], actor: options.actor, at, version });
    }
    return { ...next, version, updatedBy: options.actor, updatedAt: at };
  }

  private async record(trx: Tx, c: Omit<ReviewChange, 'id'>): Promise<void> {
    await trx.insertInto('review_changes').values(this.changeRow(c)).execute();
  }

  private changeRow(c: Omit<ReviewChange, 'id'>) {
    return {
      id: changeId(this.now()),
      incident_id: c.incidentId,
      entity_type: c.entityType,
      entity_id: c.entityId,
      field: c.field,
      before: c.before === null || c.before === undefined ? null : JSON.stringify(c.before),
      after: c.after === null || c.after === undefined ? null : JSON.stringify(c.after),
      actor: c.actor,
      at: c.at,
      version: c.version,
    };
  }
}

// ------------------------------------------------------------------ helpers

/** A review record at version 1, as the policy or a first edit creates it. */
function emptyReviewRow(incidentId: string, state: ReviewState, requiredBy: string | null, actor: string, at: string): ReviewsTable {
  return {
    incident_id: incidentId,
    state,
    required_by: requiredBy,
    waiver_reason: null,
    submitted_by: null,
    submitted_at: null,
    approved_by: null,
    approved_at: null,
    sufficiency: null,
    sufficiency_notes: null,
    completeness_override: null,
    closed_at: null,
    closed_by: null,
    close_reason: null,
    version: 1,
    updated_by: actor,
    updated_at: at,
  };
}

function checkVersion(label: string, current: number, expected: number | undefined, by: string | null, at: string | null): void {
  if (expected === undefined || expected === current) return;
  throw conflict(label, expected, current, by, at);
}

function conflict(label: string, basedOn: number, now: number, by: string | null, at: string | null): ConflictError {
  return new ConflictError(
    `${label} was changed by ${by ?? 'another writer'}${at ? ` at ${at}` : ''} since version ${basedOn} (it is now version ${now}); nothing was written: reload it and apply your change again`,
  );
}

function parseInput<S extends { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }>(
  schema: S,
  value: unknown,
  what: string,
): Extract<ReturnType<S['safeParse']>, { success: true }>['data'] {
  const result = schema.safeParse(value);
  if (result.success) return result.data as Extract<ReturnType<S['safeParse']>, { success: true }>['data'];
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  throw new InputError(`${what}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path: path || undefined });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function contentOf(value: object): Record<string, unknown> {
  const { version: _v, createdBy: _cb, createdAt: _ca, updatedBy: _ub, updatedAt: _ua, overdue: _o, ...rest } = value as Record<string, unknown>;
  return rest;
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Sortable change ids: time, then a per-process counter, then randomness. */
function changeId(now: Date): string {
  changeCounter = (changeCounter + 1) % 1_000_000;
  return `chg_${String(now.getTime()).padStart(14, '0')}_${String(changeCounter).padStart(6, '0')}_${randomBytes(3).toString('hex')}`;
}

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

function emptyReview(incidentId: string): ReviewRecord {
  return {
    incidentId,
    state: 'not-required',
    requiredBy: null,
    waiverReason: null,
    submittedBy: null,
    submittedAt: null,
    approvedBy: null,
    approvedAt: null,
    sufficiency: null,
    sufficiencyNotes: null,
    completenessOverride: null,
    closedAt: null,
    closedBy: null,
    closeReason: null,
    version: 0,
    updatedBy: null,
    updatedAt: null,
  };
}

function toReview(r: ReviewsTable): ReviewRecord {
  return {
    incidentId: r.incident_id,
    state: r.state as ReviewState,
    requiredBy: r.required_by,
    waiverReason: r.waiver_reason,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    sufficiency: r.sufficiency as Sufficiency | null,
    sufficiencyNotes: r.sufficiency_notes,
    completenessOverride: r.completeness_override,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    closeReason: r.close_reason,
    version: Number(r.version),
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

function fromReview(r: ReviewRecord): ReviewsTable {
  return {
    incident_id: r.incidentId,
    state: r.state,
    required_by: r.requiredBy,
    waiver_reason: r.waiverReason,
    submitted_by: r.submittedBy,
    submitted_at: r.submittedAt,
    approved_by: r.approvedBy,
    approved_at: r.approvedAt,
    sufficiency: r.sufficiency,
    sufficiency_notes: r.sufficiencyNotes,
    completeness_override: r.completenessOverride,
    closed_at: r.closedAt,
    closed_by: r.closedBy,
    close_reason: r.closeReason,
    version: r.version,
    updated_by: r.updatedBy,
    updated_at: r.updatedAt,
  };
}

function toManualEvent(r: ReviewTimelineEventsTable): ManualTimelineEvent {
  return {
    id: r.id,
    incidentId: r.incident_id,
    at: r.at,
    title: r.title,
    detail: r.detail,
    phase: r.phase as ManualTimelineEvent['phase'],
    keyMoment: Boolean(r.key_moment),
    actor: r.actor,
    techniques: json<string[]>(r.techniques),
    evidence: json<string[]>(r.evidence),
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

function toAnnotation(r: ReviewTimelineAnnotationsTable): TimelineAnnotation {
  return {
    incidentId: r.incident_id,
    eventId: r.event_id,
    phase: r.phase as TimelineAnnotation['phase'],
    keyMoment: r.key_moment === null ? null : Boolean(r.key_moment),
    hidden: Boolean(r.hidden),
    hiddenReason: r.hidden_reason,
    note: r.note,
    evidence: json<string[]>(r.evidence),
    version: Number(r.version),
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

function findingRow(f: Pick<Finding, 'category' | 'title' | 'description' | 'severity' | 'contributingFactors' | 'timelineEventIds' | 'techniques' | 'evidence' | 'acceptedRisk'>) {
  return {
    category: f.category,
    title: f.title,
    description: f.description,
    severity: f.severity,
    contributing_factors: JSON.stringify(f.contributingFactors),
    timeline_event_ids: JSON.stringify(f.timelineEventIds),
    techniques: JSON.stringify(f.techniques),
    evidence: JSON.stringify(f.evidence),
    accepted_risk: f.acceptedRisk,
  };
}

function toFinding(r: ReviewFindingsTable): Finding {
  return {
    id: r.id,
    incidentId: r.incident_id,
    category: r.category as Finding['category'],
    title: r.title,
    description: r.description,
    severity: r.severity as Finding['severity'],
    contributingFactors: json<string[]>(r.contributing_factors),
    timelineEventIds: json<string[]>(r.timeline_event_ids),
    techniques: json<string[]>(r.techniques),
    evidence: json<string[]>(r.evidence),
    acceptedRisk: r.accepted_risk,
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
}

function toActionItem(r: ReviewActionItemsTable, now: Date): ActionItem {
  const item: Omit<ActionItem, 'overdue'> = {
    id: r.id,
    incidentId: r.incident_id,
    findingId: r.finding_id,
    type: r.type as ActionItem['type'],
    title: r.title,
    description: r.description,
    owner: r.owner,
    team: r.team,
    dueDate: r.due_date,
    priority: r.priority as ActionItem['priority'],
    closureCriteria: r.closure_criteria,
    status: r.status as ActionStatus,
    wontDoReason: r.wont_do_reason,
    verifiedBy: r.verified_by,
    verifiedAt: r.verified_at,
    verificationMethod: r.verification_method,
    verificationEvidence: r.verification_evidence,
    externalSystem: r.external_system,
    externalKey: r.external_key,
    externalUrl: r.external_url,
    externalState: r.external_state,
    syncedAt: r.synced_at,
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  };
  return { ...item, overdue: isOverdue(item, now) };
}

/** Standalone forms of the action-item API, for the tracker integrations. */
export function listActionItems(db: Kysely<Database>, filter: ActionItemFilter = {}): Promise<ActionItem[]> {
  return new ReviewRepository(db).listActionItems(filter);
}
export function getActionItem(db: Kysely<Database>, id: string): Promise<ActionItem | undefined> {
  return new ReviewRepository(db).getActionItem(id);
}
export function updateActionItemExternal(db: Kysely<Database>, id: string, link: ExternalLink, actor = 'hindsight-sync'): Promise<ActionItem> {
  return new ReviewRepository(db).updateActionItemExternal(id, link, { actor });
}
export function applyExternalState(db: Kysely<Database>, id: string, status: ActionStatus, by: string): Promise<ActionItem> {
  return new ReviewRepository(db).applyExternalState(id, status, by);
}
