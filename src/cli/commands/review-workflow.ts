import { readFile, writeFile } from 'node:fs/promises';
import type { KnowledgeBase } from '../../attack/types.js';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { NotFoundError, UsageError } from '../../model/errors.js';
import type { StoredIncident } from '../../model/index.js';
import type {
  ActionItem,
  ActionItemPatch,
  ActionStatus,
  Finding,
  FindingPatch,
  ManualTimelineEventPatch,
  ReviewSectionKey,
  TimelineAnnotationPatch,
} from '../../model/review.js';
import type { OpenedStore } from '../../store/index.js';
import type { ReviewRepository } from '../../review/repo.js';
import { loadKnowledgeBaseFor, printResult, requireIncident } from '../services.js';

/**
 * The post-incident review workflow on the command line: `review` (print the review, and its
 * status|edit|start|submit|approve|return|waive|reopen|require|history subcommands), `timeline`,
 * `findings`, `actions`, `policy` and `close`. Writes take `--actor` (default HINDSIGHT_USER, then
 * the login name) and `--expect-version N`; a stale version is refused (exit 1).
 */
export const registerReviewWorkflowCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const review = program
    .command('review')
    .description('Print the post-incident review of an incident, or work on it (subcommands)')
    .argument('[incident]', "Hindsight's incident id or the source's own id")
    .option('--format <format>', 'md | html | pdf | json', 'md')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--rules <paths...>', "the team's detection rules (files or folders): the Detection section counts the rules for each technique (default: HINDSIGHT_RULES, paths separated by the path delimiter)")
    .action(async (ref: string | undefined, opts: { format: string; output?: string; rules?: string[] }) => {
      if (!ref) throw new UsageError('name an incident: hindsight review INCIDENT (or a subcommand: status, edit, submit, approve, waive, ...)');
      const format = ctx.globals().json ? 'json' : opts.format;
      if (!['md', 'html', 'pdf', 'json'].includes(format)) throw new UsageError(`--format must be md, html, pdf or json, not "${opts.format}"`);
      if (format === 'pdf' && !opts.output && process.stdout.isTTY) throw new UsageError('--format pdf writes binary: give -o FILE, or redirect stdout to a file');
      const kb = await loadKnowledgeBaseFor(ctx);
      const ruleIndex = await ruleIndexFor(ctx, kb, opts.rules);
      const { report, incident } = await withReview(ctx, ref, async ({ store, repo, incident }) => {
        const { buildFullReview } = await import('../../review/full-report.js');
        const { detectionForIncident } = await import('../../analysis/coverage/detection.js');
        const { listConfirmedTechniques } = await import('../../store/confirmed-techniques.js');
        const full = buildFullReview(incident, kb, await repo.loadContent(incident.id));
        const confirmed = (await listConfirmedTechniques(store.snake, incident.id)).map((c) => c.techniqueId);
        full.detection = { ...detectionForIncident(incident, kb, ruleIndex?.index ?? null, confirmed), rulesSource: ruleIndex?.source ?? null };
        return { report: full, incident };
      });
      if (format === 'json') return emit(ctx, `${JSON.stringify(report, null, 2)}\n`, opts.output);
      const { workflowHtmlSections, workflowMarkdownSections } = await import('../../export/review-workflow-sections.js');
      if (format === 'md') return emit(ctx, (await import('../../export/review-markdown.js')).renderReviewMarkdown(report, workflowMarkdownSections(report)), opts.output);
      const html = (await import('../../export/review-html.js')).renderReviewHtml(report, workflowHtmlSections(report));
      if (format === 'html') return emit(ctx, html, opts.output);
      const pdf = await (await import('../../export/review-pdf.js')).renderPdf(html, { footerLabel: incident.title });
      if (opts.output) {
        await writeFile(opts.output, pdf);
        ctx.warn(`Wrote ${resolve(opts.output)}`);
      } else process.stdout.write(pdf);
    });

  review
    .command('status')
    .description('State, sign-off and completeness of the review')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const record = await repo.getReviewOrDefault(incident.id);
        const completeness = await repo.completeness(incident.id);
        const value = { incident: incident.id, title: incident.title, ...record, completeness };
        printResult(ctx, value, () => {
          const lines = [`${incident.id}  ${incident.title}`, `  state: ${record.state}${record.requiredBy ? ` (required by ${record.requiredBy})` : ''}  version ${record.version}`];
          if (record.waiverReason) lines.push(`  waived: ${record.waiverReason}`);
          if (record.approvedBy) lines.push(`  approved by ${record.approvedBy} at ${record.approvedAt}, ${record.sufficiency}${record.sufficiencyNotes ? `: ${record.sufficiencyNotes}` : ''}`);
          if (record.closedAt) lines.push(`  closed by ${record.closedBy} at ${record.closedAt}`);
          lines.push(`  completeness: ${completeness.score}%`);
          for (const p of completeness.parts) lines.push(`    ${p.label}: ${p.done}/${p.total} (weight ${p.weight})${p.missing.length ? `; missing: ${p.missing.join('; ')}` : ''}`);
          return lines.join('\n');
        });
      });
    });

  writeCommand(review.command('edit'), 'Edit a section (--section) or answer a lessons-learned question (--answer)')
    .argument('<incident>')
    .option('--section <key>', 'summary | technicalSummary | response | takeaways | noFindings')
    .option('--answer <question>', 'question id or number 1-10')
    .option('--text <text>', 'the new text')
    .option('--file <file>', 'read the new text from a file')
    .option('--confirm', 'keep the generated section text and mark it confirmed by a person')
    .action(async (ref: string, opts: WriteOpts & { section?: string; answer?: string; text?: string; file?: string; confirm?: boolean }) => {
      if (Boolean(opts.section) === Boolean(opts.answer)) throw new UsageError('give either --section KEY or --answer QUESTION');
      const given = [opts.text !== undefined, opts.file !== undefined, Boolean(opts.confirm)].filter(Boolean).length;
      if (given !== 1 || (opts.confirm && !opts.section)) throw new UsageError('give exactly one of --text, --file or (for a section) --confirm');
      const body = opts.file !== undefined ? await readText(opts.file) : (opts.text ?? '');
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const w = writeOptions(ctx, opts);
        if (opts.section) {
          const { REVIEW_SECTIONS } = await import('../../model/review.js');
          const key = opts.section as ReviewSectionKey;
          if (!REVIEW_SECTIONS.includes(key)) throw new UsageError(`--section must be one of ${REVIEW_SECTIONS.join(', ')}, not "${opts.section}"`);
          let text = body;
          if (opts.confirm) {
            if (key === 'noFindings') throw new UsageError('the noFindings section has no generated text to confirm; write it with --text');
            const kb = await loadKnowledgeBaseFor(ctx);
            const { generatedSectionText } = await import('../../review/full-report.js');
            const content = await repo.loadContent(incident.id);
            text = content.sections.find((s) => s.key === key)?.body ?? generatedSectionText(incident, kb, content, key);
          }
          const saved = await repo.saveSection(incident.id, key, text, w);
          printResult(ctx, saved, () => `Saved section ${key} of ${incident.id} (version ${saved.version}, by ${saved.updatedBy})`);
        } else {
          const { resolveQuestionId, QUESTION_IDS } = await import('../../review/questions.js');
          const id = resolveQuestionId(opts.answer as string);
          if (!id) throw new UsageError(`--answer must be a question number 1-10 or one of ${QUESTION_IDS.join(', ')}, not "${opts.answer}"`);
          const saved = await repo.saveAnswer(incident.id, id, body, w);
          printResult(ctx, saved, () => `Saved the answer to question ${id} of ${incident.id} (version ${saved.version}, by ${saved.updatedBy})`);
        }
      });
    });

  const transition = (name: string, description: string, run: (repo: ReviewRepository, id: string, w: ReturnType<typeof writeOptions>, opts: Record<string, string | undefined>) => Promise<unknown>, extra?: (c: Command) => Command) => {
    let cmd = writeCommand(review.command(name), description).argument('<incident>');
    if (extra) cmd = extra(cmd);
    cmd.action(async (ref: string, opts: WriteOpts & Record<string, string | undefined>) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        await run(repo, incident.id, writeOptions(ctx, opts), opts);
        const record = await repo.getReviewOrDefault(incident.id);
        printResult(ctx, record, () => `Review of ${incident.id} is now ${record.state} (version ${record.version})`);
      });
    });
  };
  transition('start', 'Start the draft (editing starts it too)', (repo, id, w) => repo.startDraft(id, w));
  transition('submit', 'Submit the draft for review (any completeness; approval needs 100% or an override)', (repo, id, w) => repo.submit(id, w));
  transition(
    'approve',
    'Approve a submitted review, recording the sufficiency judgement',
    (repo, id, w, o) => {
      const sufficiency = o.sufficiency;
      if (sufficiency !== 'sufficient' && sufficiency !== 'insufficient') throw new UsageError('--sufficiency must be sufficient or insufficient');
      return repo.approve(id, { ...w, sufficiency, notes: o.notes, overrideIncomplete: o.overrideIncomplete });
    },
    (c) =>
      c
        .requiredOption('--sufficiency <judgement>', 'sufficient | insufficient: was the response sufficient and complete?')
        .option('--notes <text>', 'the judgement in words (required for insufficient)')
        .option('--override-incomplete <reason>', 'approve below 100% completeness; the reason is recorded'),
  );
  transition('return', 'Return a submitted review to draft', (repo, id, w) => repo.returnToDraft(id, w));
  transition('waive', 'Waive a review, with a reason', (repo, id, w, o) => repo.waive(id, { ...w, reason: o.reason ?? '' }), (c) => c.requiredOption('--reason <text>', 'why no review is needed'));
  transition('reopen', 'Reopen an approved or waived review as a draft', (repo, id, w) => repo.reopen(id, w));
  transition('require', 'Require a review by hand', (repo, id, w, o) => repo.requireReview(id, { ...w, reason: o.reason }), (c) => c.option('--reason <text>', 'why'));

  review
    .command('history')
    .description('Every change to the review: who, when, before and after')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const changes = await repo.history(incident.id);
        printResult(ctx, { incident: incident.id, changes }, () =>
          [`${changes.length} change(s) to the review of ${incident.id}`, ...changes.map((c) => `  ${c.at}  ${c.actor}  ${c.entityType} ${c.entityId} ${c.field} v${c.version}: ${short(c.before)} -> ${short(c.after)}`)].join('\n'),
        );
      });
    });

  // ---------------------------------------------------------------- timeline
  const timeline = program.command('timeline').description("Edit an incident's sequence of events: hand-written events, and tags on events built from data");
  timeline
    .command('list')
    .argument('<incident>')
    .description('The merged timeline, with origins and versions')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const { buildTimeline } = await import('../../analysis/timeline.js');
        const { mergeTimeline } = await import('../../review/timeline-merge.js');
        const content = await repo.loadContent(incident.id);
        const events = mergeTimeline(buildTimeline(incident), content.annotations, content.manualEvents);
        printResult(ctx, { incident: incident.id, events }, () =>
          events.map((e) => `${e.at}  ${e.id}  ${e.origin.padEnd(6)} ${(e.phase ?? '').padEnd(12)} ${e.keyMoment ? '*' : ' '} ${e.hidden ? '(hidden) ' : ''}${e.title}`).join('\n'),
        );
      });
    });
  const eventOptions = (c: Command) =>
    c
      .option('--at <time>', 'when (ISO-8601)')
      .option('--title <text>')
      .option('--detail <text>')
      .option('--phase <phase>', 'detection | triage | containment | eradication | recovery | notification')
      .option('--key-moment', 'mark as a key moment')
      .option('--no-key-moment', 'unmark as a key moment')
      .option('--who <name>', 'who acted in the event')
      .option('--technique <id...>', 'ATT&CK technique ids')
      .option('--evidence <ref...>', 'evidence references to attach');
  type EventOpts = WriteOpts & { at?: string; title?: string; detail?: string; phase?: string; keyMoment?: boolean; who?: string; technique?: string[]; evidence?: string[] };
  const eventPatch = (o: EventOpts): ManualTimelineEventPatch => clean({ at: o.at, title: o.title, detail: o.detail, phase: o.phase as ManualTimelineEventPatch['phase'], keyMoment: o.keyMoment, actor: o.who, techniques: o.technique, evidence: o.evidence });
  eventOptions(writeCommand(timeline.command('add'), 'Add a hand-written event').argument('<incident>')).action(async (ref: string, o: EventOpts) => {
    if (!o.at || !o.title) throw new UsageError('a new event needs --at and --title');
    await withReview(ctx, ref, async ({ repo, incident }) => {
      const e = await repo.addManualEvent(incident.id, { ...eventPatch(o), at: o.at as string, title: o.title as string }, writeOptions(ctx, o));
      printResult(ctx, e, () => `Added event ${e.id} at ${e.at} to ${incident.id}`);
    });
  });
  eventOptions(writeCommand(timeline.command('edit'), 'Edit a hand-written event').argument('<incident>').argument('<event>')).action(async (ref: string, eventId: string, o: EventOpts) => {
    await withReview(ctx, ref, async ({ repo, incident }) => {
      const e = await repo.editManualEvent(incident.id, eventId, eventPatch(o), writeOptions(ctx, o));
      printResult(ctx, e, () => `Edited event ${e.id} (version ${e.version})`);
    });
  });
  writeCommand(timeline.command('delete'), 'Delete a hand-written event (events built from data can only be hidden)')
    .argument('<incident>')
    .argument('<event>')
    .action(async (ref: string, eventId: string, o: WriteOpts) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        await repo.deleteManualEvent(incident.id, eventId, writeOptions(ctx, o));
        printResult(ctx, { deleted: eventId }, () => `Deleted event ${eventId} from ${incident.id}`);
      });
    });
  writeCommand(timeline.command('tag'), 'Annotate an event built from data: phase, key moment, hide with a reason, note, evidence')
    .argument('<incident>')
    .argument('<event>')
    .option('--phase <phase>', 'detection | triage | containment | eradication | recovery | notification')
    .option('--clear-phase', 'drop the phase tag (back to what the data says)')
    .option('--key-moment', 'mark as a key moment')
    .option('--no-key-moment', 'unmark as a key moment')
    .option('--hide <reason>', 'hide the event from the report, with a reason')
    .option('--unhide', 'show a hidden event again')
    .option('--note <text>')
    .option('--evidence <ref...>', 'evidence references (replaces the list)')
    .action(async (ref: string, eventId: string, o: WriteOpts & { phase?: string; clearPhase?: boolean; keyMoment?: boolean; hide?: string; unhide?: boolean; note?: string; evidence?: string[] }) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const { buildTimeline } = await import('../../analysis/timeline.js');
        const derived = buildTimeline(incident);
        if (!derived.some((e) => e.id === eventId)) {
          const manual = (await repo.listManualEvents(incident.id)).some((e) => e.id === eventId);
          throw manual ? new UsageError(`${eventId} is a hand-written event: change it with \`hindsight timeline edit\``) : new NotFoundError(`no event "${eventId}" on the timeline of ${incident.id} (run \`hindsight timeline list ${ref}\`)`);
        }
        const patch: TimelineAnnotationPatch = clean({
          phase: o.clearPhase ? null : (o.phase as TimelineAnnotationPatch['phase']),
          keyMoment: o.keyMoment,
          hidden: o.hide !== undefined ? true : o.unhide ? false : undefined,
          hiddenReason: o.hide,
          note: o.note,
          evidence: o.evidence,
        });
        const a = await repo.annotateEvent(incident.id, eventId, patch, writeOptions(ctx, o));
        printResult(ctx, a, () => `Annotated event ${eventId} of ${incident.id} (version ${a.version})`);
      });
    });

  // ---------------------------------------------------------------- findings
  const findings = program.command('findings').description('Findings of a review: what went wrong, with evidence');
  const findingOptions = (c: Command) =>
    c
      .addOption(new Option('--category <category>', 'finding category').choices(['technical-lapse', 'procedural-failure', 'manual-error', 'process-flaw', 'communication-glitch', 'unknown-attack-vector']))
      .option('--title <text>')
      .option('--description <text>')
      .addOption(new Option('--severity <severity>').choices(['low', 'medium', 'high', 'critical']))
      .option('--factor <text...>', 'contributing factors')
      .option('--event <id...>', 'timeline event ids')
      .option('--technique <id...>', 'ATT&CK technique ids')
      .option('--evidence <ref...>', 'evidence references')
      .option('--accepted-risk <text>', 'accept the risk instead of an action item');
  type FindingOpts = WriteOpts & { category?: string; title?: string; description?: string; severity?: string; factor?: string[]; event?: string[]; technique?: string[]; evidence?: string[]; acceptedRisk?: string };
  const findingPatch = (o: FindingOpts): FindingPatch =>
    clean({ category: o.category as FindingPatch['category'], title: o.title, description: o.description, severity: o.severity as FindingPatch['severity'], contributingFactors: o.factor, timelineEventIds: o.event, techniques: o.technique, evidence: o.evidence, acceptedRisk: o.acceptedRisk });
  findingOptions(writeCommand(findings.command('add'), 'Add a finding').argument('<incident>')).action(async (ref: string, o: FindingOpts) => {
    if (!o.category || !o.title) throw new UsageError('a finding needs --category and --title');
    await withReview(ctx, ref, async ({ repo, incident }) => {
      const f = await repo.addFinding(incident.id, { ...findingPatch(o), category: o.category as Finding['category'], title: o.title as string }, writeOptions(ctx, o));
      printResult(ctx, f, () => `Added finding ${f.id} to ${incident.id}`);
    });
  });
  findings
    .command('list')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const list = await repo.listFindings(incident.id);
        printResult(ctx, { incident: incident.id, findings: list }, () => [`${list.length} finding(s) in ${incident.id}`, ...list.map((f) => `  ${f.id}  v${f.version}  ${f.category.padEnd(22)} ${f.severity.padEnd(8)} ${f.title}${f.acceptedRisk ? ' (risk accepted)' : ''}`)].join('\n'));
      });
    });
  findingOptions(writeCommand(findings.command('edit'), 'Edit a finding').argument('<finding>')).action(async (id: string, o: FindingOpts) => {
    const store = await openReviewStore(ctx);
    try {
      const repo = await repoFor(store);
      const f = await repo.editFinding(id, findingPatch(o), writeOptions(ctx, o));
      printResult(ctx, f, () => `Edited finding ${f.id} (version ${f.version})`);
    } finally {
      await store.close();
    }
  });

  // ---------------------------------------------------------------- actions
  const actions = program.command('actions').description('Action items: fixes and change requests with owners, followed up until resolved');
  const actionOptions = (c: Command) =>
    c
      .addOption(new Option('--type <type>').choices(['fix', 'change-request', 'process-change', 'procedure-update', 'detection-engineering', 'training']))
      .option('--title <text>')
      .option('--description <text>')
      .option('--finding <id>', 'the finding it addresses')
      .option('--owner <name>')
      .option('--team <name>')
      .option('--due <date>', 'due date, YYYY-MM-DD')
      .addOption(new Option('--priority <priority>').choices(['low', 'medium', 'high', 'critical']))
      .option('--criteria <text>', 'closure criteria');
  type ActionOpts = WriteOpts & { type?: string; title?: string; description?: string; finding?: string; owner?: string; team?: string; due?: string; priority?: string; criteria?: string };
  const actionPatch = (o: ActionOpts): ActionItemPatch =>
    clean({ type: o.type as ActionItemPatch['type'], title: o.title, description: o.description, findingId: o.finding, owner: o.owner, team: o.team, dueDate: o.due, priority: o.priority as ActionItemPatch['priority'], closureCriteria: o.criteria });
  actionOptions(writeCommand(actions.command('add'), 'Add an action item to an incident').argument('<incident>')).action(async (ref: string, o: ActionOpts) => {
    if (!o.type || !o.title) throw new UsageError('an action item needs --type and --title');
    await withReview(ctx, ref, async ({ repo, incident }) => {
      const a = await repo.addActionItem(incident.id, { ...actionPatch(o), type: o.type as ActionItem['type'], title: o.title as string }, writeOptions(ctx, o));
      printResult(ctx, a, () => `Added action item ${a.id} to ${incident.id}`);
    });
  });
  actions
    .command('list')
    .description('Action items across all incidents')
    .option('--incident <incident>', 'only this incident')
    .option('--status <status...>', 'only these statuses')
    .option('--owner <name>')
    .option('--overdue', 'only overdue items (due date passed, not done, verified or wont-do)')
    .action(async (o: { incident?: string; status?: string[]; owner?: string; overdue?: boolean }) => {
      const store = await openReviewStore(ctx);
      try {
        const repo = await repoFor(store);
        let incidentId: string | undefined;
        if (o.incident) incidentId = (await requireIncident(store, o.incident)).id;
        const items = await repo.listActionItems({ incidentId, status: o.status as ActionStatus[] | undefined, owner: o.owner, overdue: o.overdue });
        printResult(ctx, { actions: items, overdue: items.filter((i) => i.overdue).length }, () =>
          [`${items.length} action item(s), ${items.filter((i) => i.overdue).length} overdue`, ...items.map((a) => `  ${a.id}  ${a.incidentId}  ${a.status.padEnd(11)} ${(a.dueDate ?? '').padEnd(10)} ${a.overdue ? 'OVERDUE ' : ''}${a.type.padEnd(21)} ${a.owner ?? '-'}  ${a.title}`)].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
  actionOptions(writeCommand(actions.command('update'), 'Update an action item: fields, or --status through its lifecycle').argument('<action>'))
    .addOption(new Option('--status <status>', 'move to this status').choices(['open', 'in-progress', 'done', 'verified', 'wont-do']))
    .option('--reason <text>', "why (required for wont-do)")
    .option('--verified-how <text>', 'how it was verified (required for verified)')
    .option('--verification-evidence <text>', 'the evidence (required for verified)')
    .action(async (id: string, o: ActionOpts & { status?: string; reason?: string; verifiedHow?: string; verificationEvidence?: string }) => {
      const store = await openReviewStore(ctx);
      try {
        const repo = await repoFor(store);
        const w = writeOptions(ctx, o);
        const patch = actionPatch(o);
        let item: ActionItem | undefined;
        if (Object.keys(patch).length) item = await repo.updateActionItem(id, patch, w);
        if (o.status) {
          item = await repo.moveActionItem(id, { status: o.status as ActionStatus, reason: o.reason, verificationMethod: o.verifiedHow, verificationEvidence: o.verificationEvidence }, { actor: w.actor, expectedVersion: item ? item.version : w.expectedVersion });
        }
        if (!item) throw new UsageError('nothing to update: give --status or a field option');
        const done = item;
        printResult(ctx, done, () => `Action item ${done.id} is ${done.status} (version ${done.version})`);
      } finally {
        await store.close();
      }
    });

  // ---------------------------------------------------------------- policy and close
  const policy = program.command('policy').description('The review policy: which incidents must get a full review');
  policy
    .command('show')
    .description('Print the policy in effect and where it came from')
    .option('--policy <file>', 'policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (o: { policy?: string }) => {
      const { loadPolicy } = await import('../../review/policy.js');
      const loaded = loadPolicy({ file: o.policy, env: ctx.env });
      const text = await readFile(loaded.file, 'utf8');
      printResult(ctx, { file: loaded.file, origin: loaded.origin, policy: loaded.policy }, () => `# Review policy from ${loaded.file} (${originText(loaded.origin)})\n${text}`);
    });
  policy
    .command('check')
    .description('Whether an incident needs a review, and which rule matched')
    .argument('<incident>')
    .option('--policy <file>', 'policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (ref: string, o: { policy?: string }) => {
      const { loadPolicy, evaluatePolicy } = await import('../../review/policy.js');
      const loaded = loadPolicy({ file: o.policy, env: ctx.env });
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const decision = evaluatePolicy(loaded.policy, incident);
        const record = await repo.getReviewOrDefault(incident.id);
        printResult(ctx, { incident: incident.id, required: decision.required, matched: decision.matched, state: record.state, policyFile: loaded.file }, () =>
          [
            `${incident.id}  ${incident.title}`,
            `  review required: ${decision.required ? 'yes' : 'no'}`,
            ...decision.matched.map((m) => `  rule ${m.rule}: ${m.reasons.join('; ')}`),
            `  review state: ${record.state}`,
          ].join('\n'),
        );
      });
    });

  writeCommand(program.command('close'), 'Close an incident in Hindsight (refused while its review is required, in draft or in review)')
    .argument('<incident>')
    .option('--reason <text>')
    .action(async (ref: string, o: WriteOpts & { reason?: string }) => {
      await withReview(ctx, ref, async ({ repo, incident }) => {
        const record = await repo.closeIncident(incident.id, { ...writeOptions(ctx, o), reason: o.reason });
        printResult(ctx, record, () => `Closed ${incident.id} in Hindsight (by ${record.closedBy} at ${record.closedAt})`);
      });
    });
};

// ------------------------------------------------------------------ helpers

interface WriteOpts {
  actor?: string;
  expectVersion?: string;
}

function writeCommand(cmd: Command, description: string): Command {
  return cmd
    .description(description)
    .option('--actor <name>', 'who makes the change (default: HINDSIGHT_USER, then your login name)')
    .option('--expect-version <n>', 'refuse the write unless the thing is still at this version');
}

function writeOptions(ctx: CliContext, o: WriteOpts): { actor: string; expectedVersion?: number } {
  const actor = o.actor?.trim() || ctx.env.HINDSIGHT_USER?.trim() || safeUserName();
  if (o.expectVersion === undefined) return { actor };
  const n = Number(o.expectVersion);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--expect-version must be a whole number, not "${o.expectVersion}"`);
  return { actor, expectedVersion: n };
}

function safeUserName(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

async function openReviewStore(ctx: CliContext): Promise<OpenedStore> {
  const { openStore } = await import('../../store/index.js');
  return openStore({ db: ctx.globals().db, env: ctx.env });
}

async function repoFor(store: OpenedStore): Promise<ReviewRepository> {
  const { ReviewRepository } = await import('../../review/repo.js');
  // Every review write from the command line is recorded in the audit trail.
  const { auditedReviewRepository } = await import('../../auth/audited-review.js');
  return auditedReviewRepository(new ReviewRepository(store.snake), store.snake);
}


async function withReview<T>(ctx: CliContext, ref: string, run: (x: { store: OpenedStore; repo: ReviewRepository; incident: StoredIncident }) => Promise<T>): Promise<T> {
  const store = await openReviewStore(ctx);
  try {
    const incident = await requireIncident(store, ref);
    return await run({ store, repo: await repoFor(store), incident });
  } finally {
    await store.close();
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function emit(ctx: CliContext, text: string, output: string | undefined): Promise<void> {
  if (output) {
    await writeFile(output, text);
    ctx.warn(`Wrote ${resolve(output)}`);
  } else ctx.print(text);
}

function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function short(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const one = s.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

function originText(origin: 'option' | 'env' | 'default'): string {
  return origin === 'option' ? 'from --policy' : origin === 'env' ? 'from HINDSIGHT_POLICY' : 'the default shipped with Hindsight';
}

/** Rules per technique from the team's inventory, when `--rules` or HINDSIGHT_RULES names one. */
async function ruleIndexFor(ctx: CliContext, kb: KnowledgeBase, paths: string[] | undefined): Promise<{ index: ReadonlyMap<string, number>; source: string } | null> {
  const { delimiter } = await import('node:path');
  const chosen = paths?.length ? paths : (ctx.env.HINDSIGHT_RULES ?? '').split(delimiter).filter(Boolean);
  if (chosen.length === 0) return null;
  const { importRules } = await import('../../rules/index.js');
  const { computeCoverage, coverageIndexOf } = await import('../../analysis/coverage/compute.js');
  const { EMPTY_INCIDENT_AGGREGATE } = await import('../../analysis/coverage/types.js');
  const inventory = await importRules(chosen, {});
  const result = computeCoverage(kb, inventory.rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' }, {});
  return { index: coverageIndexOf(result), source: `${inventory.stats.parsed} rule${inventory.stats.parsed === 1 ? '' : 's'} from ${chosen.join(', ')}` };
}
