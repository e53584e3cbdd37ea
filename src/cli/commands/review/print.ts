import { writeFile } from 'node:fs/promises';
import { delimiter, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ReviewFormat } from '../../../app/review-formats.js';
import { UsageError } from '../../../model/errors.js';
import { loginName } from '../../actor.js';
import type { CliContext } from '../../context.js';
import { loadKnowledgeBaseFor } from '../../services.js';
import { emit, withReview } from './shared.js';

/** The document's formats (app/review-formats.ts renders them; loaded only when a review is printed). */
const FORMATS = ['md', 'html', 'pdf', 'json'] as const satisfies readonly ReviewFormat[];

function isReviewFormat(value: string): value is ReviewFormat {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * `hindsight review INCIDENT`: the post-incident review document (Markdown, HTML, PDF or JSON).
 * Returns the `review` command, under which the workflow's subcommands are registered.
 */
export function registerReviewDocumentCommand(program: Command, ctx: CliContext): Command {
  return program
    .command('review')
    .description('Print the post-incident review of an incident, or work on it (subcommands)')
    .argument('[incident]', "Hindsight's incident id or the source's own id")
    .option('--format <format>', 'md | html | pdf | json', 'md')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--rules <paths...>', "the team's detection rules (files or folders): the Detection section counts the rules for each technique (default: HINDSIGHT_RULES, paths separated by the path delimiter)")
    .action(async (ref: string | undefined, opts: { format: string; output?: string; rules?: string[] }) => {
      if (!ref) throw new UsageError('name an incident: hindsight review INCIDENT (or a subcommand: status, edit, submit, approve, waive, ...)');
      const format = ctx.globals().json ? 'json' : opts.format;
      if (!isReviewFormat(format)) throw new UsageError(`--format must be md, html, pdf or json, not "${opts.format}"`);
      if (format === 'pdf' && !opts.output && process.stdout.isTTY) throw new UsageError('--format pdf writes binary: give -o FILE, or redirect stdout to a file');
      const kb = await loadKnowledgeBaseFor(ctx);
      const { ruleIndexOf } = await import('../../../app/rule-index.js');
      const rules = await ruleIndexOf(kb, opts.rules?.length ? opts.rules : (ctx.env.HINDSIGHT_RULES ?? '').split(delimiter).filter(Boolean));
      const { loadReviewDocument } = await import('../../../app/review-document.js');
      const { storedRuleIndex } = await import('../../../app/rule-index.js');
      const { report, story } = await withReview(ctx, ref, async ({ store, incident }) => {
        // Without --rules or HINDSIGHT_RULES: the stored inventory (hindsight rules import).
        const document = await loadReviewDocument(store, kb, incident, { rules: rules ?? (await storedRuleIndex(store, kb)) });
        if (format !== 'html' && format !== 'pdf') return { report: document, story: undefined };
        // The HTML and PDF documents draw the attack story; the command line sees every incident, as an administrator does.
        const share = await import('../../../app/share-export.js');
        return { report: document, story: await share.attackStoryOf(store, kb, incident, { username: loginName(ctx), role: 'admin' }, { team: share.teamNameOf(ctx.env), report: document }) };
      });
      const { renderReview } = await import('../../../app/review-formats.js');
      const rendered = await renderReview(report, format, story ? { story } : {});
      if (typeof rendered.body === 'string') return emit(ctx, rendered.body, opts.output);
      if (opts.output) {
        await writeFile(opts.output, rendered.body);
        ctx.warn(`Wrote ${resolve(opts.output)}`);
      } else process.stdout.write(rendered.body);
    });
}
