import { rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../model/errors.js';
import { loginName } from '../actor.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadKnowledgeBaseFor, requireIncident, withStore } from '../services.js';

/**
 * `hindsight export INCIDENT --format stix|misp|attack-flow [-o FILE] [--tlp-max LEVEL]`: the
 * incident for a partner CERT or an ISAC. The document goes to stdout (it is the one JSON
 * document) or to FILE, written whole or not at all; with -o and --json, a summary of what was
 * written is printed instead.
 */
export const registerExportCommand: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('export')
    .description('Share an incident: a STIX 2.1 bundle, a MISP event or an Attack Flow 2.0 document (HINDSIGHT_TEAM_NAME names the team)')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .requiredOption('--format <format>', 'stix | misp | attack-flow')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--tlp-max <level>', 'leave out everything marked above this TLP level (clear, green, amber, amber+strict, red)')
    .action(async (ref: string, opts: { format: string; output?: string; tlpMax?: string }) => {
      const share = await import('../../app/share-export.js');
      const format = share.parseShareFormat(opts.format);
      const tlpMax = opts.tlpMax !== undefined ? share.parseTlpMax(opts.tlpMax) : undefined;
      if (opts.output !== undefined && !opts.output.trim()) throw new UsageError('-o needs a file name');
      const kb = await loadKnowledgeBaseFor(ctx);
      const exported = await withStore(ctx, async (store) => {
        const incident = await requireIncident(store, ref);
        // The command line reads the database directly: it sees every incident, as an administrator does.
        const doc = await share.shareDocumentOf(store, kb, incident, { username: loginName(ctx), role: 'admin' }, { team: share.teamNameOf(ctx.env) });
        return share.renderShareExport(doc, format, tlpMax);
      });
      if (!opts.output) {
        ctx.print(exported.body.trimEnd());
        return;
      }
      const target = resolve(opts.output);
      const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
      try {
        await writeFile(temporary, exported.body, { flag: 'wx' });
        await rename(temporary, target);
      } catch (error) {
        await import('node:fs/promises').then((fs) => fs.rm(temporary, { force: true }));
        throw new UsageError(`cannot write ${opts.output}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (ctx.globals().json) ctx.printJson({ file: target, format, tlpMax: tlpMax ?? null, counts: exported.counts });
      else ctx.warn(`Wrote ${target} (${Object.entries(exported.counts).map(([type, n]) => `${n} ${type}`).join(', ')})`);
    });
};
