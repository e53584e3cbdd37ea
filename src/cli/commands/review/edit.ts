import type { Command } from 'commander';
import { UsageError } from '../../../model/errors.js';
import type { ReviewSectionKey } from '../../../model/review.js';
import type { CliContext } from '../../context.js';
import { loadKnowledgeBaseFor, printResult } from '../../services.js';
import { readText, withReview, writeCommand, writeOptions, type WriteOpts } from './shared.js';

/** `hindsight review edit INCIDENT --section KEY | --answer QUESTION`: write a section or answer a question. */
export function registerReviewEditCommand(review: Command, ctx: CliContext): void {
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
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const w = writeOptions(ctx, opts);
        if (opts.section) {
          const { REVIEW_SECTIONS } = await import('../../../model/review.js');
          const key = opts.section as ReviewSectionKey;
          if (!REVIEW_SECTIONS.includes(key)) throw new UsageError(`--section must be one of ${REVIEW_SECTIONS.join(', ')}, not "${opts.section}"`);
          let text = body;
          if (opts.confirm) {
            if (key === 'noFindings') throw new UsageError('the noFindings section has no generated text to confirm; write it with --text');
            const kb = await loadKnowledgeBaseFor(ctx);
            const { generatedSectionText } = await import('../../../review/full-report.js');
            const content = await app.loadReviewContent(store, incident.id);
            text = content.sections.find((s) => s.key === key)?.body ?? generatedSectionText(incident, kb, content, key);
          }
          const saved = await app.saveReviewSection(store, incident.id, key, text, w);
          printResult(ctx, saved, () => `Saved section ${key} of ${incident.id} (version ${saved.version}, by ${saved.updatedBy})`);
        } else {
          const { resolveQuestionId, QUESTION_IDS } = await import('../../../review/questions.js');
          const id = resolveQuestionId(opts.answer as string);
          if (!id) throw new UsageError(`--answer must be a question number 1-10 or one of ${QUESTION_IDS.join(', ')}, not "${opts.answer}"`);
          const saved = await app.saveReviewAnswer(store, incident.id, id, body, w);
          printResult(ctx, saved, () => `Saved the answer to question ${id} of ${incident.id} (version ${saved.version}, by ${saved.updatedBy})`);
        }
      });
    });
}
