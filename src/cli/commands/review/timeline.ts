import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../../model/errors.js';
import type { ManualTimelineEventPatch, TimelineAnnotationPatch } from '../../../model/review.js';
import type { CliContext } from '../../context.js';
import { printResult } from '../../services.js';
import { clean, withReview, writeCommand, writeOptions, type WriteOpts } from './shared.js';

type EventOpts = WriteOpts & { at?: string; title?: string; detail?: string; phase?: string; keyMoment?: boolean; who?: string; technique?: string[]; evidence?: string[] };
type TagOpts = WriteOpts & { phase?: string; clearPhase?: boolean; keyMoment?: boolean; hide?: string; unhide?: boolean; note?: string; evidence?: string[] };

/** `hindsight timeline list|add|edit|delete|tag`: hand-written events, and tags on events built from data. */
export function registerTimelineCommands(program: Command, ctx: CliContext): void {
  const timeline = program.command('timeline').description("Edit an incident's sequence of events: hand-written events, and tags on events built from data");
  timeline
    .command('list')
    .argument('<incident>')
    .description('The merged timeline, with origins and versions')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const { buildTimeline } = await import('../../../analysis/timeline.js');
        const { mergeTimeline } = await import('../../../review/timeline-merge.js');
        const content = await app.loadReviewContent(store, incident.id);
        const events = mergeTimeline(buildTimeline(incident), content.annotations, content.manualEvents);
        printResult(ctx, { incident: incident.id, events }, () =>
          events.map((e) => `${e.at}  ${e.id}  ${e.origin.padEnd(6)} ${(e.phase ?? '').padEnd(12)} ${e.keyMoment ? '*' : ' '} ${e.hidden ? '(hidden) ' : ''}${e.title}`).join('\n'),
        );
      });
    });
  eventOptions(writeCommand(timeline.command('add'), 'Add a hand-written event').argument('<incident>')).action(async (ref: string, o: EventOpts) => {
    if (!o.at || !o.title) throw new UsageError('a new event needs --at and --title');
    const { at, title } = o;
    await withReview(ctx, ref, async ({ store, app, incident }) => {
      const e = await app.addTimelineEvent(store, incident.id, { ...eventPatch(o), at, title }, writeOptions(ctx, o));
      printResult(ctx, e, () => `Added event ${e.id} at ${e.at} to ${incident.id}`);
    });
  });
  eventOptions(writeCommand(timeline.command('edit'), 'Edit a hand-written event').argument('<incident>').argument('<event>')).action(async (ref: string, eventId: string, o: EventOpts) => {
    await withReview(ctx, ref, async ({ store, app, incident }) => {
      const e = await app.editTimelineEvent(store, incident.id, eventId, eventPatch(o), writeOptions(ctx, o));
      printResult(ctx, e, () => `Edited event ${e.id} (version ${e.version})`);
    });
  });
  writeCommand(timeline.command('delete'), 'Delete a hand-written event (events built from data can only be hidden)')
    .argument('<incident>')
    .argument('<event>')
    .action(async (ref: string, eventId: string, o: WriteOpts) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        await app.deleteTimelineEvent(store, incident.id, eventId, writeOptions(ctx, o));
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
    .action(async (ref: string, eventId: string, o: TagOpts) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const { buildTimeline } = await import('../../../analysis/timeline.js');
        const derived = buildTimeline(incident);
        if (!derived.some((e) => e.id === eventId)) {
          const manual = (await app.listManualEvents(store, incident.id)).some((e) => e.id === eventId);
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
        const a = await app.annotateTimelineEvent(store, incident.id, eventId, patch, writeOptions(ctx, o));
        printResult(ctx, a, () => `Annotated event ${eventId} of ${incident.id} (version ${a.version})`);
      });
    });
}

function eventOptions(c: Command): Command {
  return c
    .option('--at <time>', 'when (ISO-8601)')
    .option('--title <text>')
    .option('--detail <text>')
    .option('--phase <phase>', 'detection | triage | containment | eradication | recovery | notification')
    .option('--key-moment', 'mark as a key moment')
    .option('--no-key-moment', 'unmark as a key moment')
    .option('--who <name>', 'who acted in the event')
    .option('--technique <id...>', 'ATT&CK technique ids')
    .option('--evidence <ref...>', 'evidence references to attach');
}

function eventPatch(o: EventOpts): ManualTimelineEventPatch {
  return clean({ at: o.at, title: o.title, detail: o.detail, phase: o.phase as ManualTimelineEventPatch['phase'], keyMoment: o.keyMoment, actor: o.who, techniques: o.technique, evidence: o.evidence });
}
