import type { KnowledgeBase, Technique } from '../attack/types.js';
import type { StoredIncident } from '../model/incident.js';
import { attackReference, cacaoTimestamp, CACAO_SPEC_VERSION, idSource, type AgentTarget, type CacaoPlaybook, type ExternalReference, type WorkflowStep } from './cacao.js';
import { attr, clean, fileHash, hostile, mergeEntities, senderDomain, type MergedEntity } from './incident-evidence.js';
import {
  blockIndicator,
  blockSenderDomain,
  containUser,
  isolateDevice,
  manualStep,
  purgeMessages,
  reenableUser,
  releaseDevice,
  removeMailboxRule,
  revokeApp,
  techRefsOf,
  uniqueBy,
  uniqueRefs,
  type AgentKey,
  type Branch,
  type Planned,
  type PlannedAction,
  type TargetKey,
} from './remediation-steps.js';

/**
 * Generates a remediation playbook (OASIS CACAO 2.0) from an incident or a list of techniques.
 * Pure: no I/O; time and identifiers come from the options, so the same input and seed give the
 * same document.
 *
 * Shape: start -> containment -> eradication -> recovery -> lessons learned -> end. Containment and
 * eradication run as parallel steps when they have two or more independent branches; each branch
 * terminates at its own end step (CACAO 2.0 section 4.7) and execution continues at the parallel
 * step's on_completion. Commands are `http-api` (Microsoft Defender for Endpoint, Microsoft Graph)
 * or `powershell` (Exchange Online) where the incident names the object to act on, and `manual`
 * otherwise. Every action step carries the ATT&CK techniques and mitigations it answers as
 * external references (name "mitre-attack").
 *
 * Library playbooks linked to a technique of the incident are referenced, not merged: each becomes
 * a `playbook-action` branch of the eradication phase with its `playbook_id` and `playbook_version`
 * (its `modified`); the referenced documents are returned in `referencedPlaybooks` so a consumer can
 * resolve them.
 */

export interface LibraryPlaybookRef {
  playbook: CacaoPlaybook;
  /** ATT&CK technique IDs the library links the playbook to. */
  techniques: string[];
}

export interface GeneratePlaybookInput {
  incident?: StoredIncident;
  /** Technique IDs (used alone, or added to the incident's). */
  techniques?: string[];
}

export interface GeneratePlaybookOptions {
  /** created/modified; default now. */
  now?: Date | string;
  /** Seed for name-based identifiers; default: the incident id or the technique list. */
  idSeed?: string;
  /** identity--<uuid> of the author; default a Hindsight identity derived from the seed. */
  createdBy?: string;
  library?: LibraryPlaybookRef[];
  /** Who does the manual steps. */
  teamName?: string;
}

export interface GeneratedPlaybook {
  playbook: CacaoPlaybook;
  referencedPlaybooks: CacaoPlaybook[];
  /** Live ATT&CK technique IDs the playbook answers. */
  techniques: string[];
  /** IDs the knowledge base does not know. */
  unknownTechniques: string[];
}

/** The phases that can run branches in parallel (recovery and lessons learned run in order). */
type Phase = 'Containment' | 'Eradication';

/** Techniques whose impact calls for restoring data from backup. */
const RESTORE_TECHNIQUES = new Set(['T1486', 'T1490', 'T1485', 'T1561', 'T1491', 'T1565']);

const DEFENDER_API = 'https://api.securitycenter.microsoft.com';
const GRAPH_API = 'https://graph.microsoft.com';

export function generateRemediationPlaybook(kb: KnowledgeBase, input: GeneratePlaybookInput, options: GeneratePlaybookOptions = {}): GeneratedPlaybook {
  const incident = input.incident;
  const requested = [...(incident ? incident.alerts.flatMap((a) => a.techniques) : []), ...(input.techniques ?? [])];
  const { techniques, unknown } = resolveTechniques(kb, requested);
  const techniqueIds = techniques.map((t) => t.id);
  const seed = options.idSeed ?? (incident ? `incident:${incident.id}` : `techniques:${techniqueIds.join(',')}`);
  const ids = idSource(seed);
  const now = cacaoTimestamp(options.now ?? new Date());
  const refOf = (id: string) => techniqueRef(kb, id);
  const entities = incident ? mergeEntities(incident, kb) : [];

  // --- containment ---------------------------------------------------------------------------
  const containment: Branch[] = [];
  for (const e of entities.filter((x) => x.kind === 'device' && !clean(x))) containment.push([isolateDevice(e, refOf)]);
  for (const e of entities.filter((x) => x.kind === 'user' && !clean(x))) containment.push(containUser(e, refOf));
  const blocks = [
    ...entities.filter((x) => x.kind === 'ip' && hostile(x)).map((e) => blockIndicator(e, 'IpAddress', e.key, 'Block', refOf)),
    ...entities.filter((x) => x.kind === 'url' && !clean(x)).map((e) => blockIndicator(e, 'Url', attr(e, 'url') ?? e.displayName, 'Block', refOf)),
    ...entities
      .filter((x) => x.kind === 'file' && !clean(x) && fileHash(x))
      .map((e) => {
        const h = fileHash(e) as { type: string; value: string };
        return blockIndicator(e, h.type, h.value, 'BlockAndRemediate', refOf);
      }),
  ];
  if (blocks.length > 0) containment.push(blocks);
  const senders = new Map<string, MergedEntity[]>();
  for (const e of entities.filter((x) => x.kind === 'mailMessage' && !clean(x))) {
    const domain = senderDomain(e);
    if (domain) senders.set(domain, [...(senders.get(domain) ?? []), e]);
  }
  for (const [domain, messages] of [...senders].sort(([a], [b]) => a.localeCompare(b))) containment.push([blockSenderDomain(domain, messages, refOf)]);
  const messages = entities.filter((x) => x.kind === 'mailMessage' && !clean(x));
  if (messages.length > 0) containment.push([purgeMessages(messages, refOf)]);
  for (const e of entities.filter((x) => x.kind === 'mailboxConfiguration' && !clean(x))) containment.push([removeMailboxRule(e, refOf)]);
  for (const e of entities.filter((x) => x.kind === 'oauthApplication' && !clean(x))) containment.push([revokeApp(e, refOf)]);
  if (containment.length === 0) {
    containment.push([
      manualStep('contain-scope', 'Containment: Scope and contain affected assets', 'Identify the devices, accounts and indicators involved and contain them.', [
        `Identify every device, account, mailbox and indicator involved in ${techniqueIds.join(', ') || 'the activity'}; isolate devices, disable accounts and block indicators before eradication.`,
      ], techniqueIds.map(refOf), 'disconnect-system'),
    ]);
  }

  // --- eradication ---------------------------------------------------------------------------
  const eradication: Branch[] = [];
  const byMitigation = new Map<string, Technique[]>();
  const unmitigated: Technique[] = [];
  for (const t of techniques) {
    const live = t.mitigationIds.filter((m) => kb.mitigation(m));
    if (live.length === 0) unmitigated.push(t);
    for (const m of live) byMitigation.set(m, [...(byMitigation.get(m) ?? []), t]);
  }
  for (const [mid, ts] of [...byMitigation].sort(([a], [b]) => a.localeCompare(b))) {
    const m = kb.mitigation(mid)?.object;
    if (!m) continue;
    const list = ts.map((t) => `${t.id} ${t.name}`).join('; ');
    eradication.push([
      manualStep(`mitigation:${m.id}`, `Eradication: ${m.id} ${m.name}`, `Apply ATT&CK mitigation ${m.id} ${m.name} against ${list}.`, [
        `Apply ${m.id} ${m.name} to the affected scope to remove and prevent: ${list}. ${firstSentence(m.description)}`.trim(),
      ], [...ts.map((t) => refOf(t.id)), attackReference(m.id, m.name, m.url)], 'eliminate-risk'),
    ]);
  }
  for (const t of unmitigated) {
    eradication.push([
      manualStep(`eradicate:${t.id}`, `Eradication: Remove ${t.id} ${t.name} artefacts`, `ATT&CK lists no mitigation for ${t.id} ${t.name}; remove what the attacker left.`, [
        `Find and remove every artefact of ${t.id} ${t.name} on the affected scope (files, scheduled tasks, services, registry run keys, accounts); ATT&CK lists no preventive mitigation, so rely on detection.`,
      ], [refOf(t.id)], 'eliminate-risk'),
    ]);
  }
  const files = entities.filter((x) => x.kind === 'file' && !clean(x));
  if (files.length > 0) {
    eradication.push([
      manualStep('quarantine-files', 'Eradication: Quarantine malicious files', 'Stop and quarantine the malicious files on every device they were seen on.', files.map((f) => `Stop and quarantine ${f.displayName}${fileHash(f) ? ` (${fileHash(f)?.value})` : ''} on every device that holds it, then run a full antivirus scan.`), [...techRefsOf(files, refOf)], 'eliminate-risk'),
    ]);
  }
  const referenced: CacaoPlaybook[] = [];
  for (const lib of matchLibrary(options.library ?? [], techniqueIds)) {
    referenced.push(lib.playbook);
    const linked = lib.techniques.filter((t) => techniqueIds.some((x) => x === t || x.startsWith(`${t}.`) || t.startsWith(`${x}.`)));
    eradication.push([
      {
        kind: 'playbook-action',
        key: `library:${lib.playbook.id}`,
        name: `Eradication: Team playbook: ${lib.playbook.name}`,
        description: `Run the team's playbook "${lib.playbook.name}", linked to ${linked.join(', ')}.`,
        playbookId: lib.playbook.id,
        playbookVersion: lib.playbook.modified,
        refs: linked.map(refOf),
      },
    ]);
  }
  if (eradication.length === 0) {
    eradication.push([manualStep('eradicate', 'Eradication: Remove attacker access', 'Remove every foothold the attacker has.', ['Remove malware, persistence and attacker-created accounts from the affected scope.'], [], 'eliminate-risk')]);
  }

  // --- recovery --------------------------------------------------------------------------------
  const recovery: Branch = [];
  const restoreFor = techniques.filter((t) => RESTORE_TECHNIQUES.has(t.parentId ?? t.id));
  if (restoreFor.length > 0) {
    const backup = kb.mitigation('M1053')?.object;
    recovery.push(
      manualStep('restore-backup', 'Recovery: Restore data and systems from backup', 'Restore encrypted, deleted or altered data from known-good backups.', [
        `Restore affected systems and data from the last known-good, offline backup taken before the first attacker activity; verify backup integrity first (${restoreFor.map((t) => t.id).join(', ')}).`,
        'Re-enable system recovery features (shadow copies, Windows Recovery Environment) that were deleted or disabled.',
      ], [...restoreFor.map((t) => refOf(t.id)), ...(backup ? [attackReference(backup.id, backup.name, backup.url)] : [])], 'restore-data'),
    );
  }
  recovery.push(
    manualStep('verify-clean', 'Recovery: Verify the environment is clean', 'Confirm that no persistence or attacker access remains before returning to service.', [
      'Run a full scan of every contained device, confirm no new alerts for the incident indicators in the last 24 hours, and confirm every eradication step is done.',
    ], techniqueIds.map(refOf), 'scan-system'),
  );
  const verify = recovery[recovery.length - 1] as PlannedAction;
  verify.commands.push({ type: 'manual', command: 'Return the affected services to normal operation and watch them closely for two weeks.', playbook_activity: 'restore-capabilities' });
  for (const e of entities.filter((x) => x.kind === 'device' && !clean(x))) recovery.push(releaseDevice(e, refOf));
  for (const e of entities.filter((x) => x.kind === 'user' && !clean(x))) recovery.push(reenableUser(e, refOf));

  // --- lessons learned -------------------------------------------------------------------------
  const lessons: Branch = [
    manualStep('review', 'Lessons learned: Hold the post-incident review', 'Review what happened, what worked and what must change.', [
      incident
        ? `Hold the post-incident review of incident ${incident.id} (${incident.source} ${incident.sourceId}: ${incident.title}) with everyone who responded, within five working days of resolution.`
        : 'Hold the post-incident review with everyone who responded, within five working days of resolution.',
    ], techniqueIds.map(refOf), 'analyze-collected-data'),
    manualStep('detections', 'Lessons learned: Update detections for missed techniques', 'For every technique that was not detected in time, add or tune a detection.', techniques.length > 0 ? techniques.map((t) => {
      const strategies = t.detectionStrategyIds.map((d) => kb.detectionStrategy(d)?.object).filter((d) => d !== undefined);
      const list = strategies.length > 0 ? `ATT&CK detection strategies: ${strategies.map((d) => `${d.id} ${d.name}`).join('; ')}` : t.dataSources.length > 0 ? `data sources: ${t.dataSources.join('; ')}` : 'no ATT&CK detection strategy listed';
      return `${t.id} ${t.name}: if it was missed or detected late, add or tune a detection (${list}).`;
    }) : ['Review which activity was missed or detected late and add or tune detections for it.'], [
      ...techniqueIds.map(refOf),
      ...uniqueBy(techniques.flatMap((t) => t.detectionStrategyIds.map((d) => kb.detectionStrategy(d)?.object).filter((d) => d !== undefined)), (d) => d.id).map((d) => attackReference(d.id, d.name, d.url)),
    ], 'configure-systems'),
    manualStep('action-items', 'Lessons learned: Record action items', 'Turn every finding into an owned, dated action item.', [
      'Record every finding of the review as an action item with an owner and a due date, including procedure updates to this playbook.',
    ], techniqueIds.map(refOf), 'analyze-collected-data'),
  ];

  // --- assemble --------------------------------------------------------------------------------
  const agents: Record<AgentKey, { id: string; def: AgentTarget }> = {
    team: { id: ids('organization', 'team'), def: { type: 'organization', name: options.teamName ?? 'Security operations team', description: 'The analysts who carry out the manual steps.' } },
    automation: { id: ids('security-category', 'automation'), def: { type: 'security-category', name: 'Response automation', description: 'The SOAR or script runner that calls the response APIs.', category: ['soar'] } },
  };
  const targets: Record<TargetKey, { id: string; def: AgentTarget }> = {
    defender: { id: ids('http-api', 'defender'), def: { type: 'http-api', name: 'Microsoft Defender for Endpoint API', address: { url: [DEFENDER_API] } } },
    graph: { id: ids('http-api', 'graph'), def: { type: 'http-api', name: 'Microsoft Graph', address: { url: [GRAPH_API] } } },
  };
  const workflow: Record<string, WorkflowStep> = {};
  const usedAgents = new Set<AgentKey>();
  const usedTargets = new Set<TargetKey>();
  const activities = new Set<string>();
  const allRefs: ExternalReference[] = [];

  const toStep = (p: Planned): [string, WorkflowStep] => {
    allRefs.push(...p.refs);
    if (p.kind === 'playbook-action') {
      const step: WorkflowStep = { type: 'playbook-action', name: p.name, description: p.description, playbook_id: p.playbookId, playbook_version: p.playbookVersion };
      if (p.refs.length > 0) step.external_references = uniqueRefs(p.refs);
      return [ids('playbook-action', p.key), step];
    }
    usedAgents.add(p.agent);
    for (const t of p.targets ?? []) usedTargets.add(t);
    for (const c of p.commands) if (c.playbook_activity) activities.add(c.playbook_activity);
    const step: WorkflowStep = { type: 'action', name: p.name, description: p.description, commands: p.commands, agent: agents[p.agent].id };
    if (p.targets && p.targets.length > 0) step.targets = p.targets.map((t) => targets[t].id);
    if (p.refs.length > 0) step.external_references = uniqueRefs(p.refs);
    return [ids('action', p.key), step];
  };
  /** Adds a chain; returns its first step id. The last step goes to `next`. */
  const chain = (branch: Branch, next: string): string => {
    let following = next;
    for (let i = branch.length - 1; i >= 0; i--) {
      const [id, step] = toStep(branch[i] as Planned);
      step.on_completion = following;
      workflow[id] = step;
      following = id;
    }
    return following;
  };
  /** Adds a phase of independent branches; returns its entry step id. */
  const phase = (name: Phase, branches: Branch[], next: string): string => {
    if (branches.length === 1) return chain(branches[0] as Branch, next);
    const parallelId = ids('parallel', name);
    const nextSteps = branches.map((b, i) => {
      const endId = ids('end', `${name}:branch:${i}:${b[0]?.key ?? ''}`);
      workflow[endId] = { type: 'end', name: `${name}: branch ${i + 1} done` };
      return chain(b, endId);
    });
    workflow[parallelId] = { type: 'parallel', name: `${name}: run in parallel`, description: `The ${name.toLowerCase()} steps are independent; run them at the same time.`, next_steps: nextSteps, on_completion: next };
    return parallelId;
  };

  const endId = ids('end', 'end');
  const startId = ids('start', 'start');
  workflow[endId] = { type: 'end', name: 'Remediation complete' };
  const lessonsEntry = chain(lessons, endId);
  const recoveryEntry = chain(recovery, lessonsEntry);
  const eradicationEntry = phase('Eradication', eradication, recoveryEntry);
  const containmentEntry = phase('Containment', containment, eradicationEntry);
  workflow[startId] = { type: 'start', name: 'Start remediation', on_completion: containmentEntry };

  const agentDefs: Record<string, AgentTarget> = {};
  for (const k of ['team', 'automation'] as const) if (usedAgents.has(k)) agentDefs[agents[k].id] = agents[k].def;
  const targetDefs: Record<string, AgentTarget> = {};
  for (const k of ['defender', 'graph'] as const) if (usedTargets.has(k)) targetDefs[targets[k].id] = targets[k].def;

  const playbook: CacaoPlaybook = {
    type: 'playbook',
    spec_version: CACAO_SPEC_VERSION,
    id: ids('playbook', 'playbook'),
    name: incident ? `Remediation: ${incident.title}`.slice(0, 200) : `Remediation: ${techniqueIds.join(', ') || 'no techniques'}`,
    description: incident
      ? `Remediation of incident ${incident.id} (${incident.source} ${incident.sourceId}), generated by Hindsight from its ATT&CK techniques (${techniqueIds.join(', ') || 'none'}) and evidence.`
      : `Remediation for ATT&CK techniques ${techniqueIds.join(', ') || '(none)'}, generated by Hindsight.`,
    playbook_types: ['remediation'],
    playbook_activities: [...activities].sort(),
    created_by: options.createdBy ?? ids('identity', 'hindsight'),
    created: now,
    modified: now,
    severity: severityScore(incident?.severity),
    labels: ['hindsight', ...(incident ? [`incident:${incident.id}`] : []), ...techniqueIds.map((t) => `attack:${t}`)],
    workflow_start: startId,
    workflow,
  };
  const refs = uniqueRefs(allRefs);
  if (refs.length > 0) playbook.external_references = refs;
  if (Object.keys(agentDefs).length > 0) playbook.agent_definitions = agentDefs;
  if (Object.keys(targetDefs).length > 0) playbook.target_definitions = targetDefs;
  if (playbook.severity === undefined) delete playbook.severity;
  return { playbook, referencedPlaybooks: referenced, techniques: techniqueIds, unknownTechniques: unknown };
}

function resolveTechniques(kb: KnowledgeBase, ids: string[]): { techniques: Technique[]; unknown: string[] } {
  const found = new Map<string, Technique>();
  const unknown: string[] = [];
  for (const raw of ids) {
    const id = raw.trim();
    if (!id) continue;
    const r = kb.technique(id);
    if (r) found.set(r.object.id, r.object);
    else if (!unknown.includes(id)) unknown.push(id);
  }
  return { techniques: [...found.values()].sort((a, b) => a.id.localeCompare(b.id)), unknown };
}

function techniqueRef(kb: KnowledgeBase, id: string): ExternalReference {
  const t = kb.technique(id)?.object;
  return attackReference(t?.id ?? id, t?.name ?? '', t?.url ?? null);
}

function firstSentence(text: string): string {
  const plain = text.replace(/\(Citation:[^)]*\)/g, '').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ').trim();
  const m = /^(.{20,400}?[.!?])(\s|$)/.exec(plain);
  return m?.[1] ?? plain.slice(0, 300);
}

function matchLibrary(library: LibraryPlaybookRef[], techniqueIds: string[]): LibraryPlaybookRef[] {
  const hit = (t: string) => techniqueIds.some((x) => x === t || x.startsWith(`${t}.`) || t.startsWith(`${x}.`));
  return uniqueBy(library.filter((l) => l.techniques.some((t) => hit(t.toUpperCase()))), (l) => l.playbook.id).sort((a, b) => a.playbook.name.localeCompare(b.playbook.name));
}

function severityScore(severity: string | undefined): number | undefined {
  const scores: Record<string, number> = { informational: 10, low: 30, medium: 50, high: 75, critical: 95 };
  return severity ? scores[severity.toLowerCase()] : undefined;
}
