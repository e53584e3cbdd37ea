import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { InputError, UsageError } from '../../model/errors.js';
import { loadAllIncidents, loadKnowledgeBaseFor, openStoreFor, printResult, requireIncident } from '../services.js';
import { parsePositiveInt } from '../options.js';

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** `hindsight attribute`: rank adversaries and campaigns for an incident or an observation; link incidents into clusters. */
export const registerAttributeCommand: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('attribute')
    .description('Rank ATT&CK groups and campaigns that fit an incident or a set of techniques and software, with the reasons')
    .option('--incident <id>', "an incident (Hindsight's id or the source's own id)")
    .option('--techniques <ids>', 'technique IDs or names, comma-separated (T1566.001,T1059.001; T1059.001:3 = seen 3 times)', list)
    .option('--software <refs>', 'software by ATT&CK ID, name or alias, comma-separated (S0154,Mimikatz)', list)
    .option('--top <n>', 'how many candidates', (v) => parsePositiveInt(v, '--top'), 5)
    .option('--clusters', 'link all stored incidents into probable campaigns instead')
    .action(async (opts: { incident?: string; techniques?: string[]; software?: string[]; top: number; clusters?: boolean }) => {
      if (opts.clusters) {
        if (opts.incident || opts.techniques || opts.software) throw new UsageError('--clusters takes no --incident, --techniques or --software');
        await printClusters(ctx);
        return;
      }
      if (Boolean(opts.incident) === Boolean(opts.techniques)) throw new UsageError('give either --incident ID or --techniques T...');
      const kb = await loadKnowledgeBaseFor(ctx);
      const attribution = await import('../../analysis/attribution/index.js');
      const { observationFromIncident } = await import('../../analysis/attribution/from-incident.js');
      let observation: import('../../analysis/attribution/types.js').Observation;
      const notes: string[] = [];
      let incidentRef: { id: string; sourceId: string; title: string } | null = null;
      if (opts.incident) {
        const store = await openStoreFor(ctx);
        const incident = await requireIncident(store, opts.incident).finally(() => store.close());
        incidentRef = { id: incident.id, sourceId: incident.sourceId, title: incident.title };
        const fromIncident = observationFromIncident(incident, kb);
        observation = fromIncident.observation;
        const resolvedSoftware = attribution.resolveObservation(kb, { techniques: [], software: opts.software ?? [] });
        if (resolvedSoftware.unknownSoftware.length) throw new InputError(`unknown software: ${resolvedSoftware.unknownSoftware.join(', ')}`, { path: '--software' });
        observation.software = [...new Set([...(observation.software ?? []), ...resolvedSoftware.software])];
        for (const s of fromIncident.software) notes.push(`software ${s.id} ${s.name} recognised in the evidence (${s.seenAs.join(', ')})`);
        if (fromIncident.unknownTechniques.length) notes.push(`techniques unknown to ATT&CK ${kb.meta.version} ignored: ${fromIncident.unknownTechniques.join(', ')}`);
      } else {
        const resolved = attribution.resolveObservation(kb, { techniques: opts.techniques ?? [], software: opts.software ?? [] });
        const unknown = [
          ...resolved.unknownTechniques.map((t) => `technique ${t}`),
          ...resolved.unknownSoftware.map((s) => `software ${s}`),
        ];
        if (unknown.length) throw new InputError(`unknown to ATT&CK ${kb.meta.domain} v${kb.meta.version}: ${unknown.join(', ')}`);
        observation = { techniques: resolved.techniques, software: resolved.software };
        for (const n of resolved.notes) notes.push(n.note);
      }
      const index = attribution.buildAttributionIndex(kb);
      const result = attribution.rankCandidates(index, observation, { top: opts.top });
      for (const n of notes) ctx.warn(`note: ${n}`);
      printResult(ctx, { ...result, incident: incidentRef, notes }, () => renderAttribution(result, incidentRef));
    });
};

async function printClusters(ctx: CliContext): Promise<void> {
  const kb = await loadKnowledgeBaseFor(ctx);
  const store = await openStoreFor(ctx);
  try {
    const incidents = await loadAllIncidents(store);
    const { clusterIncidents } = await import('../../analysis/attribution/index.js');
    const result = clusterIncidents(incidents, kb);
    const titles = new Map(incidents.map((i) => [i.id, `${i.sourceId}: ${i.title}`]));
    printResult(ctx, result, () => renderClusters(result, titles));
  } finally {
    await store.close();
  }
}

type RankResult = import('../../analysis/attribution/types.js').RankResult;
type TechniqueEvidence = import('../../analysis/attribution/types.js').TechniqueEvidence;

/** How a shared technique matched the candidate's profile, in words: `T1114.002 (via parent T1114)`. */
const MATCH_WORDS: Record<Exclude<TechniqueEvidence['match'], 'exact'>, string> = { parent: 'parent', child: 'sub-technique', sibling: 'sibling' };

export function renderAttribution(result: RankResult, incident: { id: string; sourceId: string; title: string } | null): string {
  const lines: string[] = [];
  if (incident) lines.push(`Attribution for ${incident.id} (${incident.sourceId}): ${incident.title}`);
  lines.push(
    `Observed: ${result.observed.techniques.length} technique(s), ${result.observed.software.length} software` +
      (result.observed.software.length ? ` (${result.observed.software.map((s) => `${s.id} ${s.name}`).join(', ')})` : '') +
      `; ATT&CK v${result.attackVersion}`,
  );
  lines.push(`Verdict: ${result.verdict.statement}`);
  lines.push('');
  if (result.candidates.length === 0) return lines.join('\n');
  lines.push('  #  Candidate                                   Type           Score  Confidence');
  result.candidates.forEach((c, i) => {
    lines.push(`${String(i + 1).padStart(3)}  ${`${c.id} ${c.name}`.padEnd(42).slice(0, 42)}  ${c.type.padEnd(13)} ${c.score.toFixed(1).padStart(6)}  ${c.confidence}`);
    const shared = c.evidence.sharedTechniques.slice(0, 5).map((t) => `${t.id}${t.match === 'exact' ? '' : ` (via ${MATCH_WORDS[t.match]} ${t.via ?? ''})`} ${t.weight.toFixed(1)}`);
    if (shared.length) lines.push(`       shared techniques: ${shared.join(', ')}${c.evidence.sharedTechniques.length > 5 ? ', …' : ''}`);
    if (c.evidence.sharedSoftware.length) lines.push(`       shared software:   ${c.evidence.sharedSoftware.map((s) => `${s.id} ${s.name}`).join(', ')}`);
    if (c.evidence.unobservedCharacteristic.length) lines.push(`       hunt for next:     ${c.evidence.unobservedCharacteristic.slice(0, 4).map((t) => `${t.id} ${t.name}`).join(', ')}`);
    if (c.evidence.timeNote) lines.push(`       time:              ${c.evidence.timeNote}`);
  });
  return lines.join('\n');
}

type ClusterResult = import('../../analysis/attribution/index.js').ClusterResult;

export function renderClusters(result: ClusterResult, titles: Map<string, string>): string {
  const lines = [`${result.incidents} incident(s); ${result.clusters.length} cluster(s) of incidents that probably belong to the same activity.`];
  result.clusters.forEach((c, i) => {
    lines.push('', `Cluster ${i + 1} (${c.incidents.length} incidents)`);
    for (const id of c.incidents) lines.push(`  ${id}  ${titles.get(id) ?? ''}`);
    if (c.commonTechniques.length) lines.push(`  techniques in every member: ${c.commonTechniques.join(', ')}`);
    if (c.sharedIndicators.length) lines.push(`  shared indicators: ${c.sharedIndicators.map((x) => `${x.type} ${x.value}`).join(', ')}`);
    for (const link of c.links) {
      const why = [
        `behaviour ${link.behaviour.toFixed(2)}`,
        link.sharedSoftware.length ? `software ${link.sharedSoftware.join(', ')}` : '',
        link.sharedIndicators.length ? `indicators ${link.sharedIndicators.map((x) => x.value).join(', ')}` : '',
      ].filter(Boolean);
      lines.push(`  ${link.a} ~ ${link.b}: ${why.join('; ')}`);
    }
  });
  if (result.ignoredIndicators.length) lines.push('', `Ignored as too common to mean anything: ${result.ignoredIndicators.map((x) => `${x.type} ${x.value}`).join(', ')}`);
  return lines.join('\n');
}
