import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { UsageError } from '../../model/errors.js';
import type { InferenceAnswer } from '../../model/inference.js';
import { cliActor } from '../actor.js';
import { loadKnowledgeBaseFor, printResult, requireIncident, withStore } from '../services.js';
import { parsePositiveInt } from '../options.js';

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

interface InferOpts {
  incident?: string;
  techniques?: string[];
  software?: string[];
  top: number;
  confirm?: string[];
  dismiss?: string[];
  reason?: string;
}

/**
 * `hindsight infer`: the techniques that probably also happened, given those observed (an
 * incident's, or a list), with the reasons, base rate, rule coverage and data sources to check.
 * With an incident, `--confirm T...` adds suggestions to the review's confirmed techniques and
 * `--dismiss T...` sets them aside (both audited), then prints the inference as it now stands.
 */
export const registerInferCommand: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('infer')
    .description('Rank the techniques that probably also happened, with the observed techniques that imply each')
    .option('--incident <id>', "an incident (Hindsight's id or the source's own id)")
    .option('--techniques <ids>', 'observed technique IDs, comma-separated (T1566.001,T1059.001)', list)
    .option('--software <refs>', 'observed software by ATT&CK ID, name or alias, comma-separated (S0154,Mimikatz)', list)
    .option('--top <n>', 'how many suggestions', (v) => parsePositiveInt(v, '--top'), 10)
    .option('--confirm <ids>', 'with --incident: confirm these inferred techniques (they join the confirmed techniques)', list)
    .option('--dismiss <ids>', 'with --incident: dismiss these inferred techniques', list)
    .option('--reason <text>', 'why (kept with the confirmation or dismissal)')
    .action(async (opts: InferOpts) => {
      if (Boolean(opts.incident) === Boolean(opts.techniques)) throw new UsageError('give either --incident ID or --techniques T...');
      if ((opts.confirm || opts.dismiss) && !opts.incident) throw new UsageError('--confirm and --dismiss need --incident ID');
      if (opts.top > 200) throw new UsageError('--top must be at most 200');
      const kb = await loadKnowledgeBaseFor(ctx);
      const app = await import('../../app/inference.js');
      if (opts.techniques) {
        const { storedRuleIndex } = await import('../../app/rule-index.js');
        // The stored inventory's rule counts when there is a database; none is created for a lookup.
        const { defaultDatabasePath } = await import('../../store/index.js');
        const hasStore = Boolean(ctx.globals().db || ctx.env.DATABASE_URL) || existsSync(defaultDatabasePath());
        const rules = hasStore ? await withStore(ctx, (store) => storedRuleIndex(store, kb)) : null;
        const answer = app.inferFromReferences(kb, { techniques: opts.techniques, software: opts.software ?? [], top: opts.top, rules });
        for (const n of answer.notes) ctx.warn(`note: ${n}`);
        printResult(ctx, answer, () => renderInference(answer));
        return;
      }
      const answer = await withStore(ctx, async (store) => {
        const incident = await requireIncident(store, opts.incident!);
        const actor = cliActor(ctx);
        if (opts.confirm?.length) await app.confirmInferred(store, kb, actor, incident.id, opts.confirm, opts.reason ?? null);
        if (opts.dismiss?.length) await app.dismissInferred(store, kb, actor, incident.id, opts.dismiss, opts.reason ?? null);
        return app.inferForIncident(store, kb, incident, { top: opts.top, extraSoftware: opts.software ?? [] });
      });
      printResult(ctx, answer, () => renderInference(answer));
    });
};

export function renderInference(a: InferenceAnswer): string {
  const lines: string[] = [];
  if (a.incident) lines.push(`Probably also happened in ${a.incident.id} (${a.incident.sourceId}): ${a.incident.title}`);
  lines.push(`Observed (${a.observed.length}): ${a.observed.join(', ') || 'none'}; ATT&CK v${a.attackVersion}`);
  for (const n of a.notes) lines.push(`  note: ${n}`);
  if (a.note) lines.push(`Thin observation: ${a.note}`);
  lines.push('');
  a.techniques.forEach((t, i) => {
    const rules = a.rulesSource === null ? '' : t.rules === 0 ? '  NO RULE' : `  ${t.rules} rule(s)`;
    lines.push(`${String(i + 1).padStart(3)}. ${t.id} ${t.name} [${t.tactics.join(', ')}]  score ${t.score.toFixed(2)}  base rate ${(t.baseRate * 100).toFixed(0)}%${rules}`);
    if (t.because.length) lines.push(`       because: ${t.because.map((b) => `${b.technique} ${(b.weight * 100).toFixed(0)}%`).join(', ')}`);
    if (t.software.length) lines.push(`       used by observed software: ${t.software.join(', ')}`);
    if (t.dataSources.length) lines.push(`       check: ${t.dataSources.slice(0, 4).join('; ')}${t.dataSources.length > 4 ? '; …' : ''}`);
  });
  if (a.dismissed.length) lines.push('', `Dismissed: ${a.dismissed.map((d) => `${d.techniqueId} (${d.dismissedBy}${d.reason ? `: ${d.reason}` : ''})`).join(', ')}`);
  if (a.rulesSource) lines.push('', `Rules: ${a.rulesSource}`);
  return lines.join('\n');
}
