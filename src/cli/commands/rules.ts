import { Option, type Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { UsageError } from '../../model/errors.js';
import type { RuleFormat } from '../../rules/types.js';
import { cliActor } from '../actor.js';
import { loadKnowledgeBaseFor, printResult, withStore } from '../services.js';

/**
 * `hindsight rules import PATH... [--format F]`: store the team's rule repository as the inventory
 * (coverage, the review and the web app use it by default), with what changed since the last
 * import; detection-engineering action items are re-checked against it. `hindsight rules history`:
 * coverage over time. `hindsight actions verify` and `hindsight actions cover` join `actions`.
 */
export const registerRulesCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const rules = program.command('rules').description("The team's stored detection-rule inventory: import, history of coverage");
  rules
    .command('import')
    .description('Import the rule files and folders as the inventory (a snapshot: rules not in them are removed)')
    .argument('<paths...>', 'rule files or folders (Sigma, Elastic TOML, Splunk, Sentinel, CSV)')
    .addOption(new Option('--format <format>', 'rule format (default: detected per file)').choices(['auto', 'sigma', 'elastic', 'splunk', 'sentinel', 'csv']).default('auto'))
    .action(async (paths: string[], opts: { format: RuleFormat | 'auto' }) => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const { importRuleInventory } = await import('../../app/rule-inventory.js');
      const result = await withStore(ctx, (store) => importRuleInventory(store, kb, cliActor(ctx), paths, { format: opts.format }));
      for (const p of result.problems) ctx.warn(`warning: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
      if (result.duplicates.length) ctx.warn(`warning: rule ids seen more than once (the first kept): ${result.duplicates.join(', ')}`);
      for (const u of result.unknownTechniques) ctx.warn(`warning: rule ${u.rule}: techniques unknown to ATT&CK ${kb.meta.version} not counted: ${u.techniques.join(', ')}`);
      const { coveredTechniques: _covered, ...summary } = result.import;
      printResult(ctx, { ...result, import: summary }, () => {
        const r = result.import;
        const lines = [`Rules import ${r.id}: ${r.rules} rule(s), ${r.added} added, ${r.changed} changed, ${r.removed} removed; ${r.techniquesCovered} technique(s) covered`];
        for (const c of result.changes.slice(0, 50)) lines.push(`  ${c.change.padEnd(8)} ${c.ruleId}  ${c.title}`);
        if (result.changes.length > 50) lines.push(`  … ${result.changes.length - 50} more`);
        for (const v of result.verification) if (v.before !== v.state) lines.push(`Action item ${v.actionItemId} (${v.title}): ${v.before} -> ${v.state}${v.evidence?.uncovered.length ? `; uncovered ${v.evidence.uncovered.join(', ')}` : ''}`);
        return lines.join('\n');
      });
    });
  rules
    .command('history')
    .description('Coverage over time: techniques covered at each import, with what was gained and lost')
    .action(async () => {
      const { ruleInventoryHistory } = await import('../../app/rule-inventory.js');
      const history = await withStore(ctx, (store) => ruleInventoryHistory(store));
      printResult(ctx, history, () =>
        history.imports.length === 0
          ? 'No rules imported yet: hindsight rules import PATH...'
          : history.imports
              .map((i) => `${i.importedAt}  ${i.id}  ${String(i.rules).padStart(5)} rules  ${String(i.techniquesCovered).padStart(4)} techniques  +${i.added} ~${i.changed} -${i.removed}${i.gained.length ? `  gained ${i.gained.length}` : ''}${i.lost.length ? `  lost ${i.lost.join(', ')}` : ''}`)
              .join('\n'),
      );
    });

  const actions = program.commands.find((c) => c.name() === 'actions') ?? program.command('actions').description('Action items of post-incident reviews');
  actions
    .command('cover')
    .description('Name the techniques a detection-engineering action item must cover (checked against the rule inventory)')
    .argument('<action>', 'the action item id')
    .requiredOption('--techniques <ids>', 'technique IDs, comma-separated (T1003.001,T1059.001)')
    .action(async (id: string, opts: { techniques: string }) => {
      const techniques = opts.techniques.split(',').map((s) => s.trim()).filter(Boolean);
      if (techniques.length === 0) throw new UsageError('--techniques needs at least one technique ID');
      const kb = await loadKnowledgeBaseFor(ctx);
      const { setActionItemTechniques } = await import('../../app/detection-verification.js');
      const item = await withStore(ctx, (store) => setActionItemTechniques(store, kb, cliActor(ctx), id, techniques));
      printResult(ctx, item, () => `Action item ${item.actionItemId} must cover ${item.techniques.join(', ')}: ${item.state}`);
    });
  actions
    .command('verify')
    .description('Re-check every detection-engineering action item against the stored rule inventory')
    .action(async () => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const { verifyDetectionItems } = await import('../../app/detection-verification.js');
      const result = await withStore(ctx, (store) => verifyDetectionItems(store, kb, cliActor(ctx)));
      printResult(ctx, result, () => {
        if (result.items.length === 0) return 'No detection-engineering action item names techniques yet: hindsight actions cover ID --techniques T...';
        const lines = [result.importId ? `Checked against rules import ${result.importId}` : 'No rules imported yet: every item stays pending (hindsight rules import PATH...)'];
        for (const v of result.items) {
          lines.push(`  ${v.actionItemId}  ${v.state.padEnd(9)} ${v.techniques.join(', ')}  ${v.title}`);
          if (v.evidence?.rules.length && v.state === 'verified') lines.push(`      by ${v.evidence.rules.map((r) => `${r.id} "${r.title}"`).join(', ')} (import ${v.evidence.importId}, ${v.evidence.at})`);
          if (v.evidence?.uncovered.length) lines.push(`      not covered: ${v.evidence.uncovered.join(', ')}`);
        }
        return lines.join('\n');
      });
    });
};
