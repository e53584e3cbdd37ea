import { escapeMarkdown, markdownCode } from '../export/escape.js';
import { attackIdsOf, type CacaoPlaybook, type WorkflowStep } from './cacao.js';

/**
 * Renders a CACAO playbook as a Markdown runbook: numbered steps in workflow order (depth-first
 * from the start step, parallel branches one after another), grouped under phase headings taken
 * from step names of the form `Phase: what to do`, with each step's commands, who does it and its
 * ATT&CK references. Every text from the playbook is escaped.
 */
export function renderRunbookMarkdown(playbook: CacaoPlaybook): string {
  const lines: string[] = [];
  lines.push(`# Runbook: ${escapeMarkdown(playbook.name)}`, '');
  if (playbook.description) lines.push(escapeMarkdown(playbook.description, { multiline: true }), '');
  lines.push(`- Playbook: ${markdownCode(playbook.id)} (CACAO ${escapeMarkdown(playbook.spec_version)}, modified ${escapeMarkdown(playbook.modified)})`);
  if (playbook.playbook_types?.length) lines.push(`- Types: ${playbook.playbook_types.map((t) => escapeMarkdown(t)).join(', ')}`);
  const attack = attackIdsOf(playbook.external_references);
  if (attack.length > 0) lines.push(`- ATT&CK: ${attack.map((t) => escapeMarkdown(t)).join(', ')}`);
  lines.push('');

  let number = 0;
  let currentPhase: string | undefined;
  for (const { id, step, parallelOf } of workflowOrder(playbook)) {
    if (step.type === 'start' || step.type === 'end') continue;
    const { phase, title } = splitPhase(step.name ?? id);
    const heading = phase ?? 'Workflow';
    if (heading !== currentPhase) {
      lines.push(`## ${escapeMarkdown(heading)}`, '');
      currentPhase = heading;
    }
    if (step.type === 'parallel') {
      lines.push(`_${escapeMarkdown(step.description ?? 'The following steps can run at the same time.')}_`, '');
      continue;
    }
    number += 1;
    lines.push(`### ${number}. ${escapeMarkdown(title)}`, '');
    if (parallelOf) lines.push('_Can run in parallel with the other steps of this phase._', '');
    if (step.description) lines.push(escapeMarkdown(step.description, { multiline: true }), '');
    const who = whoDoesIt(playbook, step);
    if (who) lines.push(`- Who: ${who}`);
    if (step.type === 'playbook-action') {
      lines.push(`- Runs playbook ${markdownCode(step.playbook_id ?? '')}${step.playbook_version ? ` (version ${escapeMarkdown(step.playbook_version)})` : ''}`);
    }
    if (step.condition) lines.push(`- Condition: ${markdownCode(step.condition)}`);
    const refs = (step.external_references ?? []).filter((r) => r.name === 'mitre-attack');
    if (refs.length > 0) lines.push(`- ATT&CK: ${refs.map((r) => (r.url ? `[${escapeMarkdown(r.description ?? r.external_id ?? '')}](${safeUrl(r.url)})` : escapeMarkdown(r.description ?? r.external_id ?? ''))).join('; ')}`);
    const commands = step.commands ?? [];
    if (commands.length > 0) {
      lines.push('', 'Do:', '');
      commands.forEach((c, i) => {
        if (c.type === 'manual') lines.push(`${i + 1}. ${escapeMarkdown(c.command ?? c.description ?? '')}`);
        else {
          lines.push(`${i + 1}. ${escapeMarkdown(c.description ?? c.type)} (${escapeMarkdown(c.type)}):`, '');
          lines.push(fence(c.command ?? (c.command_b64 ? Buffer.from(c.command_b64, 'base64').toString('utf8') : ''), c.content));
        }
      });
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

interface Ordered {
  id: string;
  step: WorkflowStep;
  parallelOf?: string;
}

/** Steps depth-first from the start: a parallel step, then each branch in order, then what follows it. */
function workflowOrder(playbook: CacaoPlaybook): Ordered[] {
  const out: Ordered[] = [];
  const seen = new Set<string>();
  const visit = (id: string | undefined, parallelOf?: string) => {
    while (id && !seen.has(id)) {
      const step = playbook.workflow[id];
      if (!step) return;
      seen.add(id);
      out.push(parallelOf ? { id, step, parallelOf } : { id, step });
      if (step.type === 'parallel') for (const b of step.next_steps ?? []) visit(b, id);
      for (const b of [step.on_true, step.on_false, ...Object.values(step.cases ?? {})]) visit(b, parallelOf);
      id = step.on_completion ?? step.on_success;
      if (step.on_failure) visit(step.on_failure, parallelOf);
    }
  };
  visit(playbook.workflow_start);
  return out;
}

function splitPhase(name: string): { phase?: string; title: string } {
  const m = /^(Containment|Eradication|Recovery|Lessons learned|Preparation|Detection|Investigation|Notification):\s*(.*)$/i.exec(name);
  if (!m) return { title: name };
  const title = m[2] || name;
  return { phase: m[1] as string, title };
}

function whoDoesIt(playbook: CacaoPlaybook, step: WorkflowStep): string | undefined {
  const parts: string[] = [];
  const agent = step.agent ? playbook.agent_definitions?.[step.agent] : undefined;
  if (agent) parts.push(`${escapeMarkdown(agent.name)} (${escapeMarkdown(agent.type)})`);
  const targets = (step.targets ?? []).map((t) => playbook.target_definitions?.[t]).filter((t) => t !== undefined);
  if (targets.length > 0) parts.push(`against ${targets.map((t) => escapeMarkdown(t.name)).join(', ')}`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function fence(command: string, content: string | undefined): string {
  const body = content ? `${command}\n\n${content}` : command;
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${body}\n${f}\n`;
}

function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url.replace(/[()\s<>]/g, (c) => encodeURIComponent(c)) : '#';
}
