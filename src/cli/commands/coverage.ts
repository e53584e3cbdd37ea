import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CoverageResult, ThreatProfile } from '../../analysis/coverage/types.js';
import type { IncidentCoverageAggregate } from '../../model/coverage.js';
import { UsageError } from '../../model/errors.js';
import type { RuleFormat, RuleInventory } from '../../rules/types.js';
import { cliActor } from '../actor.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadKnowledgeBaseFor, printResult, withStore } from '../services.js';

interface CoverageOpts {
  rules?: string[];
  format: string;
  includeDeprecated?: boolean;
  threat?: string;
  threatLayer?: string;
  layer?: string;
  top: number;
  incidents: boolean;
}

const FORMATS = ['auto', 'sigma', 'elastic', 'splunk', 'sentinel', 'csv'];

function parseTop(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--top must be a positive whole number, not "${value}"`);
  return n;
}

/** `coverage` (gap analysis), `coverage confirm`, `coverage unconfirm` and `coverage confirmed` (techniques a review confirmed). */
export const registerCoverageCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const coverage = program
    .command('coverage')
    .description('Detection coverage gaps: which techniques the rules cover, what incidents showed and missed, weighted by the threats that matter')
    .option('--rules <paths...>', 'rule files or folders (Sigma, Elastic TOML, Splunk, Sentinel, CSV)')
    .option('--format <format>', FORMATS.join(' | '), 'auto')
    .option('--include-deprecated', 'count deprecated rules too')
    .option('--threat <actors>', 'comma-separated ATT&CK groups or campaigns by ID, name or alias (G0016,FIN7,C0024)')
    .option('--threat-layer <file>', 'an ATT&CK Navigator layer (format 4.x or 3.0) marking the relevant techniques')
    .option('--layer <file>', 'write three Navigator 4.5 layers (coverage, threat, gaps) to this file as a JSON array')
    .option('--top <n>', 'gaps to list', parseTop, 20)
    .option('--no-incidents', 'leave stored incidents out (no database is opened)')
    .action(async (opts: CoverageOpts) => {
      if (!FORMATS.includes(opts.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      if (opts.threat && opts.threatLayer) throw new UsageError('give either --threat or --threat-layer, not both');
      await runCoverage(ctx, opts);
    });

  coverage
    .command('confirm')
    .description('Record the techniques the review of an incident confirmed (compared with the alerts to find missed detections)')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .argument('<techniques...>', 'ATT&CK technique IDs (T1059.001)')
    .option('--actor <name>', 'who confirmed them')
    .option('--note <text>', 'a note kept with each confirmation')
    .action(async (ref: string, techniques: string[], opts: { actor?: string; note?: string }) => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const { confirmTechniques } = await import('../../app/coverage.js');
      const request = { techniques: splitTechniques(techniques), confirmedBy: opts.actor ?? null, note: opts.note ?? null };
      const result = await withStore(ctx, (store) => confirmTechniques(store, kb, cliActor(ctx), ref, request));
      printResult(ctx, result, () =>
        [`${result.incident}: ${result.confirmed.length} confirmed technique(s)`, ...result.confirmed.map((r) => `  ${r.techniqueId}  ${kb.technique(r.techniqueId)?.object.name ?? ''}`)].join('\n'),
      );
    });

  coverage
    .command('unconfirm')
    .description('Remove techniques confirmed for an incident by mistake')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .argument('<techniques...>', 'ATT&CK technique IDs (T1059.001); a revoked ID also removes its replacement')
    .addHelpText(
      'after',
      [
        '',
        'Techniques that are not confirmed for the incident are named on stderr and left alone; the others are',
        'removed and the command exits 0. When none of them is confirmed nothing changes and it exits 2.',
        'With --json it prints { incident, removed, confirmed }: the confirmations removed and those left.',
      ].join('\n'),
    )
    .action(async (ref: string, techniques: string[]) => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const { unconfirmTechniques } = await import('../../app/coverage.js');
      const result = await withStore(ctx, (store) => unconfirmTechniques(store, kb, cliActor(ctx), ref, splitTechniques(techniques)));
      for (const id of result.notConfirmed) ctx.warn(`warning: ${id} is not confirmed for incident ${result.incident}; nothing to remove`);
      const { incident, removed, confirmed } = result;
      printResult(ctx, { incident, removed, confirmed }, () =>
        [
          `${incident}: removed ${removed.map((r) => r.techniqueId).join(', ')}; ${confirmed.length} confirmed technique(s) left`,
          ...confirmed.map((r) => `  ${r.techniqueId}  ${kb.technique(r.techniqueId)?.object.name ?? ''}`),
        ].join('\n'),
      );
    });

  coverage
    .command('confirmed')
    .description('List the techniques the review of an incident confirmed, with the alerts that detected each or "missed"')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .action(async (ref: string) => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const { confirmedTechniques } = await import('../../app/coverage.js');
      const result = await withStore(ctx, (store) => confirmedTechniques(store, kb, ref));
      printResult(ctx, result, () => {
        const { incident, confirmed, detection } = result;
        const lines = [`${incident}: ${confirmed.length} confirmed technique(s); ${detection.detected} detected by alerts, ${detection.missed} missed`];
        for (const t of detection.techniques) {
          const state = t.missed ? 'MISSED' : t.detectedBy.length > 0 ? `detected by ${t.detectedBy.map((a) => a.title).join('; ')}` : '';
          lines.push(`  ${t.confirmed ? '*' : ' '} ${t.id.padEnd(10)} ${t.name}  ${state}`);
        }
        lines.push('  (* confirmed by the review)');
        return lines.join('\n');
      });
    });
};

/** Technique arguments, each possibly a comma-separated list. */
function splitTechniques(args: readonly string[]): string[] {
  return args.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
}



/** The incident aggregate, when a database is named or the default one exists; otherwise empty. */
async function incidentAggregate(ctx: CliContext): Promise<{ aggregate: IncidentCoverageAggregate | null; database: string | null }> {
  const { defaultDatabasePath } = await import('../../store/index.js');
  const named = ctx.globals().db || ctx.env.DATABASE_URL;
  if (!named && !existsSync(defaultDatabasePath())) return { aggregate: null, database: null };
  const { incidentCoverageAggregate } = await import('../../app/coverage.js');
  return withStore(ctx, async (store) => ({ aggregate: await incidentCoverageAggregate(store), database: store.location }));
}

/** The stored rule inventory, or a usage error when there is neither it nor --rules. */
async function storedInventoryFor(ctx: CliContext): Promise<{ inventory: RuleInventory; label: string }> {
  const { defaultDatabasePath } = await import('../../store/index.js');
  const named = ctx.globals().db || ctx.env.DATABASE_URL;
  const noRules = new UsageError('coverage needs --rules PATH... (rule files or folders) or a stored inventory (hindsight rules import PATH...)');
  if (!named && !existsSync(defaultDatabasePath())) throw noRules;
  const { storedRuleInventory } = await import('../../app/rule-inventory.js');
  const stored = await withStore(ctx, (store) => storedRuleInventory(store));
  if (!stored) throw noRules;
  return stored;
}

async function runCoverage(ctx: CliContext, opts: CoverageOpts): Promise<void> {
  const { importRules } = await import('../../rules/index.js');
  const { computeCoverage } = await import('../../analysis/coverage/compute.js');
  const { EMPTY_INCIDENT_AGGREGATE } = await import('../../analysis/coverage/types.js');
  const kb = await loadKnowledgeBaseFor(ctx);
  // Without --rules: the stored inventory (hindsight rules import).
  const stored = opts.rules?.length ? null : await storedInventoryFor(ctx);
  const inventory = stored ? stored.inventory : await importRules(opts.rules ?? [], { format: opts.format as RuleFormat | 'auto', includeDeprecated: Boolean(opts.includeDeprecated) });
  const rulesFrom = stored ? stored.label : (opts.rules ?? []).join(', ');
  for (const p of inventory.problems.slice(0, 20)) ctx.warn(`warning: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
  if (inventory.problems.length > 20) ctx.warn(`warning: ... and ${inventory.problems.length - 20} more rule file problems`);

  let threat: ThreatProfile = { kind: 'prevalence' };
  if (opts.threat) {
    const refs = opts.threat.split(',').map((s) => s.trim()).filter(Boolean);
    if (refs.length === 0) throw new UsageError('--threat needs at least one group or campaign');
    threat = { kind: 'actors', refs };
  } else if (opts.threatLayer) {
    const { readNavigatorLayer, layerTechniqueWeights } = await import('../../attack/navigator-layer.js');
    const layer = await readNavigatorLayer(opts.threatLayer);
    threat = { kind: 'layer', name: `Navigator layer "${layer.name}"`, weights: layerTechniqueWeights(layer) };
  }

  const { aggregate, database } = opts.incidents ? await incidentAggregate(ctx) : { aggregate: null, database: null };
  const result = computeCoverage(kb, inventory.rules, aggregate ?? EMPTY_INCIDENT_AGGREGATE, threat, { includeDeprecated: Boolean(opts.includeDeprecated) });

  let layerFile: string | null = null;
  if (opts.layer) {
    const { buildCoverageLayers } = await import('../../export/coverage-layers.js');
    const layers = buildCoverageLayers(kb, result, { rulesLabel: `${result.rulesCounted} rules from ${rulesFrom}` });
    layerFile = resolve(opts.layer);
    await writeFile(layerFile, `${JSON.stringify(layers, null, 2)}\n`);
  }
  const report = coverageReport(result, inventory, opts.top, database, layerFile);
  printResult(ctx, report, () => renderCoverageText(report, result));
}

export type CoverageReport = ReturnType<typeof coverageReport>;

/** The `coverage --json` document (field names are part of the CLI contract). */
export function coverageReport(result: CoverageResult, inventory: RuleInventory, top: number, database: string | null, layerFile: string | null) {
  return {
    attackVersion: result.attackVersion,
    rules: {
      files: inventory.stats.files,
      parsed: inventory.stats.parsed,
      failed: inventory.stats.failed,
      mapped: inventory.stats.mapped,
      unmapped: inventory.stats.unmapped,
      deprecated: inventory.stats.deprecated,
    },
    techniques: result.techniques,
    unknownTechniques: result.unknownTechniques.map((u) => u.id),
    unknownTechniqueDetails: result.unknownTechniques,
    remappedTechniques: result.remappedTechniques,
    tactics: result.tactics,
    threat: result.threat,
    database,
    layerFile,
    gaps: result.gaps.slice(0, top).map((g) => ({
      id: g.id,
      name: g.name,
      tactics: g.tactics,
      relevance: g.relevance,
      rules: g.rules,
      coverage: g.coverageFactor,
      observed: g.observed,
      detected: g.detected,
      missed: g.missed,
      score: g.score,
      dataComponents: g.dataComponents,
      detectionStrategies: g.detectionStrategies,
      logSources: g.logSources,
      uncoveredSubtechniques: g.uncoveredSubtechniques,
    })),
  };
}

function renderCoverageText(report: CoverageReport, result: CoverageResult): string {
  const r = report.rules;
  const t = report.techniques;
  const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '-');
  const lines = [
    `ATT&CK ${report.attackVersion}; threat profile: ${report.threat.name}`,
    `Rules: ${r.files} files, ${r.parsed} parsed, ${r.failed} failed, ${r.mapped} mapped to techniques, ${r.unmapped} unmapped, ${r.deprecated} deprecated`,
    `Techniques: ${t.covered} of ${t.total} covered by at least one rule (${pct(t.covered, t.total)})`,
    report.database
      ? `Incidents (${report.database}): ${t.observed} technique(s) observed, ${t.detected} detected by alerts, ${t.missed} confirmed by reviews but missed`
      : 'Incidents: none (no database)',
  ];
  if (report.unknownTechniques.length > 0) lines.push(`Unknown to ATT&CK ${report.attackVersion}: ${report.unknownTechniqueDetails.map((u) => `${u.id} (${u.reason}, ${u.rules} rule(s))`).join(', ')}`);
  if (report.remappedTechniques.length > 0) lines.push(`Revoked IDs followed: ${report.remappedTechniques.map((m) => `${m.from} -> ${m.to}`).join(', ')}`);
  const mappedTactics = result.tactics.filter((x) => x.mappedFrom);
  if (mappedTactics.length > 0) lines.push(`Tactics from other ATT&CK versions: ${mappedTactics.map((x) => `${x.from} -> ${x.to} (${x.rules} rule(s))`).join(', ')}`);
  if (report.layerFile) lines.push(`Wrote coverage, threat and gap layers to ${report.layerFile}`);
  lines.push('', `Top ${report.gaps.length} gaps (score = relevance x (1 - coverage) + 0.5 x missed share):`);
  report.gaps.forEach((g, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}. ${g.id} ${g.name}  score ${g.score.toFixed(3)}  relevance ${g.relevance.toFixed(2)}  coverage ${g.coverage.toFixed(2)}  ${g.rules} rule(s)` +
        (g.observed > 0 ? `  seen in ${g.observed} incident(s), missed ${g.missed}` : ''),
    );
    if (g.uncoveredSubtechniques.length > 0) lines.push(`       uncovered: ${g.uncoveredSubtechniques.slice(0, 5).map((s) => `${s.id} ${s.name}`).join('; ')}`);
    if (g.detectionStrategies.length > 0) lines.push(`       implement: ${g.detectionStrategies.slice(0, 3).map((d) => `${d.id} ${d.name}`).join('; ')}`);
    if (g.dataComponents.length > 0) lines.push(`       collect: ${g.dataComponents.slice(0, 6).map((d) => d.name).join(', ')}`);
  });
  return lines.join('\n');
}
