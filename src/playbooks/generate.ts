import type { KnowledgeBase, Technique } from '../attack/types.js';
import type { Entity, StoredIncident } from '../model/incident.js';
import {
  attackReference,
  cacaoTimestamp,
  idSource,
  type AgentTarget,
  type CacaoPlaybook,
  type CommandData,
  type ExternalReference,
  type WorkflowStep,
} from './cacao.js';

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

export const PHASES = ['Containment', 'Eradication', 'Recovery', 'Lessons learned'] as const;
export type Phase = (typeof PHASES)[number];

/** Techniques whose impact calls for restoring data from backup. */
const RESTORE_TECHNIQUES = new Set(['T1486', 'T1490', 'T1485', 'T1561', 'T1491', 'T1565']);

const DEFENDER_API = 'https://api.securitycenter.microsoft.com';
const GRAPH_API = 'https://graph.microsoft.com';

type AgentKey = 'team' | 'automation';
type TargetKey = 'defender' | 'graph';

interface PlannedAction {
  kind: 'action';
  key: string;
  name: string;
  description: string;
  commands: CommandData[];
  agent: AgentKey;
  targets?: TargetKey[];
  refs: ExternalReference[];
}
interface PlannedPlaybookAction {
  kind: 'playbook-action';
  key: string;
  name: string;
  description: string;
  playbookId: string;
  playbookVersion: string;
  refs: ExternalReference[];
}
type Planned = PlannedAction | PlannedPlaybookAction;
/** Steps run one after another. */
type Branch = Planned[];

interface MergedEntity {
  kind: Entity['kind'];
  key: string;
  displayName: string;
  roles: Set<string>;
  verdicts: Set<string>;
  attributes: Record<string, string>;
  techniques: Set<string>;
}

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
    spec_version: 'cacao-2.0',
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

// --- step makers ---------------------------------------------------------------------------------

type RefOf = (id: string) => ExternalReference;

function manualStep(key: string, name: string, description: string, commands: string[], refs: ExternalReference[], activity?: string): PlannedAction {
  return {
    kind: 'action',
    key,
    name,
    description,
    agent: 'team',
    commands: commands.map((c) => ({ type: 'manual', command: c, ...(activity ? { playbook_activity: activity } : {}) })),
    refs,
  };
}

function httpCommand(method: string, path: string, description: string, body: unknown, activity: string): CommandData {
  const c: CommandData = { type: 'http-api', description, command: `${method} ${path} HTTP/1.1`, headers: { 'Content-Type': ['application/json'] }, playbook_activity: activity };
  if (body !== undefined) c.content = JSON.stringify(body);
  return c;
}

function isolateDevice(e: MergedEntity, refOf: RefOf): PlannedAction {
  const mde = mdeDeviceId(e);
  const refs = techRefsOf([e], refOf);
  if (mde) {
    return {
      kind: 'action',
      key: `isolate:${e.key}`,
      name: `Containment: Isolate device ${e.displayName}`,
      description: `Isolate ${e.displayName} from the network with Microsoft Defender for Endpoint (the Defender connection stays up).`,
      agent: 'automation',
      targets: ['defender'],
      commands: [httpCommand('POST', `/api/machines/${encodeURIComponent(mde)}/isolate`, `Isolate ${e.displayName}`, { Comment: `Hindsight remediation: isolate ${e.displayName}`, IsolationType: 'Full' }, 'disconnect-system')],
      refs,
    };
  }
  return manualStep(`isolate:${e.key}`, `Containment: Isolate device ${e.displayName}`, `Disconnect ${e.displayName} from the network.`, [
    `Isolate ${e.displayName} from the network (Microsoft Defender portal: Device page > Isolate device, or disconnect it physically); keep it powered on for forensics.`,
  ], refs, 'disconnect-system');
}

function releaseDevice(e: MergedEntity, refOf: RefOf): PlannedAction {
  const mde = mdeDeviceId(e);
  const refs = techRefsOf([e], refOf);
  if (mde) {
    return {
      kind: 'action',
      key: `release:${e.key}`,
      name: `Recovery: Release device ${e.displayName} from isolation`,
      description: `After verification, release ${e.displayName} from isolation.`,
      agent: 'automation',
      targets: ['defender'],
      commands: [httpCommand('POST', `/api/machines/${encodeURIComponent(mde)}/unisolate`, `Release ${e.displayName}`, { Comment: `Hindsight remediation: verified clean, release ${e.displayName}` }, 'restore-capabilities')],
      refs,
    };
  }
  return manualStep(`release:${e.key}`, `Recovery: Reconnect device ${e.displayName}`, `After verification, reconnect ${e.displayName}.`, [
    `Reconnect ${e.displayName} to the network once it is verified clean or reimaged.`,
  ], refs, 'restore-capabilities');
}

function containUser(e: MergedEntity, refOf: RefOf): Branch {
  const id = userGraphId(e);
  const refs = techRefsOf([e], refOf);
  const reset = manualStep(`reset:${e.key}`, `Containment: Reset password of ${e.displayName}`, `Reset the password of ${e.displayName} and require MFA re-registration.`, [
    `Reset the password of ${e.displayName} to a new random value, require MFA re-registration and review the account's MFA methods and app consents.`,
  ], refs, 'restrict-access');
  if (!id) {
    return [
      manualStep(`disable:${e.key}`, `Containment: Disable ${e.displayName} and revoke sessions`, `Stop the attacker using ${e.displayName}.`, [
        `Disable the account ${e.displayName} and revoke all its sign-in sessions and refresh tokens (Microsoft Entra admin center: user > Revoke sessions).`,
      ], refs, 'restrict-access'),
      reset,
    ];
  }
  const path = `/v1.0/users/${encodeURIComponent(id)}`;
  return [
    {
      kind: 'action',
      key: `disable:${e.key}`,
      name: `Containment: Disable ${e.displayName} and revoke sessions`,
      description: `Block sign-in for ${e.displayName} and invalidate its refresh tokens and session cookies.`,
      agent: 'automation',
      targets: ['graph'],
      commands: [
        httpCommand('PATCH', path, `Block sign-in for ${e.displayName}`, { accountEnabled: false }, 'restrict-access'),
        httpCommand('POST', `${path}/revokeSignInSessions`, `Revoke the sign-in sessions of ${e.displayName}`, undefined, 'restrict-access'),
      ],
      refs,
    },
    reset,
  ];
}

function reenableUser(e: MergedEntity, refOf: RefOf): PlannedAction {
  const id = userGraphId(e);
  const refs = techRefsOf([e], refOf);
  if (!id) {
    return manualStep(`enable:${e.key}`, `Recovery: Re-enable ${e.displayName}`, `Give ${e.displayName} their account back.`, [`Re-enable ${e.displayName} once the password is reset and MFA re-registered.`], refs, 'restore-capabilities');
  }
  return {
    kind: 'action',
    key: `enable:${e.key}`,
    name: `Recovery: Re-enable ${e.displayName}`,
    description: `Re-enable ${e.displayName} once the password is reset and MFA re-registered.`,
    agent: 'automation',
    targets: ['graph'],
    commands: [httpCommand('PATCH', `/v1.0/users/${encodeURIComponent(id)}`, `Allow sign-in for ${e.displayName}`, { accountEnabled: true }, 'restore-capabilities')],
    refs,
  };
}

function blockIndicator(e: MergedEntity, indicatorType: string, value: string, action: string, refOf: RefOf): PlannedAction {
  return {
    kind: 'action',
    key: `block:${indicatorType}:${value.toLowerCase()}`,
    name: `Containment: Block ${indicatorType === 'IpAddress' ? 'IP address' : indicatorType === 'Url' ? 'URL' : 'file'} ${e.displayName}`,
    description: `Add a Microsoft Defender for Endpoint indicator (${indicatorType}, ${action}) for ${value}.`,
    agent: 'automation',
    targets: ['defender'],
    commands: [
      httpCommand('POST', '/api/indicators', `Block ${value}`, {
        indicatorValue: value,
        indicatorType,
        action,
        title: `Hindsight remediation: ${e.displayName}`.slice(0, 100),
        description: `Seen in incident evidence (${[...e.techniques].join(', ') || 'no technique'}).`,
        severity: 'High',
        generateAlert: true,
      }, 'restrict-access'),
    ],
    refs: techRefsOf([e], refOf),
  };
}

function blockSenderDomain(domain: string, messages: MergedEntity[], refOf: RefOf): PlannedAction {
  return {
    kind: 'action',
    key: `block-sender:${domain}`,
    name: `Containment: Block sender domain ${domain}`,
    description: `Block mail from ${domain} in the Tenant Allow/Block List (Microsoft Defender for Office 365).`,
    agent: 'automation',
    commands: [{ type: 'powershell', description: `Block the sender domain ${domain}`, command: `New-TenantAllowBlockListItems -ListType Sender -Block -Entries ${psQuote(domain)} -NoExpiration`, playbook_activity: 'restrict-access' }],
    refs: techRefsOf(messages, refOf),
  };
}

function purgeMessages(messages: MergedEntity[], refOf: RefOf): PlannedAction {
  return manualStep('purge-messages', 'Containment: Purge malicious messages', 'Remove the malicious messages from every mailbox that received them.', messages.map((m) => {
    const id = attr(m, 'networkMessageId', 'internetMessageId');
    const recipient = attr(m, 'recipientEmailAddress', 'recipient');
    return `Soft delete the message "${m.displayName}"${id ? ` (message ID ${id})` : ''}${recipient ? ` from ${recipient}` : ''} and every copy of it (Microsoft Defender portal: Explorer > Take action > Soft delete).`;
  }), techRefsOf(messages, refOf), 'restrict-access');
}

function removeMailboxRule(e: MergedEntity, refOf: RefOf): PlannedAction {
  const mailbox = attr(e, 'mailboxPrimaryAddress', 'mailbox.primaryAddress', 'upn') ?? 'the mailbox';
  return manualStep(`mailbox-rule:${e.key}`, `Containment: Remove malicious mailbox rule ${e.displayName}`, 'Remove the inbox or forwarding rule the attacker created.', [
    `Remove the malicious ${attr(e, 'configurationType') ?? 'mailbox'} configuration "${e.displayName}" from ${mailbox} (Exchange Online: Get-InboxRule -Mailbox <mailbox>, then Remove-InboxRule) and check for other forwarding rules.`,
  ], techRefsOf([e], refOf), 'restrict-access');
}

function revokeApp(e: MergedEntity, refOf: RefOf): PlannedAction {
  return manualStep(`oauth-app:${e.key}`, `Containment: Revoke consent of app ${e.displayName}`, 'Remove the OAuth application the attacker used.', [
    `Revoke every permission grant of the application ${e.displayName}${attr(e, 'appId') ? ` (app ID ${attr(e, 'appId')})` : ''} and disable its service principal.`,
  ], techRefsOf([e], refOf), 'restrict-access');
}

// --- helpers ---------------------------------------------------------------------------------------

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

function techRefsOf(entities: MergedEntity[], refOf: RefOf): ExternalReference[] {
  return uniqueRefs([...new Set(entities.flatMap((e) => [...e.techniques]))].sort().map(refOf));
}

function uniqueRefs(refs: ExternalReference[]): ExternalReference[] {
  return uniqueBy(refs, (r) => `${r.name}|${r.external_id ?? ''}|${r.url ?? ''}|${r.description ?? ''}`);
}

function uniqueBy<T>(items: T[], keyOf: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = keyOf(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mergeEntities(incident: StoredIncident, kb: KnowledgeBase): MergedEntity[] {
  const map = new Map<string, MergedEntity>();
  for (const alert of incident.alerts) {
    const techniques = alert.techniques.map((t) => kb.technique(t)?.object.id).filter((t): t is string => Boolean(t));
    for (const e of alert.evidence) {
      const k = `${e.kind}\u0000${e.key}`;
      let m = map.get(k);
      if (!m) {
        m = { kind: e.kind, key: e.key, displayName: e.displayName || e.key, roles: new Set(), verdicts: new Set(), attributes: {}, techniques: new Set() };
        map.set(k, m);
      }
      for (const r of e.roles) m.roles.add(r.toLowerCase());
      if (e.verdict) m.verdicts.add(e.verdict.toLowerCase());
      for (const [a, v] of Object.entries(e.attributes)) if (v !== null && v !== '' && m.attributes[a.toLowerCase()] === undefined) m.attributes[a.toLowerCase()] = String(v);
      for (const t of techniques) m.techniques.add(t);
    }
  }
  return [...map.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
}

function attr(e: MergedEntity, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = e.attributes[n.toLowerCase()];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Evidence Defender judged harmless. */
function clean(e: MergedEntity): boolean {
  return (e.verdicts.has('nothreatsfound') || e.verdicts.has('clean')) && !e.verdicts.has('malicious') && !e.verdicts.has('suspicious');
}

/** IPs are blocked only when marked as the attacker's (an incident's IPs are often the victim's own). */
function hostile(e: MergedEntity): boolean {
  if (clean(e)) return false;
  return e.verdicts.has('malicious') || e.verdicts.has('suspicious') || ['attacker', 'commandandcontrol', 'suspicious'].some((r) => e.roles.has(r));
}

function mdeDeviceId(e: MergedEntity): string | undefined {
  const v = attr(e, 'mdeDeviceId', 'deviceId', 'machineId');
  return v && /^[0-9a-f]{40}$/i.test(v) ? v.toLowerCase() : undefined;
}

function userGraphId(e: MergedEntity): string | undefined {
  return attr(e, 'userAccount.azureAdUserId', 'azureAdUserId', 'aadUserId', 'userAccount.userPrincipalName', 'userPrincipalName') ?? (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e.key) ? e.key : undefined);
}

function fileHash(e: MergedEntity): { type: string; value: string } | undefined {
  const sha256 = attr(e, 'fileDetails.sha256', 'sha256');
  if (sha256 && /^[0-9a-f]{64}$/i.test(sha256)) return { type: 'FileSha256', value: sha256.toLowerCase() };
  const sha1 = attr(e, 'fileDetails.sha1', 'sha1');
  if (sha1 && /^[0-9a-f]{40}$/i.test(sha1)) return { type: 'FileSha1', value: sha1.toLowerCase() };
  const md5 = attr(e, 'fileDetails.md5', 'md5');
  if (md5 && /^[0-9a-f]{32}$/i.test(md5)) return { type: 'FileMd5', value: md5.toLowerCase() };
  if (/^[0-9a-f]{64}$/i.test(e.key)) return { type: 'FileSha256', value: e.key.toLowerCase() };
  return undefined;
}

function senderDomain(e: MergedEntity): string | undefined {
  const sender = attr(e, 'p1Sender', 'p2Sender', 'senderFromAddress', 'sender', 'senderMailFromAddress');
  const domain = sender?.split('@').pop()?.toLowerCase();
  return domain && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) ? domain : undefined;
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
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
