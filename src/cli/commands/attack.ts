import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { loadKnowledgeBaseFor, printResult } from '../services.js';

/** `hindsight attack info|lookup|update`: the ATT&CK knowledge base. Layers load lazily. */
export const registerAttackCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const attack = program.command('attack').description('The MITRE ATT&CK knowledge base: what is loaded, lookups, updates');

  attack
    .command('info')
    .description('Domain, release and counts of live objects in the loaded ATT&CK data')
    .action(async () => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const counts = kb.counts();
      printResult(ctx, counts, () =>
        [
          `ATT&CK ${counts.domain} ${counts.version}  (${kb.meta.source}, STIX ${kb.meta.specVersion})`,
          `  Tactics:              ${counts.tactics}`,
          `  Techniques:           ${counts.techniques}`,
          `  Sub-techniques:       ${counts.subtechniques}`,
          `  Mitigations:          ${counts.mitigations}`,
          `  Detection strategies: ${counts.detectionStrategies}`,
          `  Groups:               ${counts.groups}`,
          `  Campaigns:            ${counts.campaigns}`,
          `  Software:             ${counts.software}`,
        ].join('\n'),
      );
    });

  attack
    .command('lookup')
    .description('Show an ATT&CK object by ID, name or alias (T1059.001, TA0005, "Defense Evasion", APT29, S0154)')
    .argument('<ref>', 'ATT&CK ID, name or alias')
    .action(async (ref: string) => {
      const kb = await loadKnowledgeBaseFor(ctx);
      const hit = kb.lookup(ref);
      if (!hit) {
        const { NotFoundError } = await import('../../model/errors.js');
        const revoked = kb.revokedEntry?.(ref);
        if (revoked) throw new NotFoundError(`${revoked.chain.join(' -> ')} was revoked in ATT&CK ${kb.meta.version} with no replacement`);
        throw new NotFoundError(`"${ref}" is not an ATT&CK ID, name or alias in ${kb.meta.domain} ${kb.meta.version}`);
      }
      const { describeObject, renderDescription } = await import('../../attack/describe.js');
      const description = describeObject(kb, hit);
      printResult(ctx, description, () => renderDescription(description));
    });

  attack
    .command('update')
    .description("Download an ATT&CK bundle from MITRE's attack-stix-data repository into the cache")
    .option('--domain <domain>', 'enterprise, mobile or ics (default: enterprise; with --from, the bundle\'s own)')
    .option('--version <release>', 'an ATT&CK release such as 18.1 (default: the latest)')
    .option('--from <pathOrUrl>', 'install this bundle (path or URL) instead of downloading from MITRE')
    .action(async (opts: { domain?: string; version?: string; from?: string }) => {
      const { updateAttackCache } = await import('../../attack/update.js');
      const result = await updateAttackCache({
        domain: opts.domain,
        version: opts.version,
        from: opts.from,
        env: ctx.env,
        onProgress: (m) => ctx.warn(m),
      });
      printResult(ctx, result, () =>
        [
          `Cached ATT&CK ${result.domain} ${result.version} from ${result.source}`,
          `  ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB)`,
          `  ${result.counts.techniques} techniques, ${result.counts.subtechniques} sub-techniques, ${result.counts.tactics} tactics, ${result.counts.groups} groups, ${result.counts.campaigns} campaigns, ${result.counts.software} software`,
        ].join('\n'),
      );
    });
};
