import type { Command } from 'commander';
import { UsageError } from '../../model/errors.js';
import type { IntelIndicator, IntelSighting } from '../../model/intel.js';
import { loginName } from '../actor.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { printResult, withStore } from '../services.js';
import { printable } from './printable.js';

/**
 * `hindsight intel import FILE... [--json]`, `intel sightings`, `intel list`: partners' indicators
 * (STIX 2.1 bundles, MISP events) matched against every observable Hindsight has seen
 * (docs/intel.md). Indicators Hindsight cannot evaluate are stored and named on stderr, one line each.
 */
export const registerIntelCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const reader = () => ({ username: loginName(ctx), role: 'admin' as const });
  const intel = program.command('intel').description('Shared intelligence: import STIX 2.1 bundles and MISP events, and see where their indicators were seen');

  intel
    .command('import')
    .description('Import the indicators of STIX 2.1 bundles and MISP events (idempotent) and report the incidents they were seen in')
    .argument('<files...>', 'STIX 2.1 bundle or MISP event JSON files')
    .action(async (files: string[]) => {
      const { importIntel } = await import('../../app/intel.js');
      const result = await withStore(ctx, (store) => importIntel(store, files, reader()));
      for (const indicator of result.unevaluable) ctx.warn(`${printable(indicator.sourceFile)}: ${printable(indicator.externalId)}: ${indicator.evaluation === 'partial' ? 'partly evaluable' : 'not evaluable'}: ${printable(indicator.reasons.join('; '))}`);
      const report = { indicators: result.indicators, sightings: result.sightings };
      printResult(ctx, report, () => {
        const head = `${result.indicators} indicator(s): ${result.created} new, ${result.updated} updated, ${result.unchanged} unchanged; ${result.unevaluable.length} not (wholly) evaluable`;
        return [head, ...renderSightings(result.sightings)].join('\n');
      });
    });

  intel
    .command('sightings')
    .description('Every stored indicator seen in an incident, with the incidents (incidents imported after the indicator included)')
    .action(async () => {
      const { intelSightings } = await import('../../app/intel.js');
      const sightings = await withStore(ctx, (store) => intelSightings(store, reader()));
      printResult(ctx, { sightings }, () => (sightings.length ? renderSightings(sightings).join('\n') : 'No indicator was seen in any incident.'));
    });

  intel
    .command('list')
    .description('Stored indicators, newest import first')
    .option('--unevaluable', 'only those Hindsight cannot evaluate (wholly or in part)')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (opts: { unevaluable?: boolean; limit: string; offset: string }) => {
      const limit = Number(opts.limit);
      const offset = Number(opts.offset);
      if (!Number.isInteger(limit) || !Number.isInteger(offset)) throw new UsageError('--limit and --offset must be whole numbers');
      const { listIndicators } = await import('../../app/intel.js');
      const page = await withStore(ctx, async (store) => {
        if (!opts.unevaluable) return listIndicators(store, { limit, offset });
        const [none, partial] = await Promise.all([listIndicators(store, { evaluation: 'unevaluable', limit, offset }), listIndicators(store, { evaluation: 'partial', limit, offset })]);
        return { total: none.total + partial.total, indicators: [...none.indicators, ...partial.indicators].slice(0, limit) };
      });
      printResult(ctx, page, () => (page.indicators.length ? page.indicators.map(renderIndicator).join('\n') : 'No indicators.'));
    });
};

function renderIndicator(i: IntelIndicator): string {
  const marks = [i.tlp ? `TLP:${i.tlp}` : 'unmarked', i.producer ? `from ${printable(i.producer)}` : null, i.evaluation !== 'evaluable' ? `${i.evaluation}: ${printable(i.reasons.join('; '))}` : null].filter(Boolean).join(', ');
  return `${i.id}  ${printable(i.pattern.length > 100 ? `${i.pattern.slice(0, 99)}…` : i.pattern)}  (${marks})`;
}

function renderSightings(sightings: IntelSighting[]): string[] {
  return sightings.map((s) => `${renderIndicator(s.indicator)}\n    seen in ${s.incidents.length} incident(s): ${s.incidents.join(', ')}`);
}
