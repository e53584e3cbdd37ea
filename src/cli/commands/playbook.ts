import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { InputError, NotFoundError, UsageError } from '../../model/errors.js';
import type { StoredIncident } from '../../model/index.js';
import type { SavePlaybookResult } from '../../playbooks/library.js';
import type { OpenedStore } from '../../store/index.js';
import { cliActor, reviewActor } from '../actor.js';
import { loadKnowledgeBaseFor, printResult, withStore } from '../services.js';

/**
 * `hindsight playbook INCIDENT|--techniques T1486,T1490 [--format cacao|md] [-o FILE]`: a
 * remediation playbook in OASIS CACAO 2.0 (or as a Markdown runbook), with the library playbooks
 * linked to the techniques as playbook-action steps; `playbook library list|show|add|history` and
 * `playbook propose PLAYBOOK --incident INCIDENT [--finding ID] --from FILE`.
 *
 * Under --json the command prints one JSON document describing the result, with the CACAO
 * playbook under `playbook` (and the Markdown under `markdown` for --format md).
 */
export const registerPlaybookCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const playbook = program
    .command('playbook')
    .description('Generate a remediation playbook (OASIS CACAO 2.0 or a Markdown runbook) for an incident or ATT&CK techniques; manage the playbook library (subcommands)')
    .argument('[incident]', "Hindsight's incident id or the source's own id")
    .option('--techniques <ids>', 'ATT&CK technique IDs, comma-separated (alone, or added to the incident\'s)')
    .option('--format <format>', 'cacao | md', 'cacao')
    .option('-o, --output <file>', 'write the playbook to this file instead of stdout')
    .action(async (ref: string | undefined, opts: { techniques?: string; format: string; output?: string }) => {
      if (!['cacao', 'md'].includes(opts.format)) throw new UsageError(`--format must be cacao or md, not "${opts.format}"`);
      const requested = opts.techniques !== undefined ? splitList(opts.techniques) : [];
      if (opts.techniques !== undefined && requested.length === 0) throw new UsageError('--techniques needs at least one ATT&CK technique ID, e.g. --techniques T1486,T1490');
      if (!ref && requested.length === 0) throw new UsageError('name an incident or give --techniques: hindsight playbook INCIDENT | hindsight playbook --techniques T1486,T1490');
      const kb = await loadKnowledgeBaseFor(ctx);
      const unknown = requested.filter((t) => !kb.technique(t));
      if (unknown.length > 0) throw new InputError(`unknown ATT&CK technique${unknown.length === 1 ? '' : 's'} in ATT&CK ${kb.meta.version}: ${unknown.join(', ')}`, { path: '--techniques' });

      const { generateRemediationPlaybook } = await import('../../playbooks/generate.js');
      const { validateCacaoPlaybook, formatCacaoErrors } = await import('../../playbooks/validate.js');
      const { asLibraryRefs } = await import('../../playbooks/library.js');
      const { playbooksForTechniques } = await import('../../app/playbooks.js');
      const { incident, library } = await withStore(ctx, async (store) => {
        const found = ref ? await requireIncident(store, ref) : undefined;
        const ids = [...(found ? found.alerts.flatMap((a) => a.techniques) : []), ...requested];
        const resolved = [...new Set(ids.map((t) => kb.technique(t)?.object.id).filter((t): t is string => Boolean(t)))];
        return { incident: found, library: await playbooksForTechniques(store, resolved) };
      });
      const generated = generateRemediationPlaybook(kb, { ...(incident ? { incident } : {}), techniques: requested }, { library: asLibraryRefs(library) });
      if (generated.unknownTechniques.length > 0) ctx.warn(`hindsight: the incident names techniques ATT&CK ${kb.meta.version} does not know; left out: ${generated.unknownTechniques.join(', ')}`);
      const check = validateCacaoPlaybook(generated.playbook, { knownPlaybookIds: generated.referencedPlaybooks.map((p) => p.id) });
      if (!check.valid) throw new Error(`the generated playbook does not validate: ${formatCacaoErrors(check.errors).replace(/\n/g, '; ')}`);

      const document = `${JSON.stringify(generated.playbook, null, 2)}\n`;
      const markdown = opts.format === 'md' ? (await import('../../playbooks/runbook-markdown.js')).renderRunbookMarkdown(generated.playbook) : undefined;
      const text = markdown ?? document;
      if (opts.output) {
        await writeFile(opts.output, text);
        ctx.warn(`Wrote ${resolve(opts.output)}`);
      }
      if (ctx.globals().json) {
        ctx.printJson({
          incident: incident?.id ?? null,
          techniques: generated.techniques,
          unknownTechniques: generated.unknownTechniques,
          libraryPlaybooks: library.map((v) => ({ id: v.playbookId, version: v.version, name: v.name, techniques: v.techniques })),
          format: opts.format,
          output: opts.output ? resolve(opts.output) : null,
          valid: check.valid,
          playbook: generated.playbook,
          referencedPlaybooks: generated.referencedPlaybooks,
          ...(markdown !== undefined ? { markdown } : {}),
        });
      } else if (!opts.output) ctx.print(text);
    });

  // Commander gives an option both `playbook` and a subcommand define (--format, --techniques) to
  // `playbook` even when it follows the subcommand's name: the subcommands read it from there too.
  const inherited = (local: string | undefined, name: 'format' | 'techniques'): string | undefined => local ?? playbook.getOptionValue(name) as string | undefined;

  const library = playbook.command('library').description("The team's playbook library: list, show, add, history");

  library
    .command('list')
    .description('Playbooks in the library, with their current version and techniques')
    .action(async () => {
      const { listPlaybooks } = await import('../../app/playbooks.js');
      const items = await withStore(ctx, listPlaybooks);
      printResult(ctx, { playbooks: items }, () => {
        if (items.length === 0) return 'The playbook library is empty (add one: hindsight playbook library add FILE)';
        return [`${items.length} playbook(s)`, ...items.map((p) => `  ${p.id}  v${p.currentVersion}  ${p.name}  [${p.techniques.join(', ') || 'no techniques'}]  updated ${p.updatedAt.slice(0, 16).replace('T', ' ')} by ${p.updatedBy}`)].join('\n');
      });
    });

  library
    .command('show')
    .description('A playbook of the library (its current version, or --version N)')
    .argument('<playbook>', 'playbook id (playbook--<uuid>)')
    .option('--version <n>', 'this version instead of the current one')
    .option('--format <format>', 'cacao | md (default: cacao)')
    .action(async (id: string, opts: { version?: string; format?: string }) => {
      const format = inherited(opts.format, 'format') ?? 'cacao';
      if (!['cacao', 'md'].includes(format)) throw new UsageError(`--format must be cacao or md, not "${format}"`);
      const version = opts.version === undefined ? undefined : positiveInt(opts.version, '--version');
      const { getPlaybook } = await import('../../app/playbooks.js');
      const found = await withStore(ctx, (store) => getPlaybook(store, id, version));
      if (!found) throw new NotFoundError(version === undefined ? `no playbook ${id} in the library` : `playbook ${id} has no version ${version}`);
      const markdown = format === 'md' ? (await import('../../playbooks/runbook-markdown.js')).renderRunbookMarkdown(found.playbook) : undefined;
      if (ctx.globals().json) ctx.printJson({ ...found, ...(markdown !== undefined ? { markdown } : {}) });
      else ctx.print(markdown ?? `${JSON.stringify(found.playbook, null, 2)}\n`);
    });

  library
    .command('add')
    .description('Add a CACAO 2.0 playbook to the library, or a new version of one (validated first; unchanged content makes no version)')
    .argument('<file>', 'CACAO 2.0 playbook (JSON)')
    .option('--reason <text>', 'why this version')
    .option('--techniques <ids>', 'ATT&CK technique IDs to link (default: those in its external references)')
    .option('--actor <name>', 'who adds it (default: HINDSIGHT_USER, then your login name)')
    .action(async (file: string, opts: { reason?: string; techniques?: string; actor?: string }) => {
      const techniques = inherited(opts.techniques, 'techniques');
      const doc = await readJsonFile(file);
      const { savePlaybook } = await import('../../app/playbooks.js');
      const result = await withStore(ctx, (store) =>
        savePlaybook(store, cliActor(ctx), {
          playbook: doc,
          author: reviewActor(ctx, opts.actor),
          file,
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
          ...(techniques !== undefined ? { techniques: splitList(techniques) } : {}),
        }),
      );
      printSaved(ctx, result, file);
    });

  library
    .command('history')
    .description('Every version of a playbook: who, when, why, and the incident that drove it')
    .argument('<playbook>', 'playbook id (playbook--<uuid>)')
    .action(async (id: string) => {
      const { playbookHistory } = await import('../../app/playbooks.js');
      const versions = await withStore(ctx, (store) => playbookHistory(store, id));
      if (versions.length === 0) throw new NotFoundError(`no playbook ${id} in the library`);
      const summary = versions.map(({ playbook: _p, ...v }) => v);
      printResult(ctx, { playbook: id, versions: summary }, () =>
        [
          `${id}  ${versions[versions.length - 1]?.name ?? ''}`,
          ...versions.map(
            (v) =>
              `  v${v.version}  ${v.createdAt.slice(0, 16).replace('T', ' ')}  ${v.createdBy}  [${v.techniques.join(', ')}]${v.reason ? `  ${v.reason}` : ''}${v.drivenByIncidentId ? `  (incident ${v.drivenByIncidentId}${v.drivenByFindingId ? `, finding ${v.drivenByFindingId}` : ''})` : ''}`,
          ),
        ].join('\n'),
      );
    });

  playbook
    .command('propose')
    .description('Propose a change to a library playbook from an incident\'s review: stores the new version with the incident (and finding) that drove it')
    .argument('<playbook>', 'playbook id (playbook--<uuid>)')
    .requiredOption('--incident <incident>', "the incident whose review drives the change (Hindsight's id or the source's own id)")
    .option('--finding <id>', 'the review finding that drives the change (a finding of that incident)')
    .requiredOption('--from <file>', 'the changed CACAO 2.0 playbook (JSON, same playbook id)')
    .option('--reason <text>', 'why (default: names the incident and finding)')
    .option('--techniques <ids>', 'ATT&CK technique IDs to link (default: those in its external references)')
    .option('--actor <name>', 'who proposes it (default: HINDSIGHT_USER, then your login name)')
    .action(async (id: string, opts: { incident: string; finding?: string; from: string; reason?: string; techniques?: string; actor?: string }) => {
      const techniques = inherited(opts.techniques, 'techniques');
      const doc = await readJsonFile(opts.from);
      const { proposePlaybookChange } = await import('../../app/playbooks.js');
      const result = await withStore(ctx, async (store) => {
        const incident = await requireIncident(store, opts.incident);
        return proposePlaybookChange(store, cliActor(ctx), id, {
          incidentId: incident.id,
          playbook: doc,
          author: reviewActor(ctx, opts.actor),
          reason: opts.reason?.trim() || `Procedure update from the review of incident ${incident.id}${opts.finding ? ` (finding ${opts.finding})` : ''}`,
          file: opts.from,
          ...(opts.finding !== undefined ? { findingId: opts.finding } : {}),
          ...(techniques !== undefined ? { techniques: splitList(techniques) } : {}),
        });
      });
      printSaved(ctx, result, opts.from);
    });
};


async function requireIncident(store: OpenedStore, ref: string): Promise<StoredIncident> {
  const incident = await store.getIncident(ref);
  if (!incident) throw new NotFoundError(`no incident "${ref}" in ${store.location}`);
  return incident;
}

function printSaved(ctx: CliContext, result: SavePlaybookResult, file: string): void {
  for (const w of result.warnings) ctx.warn(`warning: ${file}: ${w.path}: ${w.message}`);
  const v = result.version;
  const { playbook: _p, ...summary } = v;
  printResult(ctx, { created: result.created, ...summary }, () =>
    result.created
      ? `${v.version === 1 ? 'Added' : 'Stored version'} ${v.playbookId} v${v.version}: ${v.name} [${v.techniques.join(', ') || 'no techniques'}]${v.drivenByIncidentId ? ` (driven by incident ${v.drivenByIncidentId})` : ''}`
      : `Unchanged: ${v.playbookId} is already at v${v.version} with this content`,
  );
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { readJsonDocuments } = await import('../../ingest/json-text.js');
  const { documents, ndjson } = readJsonDocuments(text, file);
  if (ndjson || documents.length !== 1) throw new InputError('expected one CACAO playbook (a JSON object), not NDJSON', { file, line: 1 });
  return documents[0]?.value;
}

function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function positiveInt(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of 1 or more, not "${value}"`);
  return n;
}
