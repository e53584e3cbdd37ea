import { approvalFlagMarkdown } from './approval-flag.js';
import type { ReviewReport } from '../review/report.js';
import { escapeMarkdown as md } from './escape.js';

/** Renders a review as Markdown. Every text from the incident is escaped. */
export function renderReviewMarkdown(report: ReviewReport, extraSections: string[] = []): string {
  const r = report;
  const inc = r.incident;
  const out: string[] = [];
  out.push(`# Post-incident review: ${md(inc.title)}`);
  out.push('');
  out.push(...approvalFlagMarkdown(r));
  out.push(`| | |`);
  out.push(`|---|---|`);
  out.push(`| Incident | ${md(inc.id)} (${md(inc.source)} ${md(inc.sourceId)}) |`);
  out.push(`| Severity | ${md(inc.severity)} |`);
  out.push(`| Status | ${md(inc.status)} |`);
  if (inc.classification || inc.determination) out.push(`| Classification | ${md([inc.classification, inc.determination].filter(Boolean).join(' / '))} |`);
  if (inc.assignedTo) out.push(`| Assigned to | ${md(inc.assignedTo)} |`);
  out.push(`| Created | ${inc.createdAt} |`);
  if (inc.resolvedAt) out.push(`| Resolved | ${inc.resolvedAt} |`);
  out.push(`| Alerts | ${inc.alertCount} |`);
  if (inc.tags.length) out.push(`| Tags | ${inc.tags.map((t) => md(t)).join(', ')} |`);
  out.push(`| ATT&CK | ${md(r.attack.domain)} v${md(r.attack.version)} |`);
  out.push('');

  out.push('## Summary');
  out.push('');
  out.push(md(r.summary));
  if (inc.description) {
    out.push('');
    out.push(`> ${md(inc.description, { multiline: true }).replace(/\n/g, '\n> ')}`);
  }
  out.push('');

  if (r.actors) out.push(...actorsMarkdown(r.actors));
  out.push('## Response timings');
  out.push('');
  out.push('| Measure | Time | From | To |');
  out.push('|---|---|---|---|');
  const t = r.timings;
  const row = (label: string, d: { text: string } | null, from: { at: string; basis: string } | null, to: { at: string; basis: string } | null) =>
    out.push(`| ${label} | ${d ? d.text : 'n/a'} | ${from ? `${from.at} (${md(from.basis)})` : '—'} | ${to ? `${to.at} (${md(to.basis)})` : '—'} |`);
  row('Time to detect', t.timeToDetect, t.firstActivity, t.detected);
  row('Time to acknowledge', t.timeToAcknowledge, t.detected, t.acknowledged);
  row('Time to contain', t.timeToContain, t.detected, t.contained);
  row('Time to resolve', t.timeToResolve, t.detected, t.resolved);
  if (t.phases.length) {
    out.push('');
    out.push('Response phases seen on the timeline: ' + t.phases.map((p) => `${p.phase} from ${p.start}${p.end ? ` to ${p.end}` : ''} (${p.events} event${p.events === 1 ? '' : 's'})`).join('; ') + '.');
  }
  out.push('');

  for (const section of extraSections) out.push(section);

  out.push('## Sequence of events');
  out.push('');
  out.push('| Time (UTC) | Event | Phase | Details |');
  out.push('|---|---|---|---|');
  let hidden = 0;
  for (const e of r.timeline) {
    const extra = 'hidden' in e ? e : null;
    if (extra?.hidden) {
      hidden++;
      continue;
    }
    const title = `${e.keyMoment ? '**' : ''}${md(e.title)}${e.keyMoment ? '**' : ''}${e.origin === 'manual' ? ' _(hand-written)_' : ''}`;
    const details = [
      e.detail ? md(e.detail) : '',
      e.actor ? `by ${md(e.actor)}` : '',
      e.techniques.length ? md(e.techniques.join(', ')) : '',
      extra?.note ? `note: ${md(extra.note)}` : '',
      extra?.evidence.length ? `evidence: ${extra.evidence.map((x) => md(x)).join('; ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const phase = e.phase ? `${e.phase}${e.phaseSource === 'manual' && e.origin === 'data' ? ' (tagged)' : ''}` : '';
    out.push(`| ${e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} | ${title} | ${phase} | ${details} |`);
  }
  if (hidden) {
    out.push('');
    out.push(`${hidden} event${hidden === 1 ? '' : 's'} hidden by the reviewers (see the JSON report for the reasons).`);
  }
  out.push('');

  out.push('## ATT&CK techniques by tactic');
  out.push('');
  if (r.techniques.tactics.length === 0) {
    out.push('No alert carried an ATT&CK technique known to this ATT&CK version.');
  }
  for (const tactic of r.techniques.tactics) {
    out.push(`### ${md(tactic.name)} (${tactic.id})`);
    out.push('');
    for (const tech of tactic.techniques) {
      const remap = tech.reportedAs.length ? ` — reported as ${tech.reportedAs.map((x) => md(x)).join(', ')} (revoked, followed to its replacement)` : '';
      out.push(`- **${tech.id}** ${md(tech.name)} — ${tech.alertIds.length} alert${tech.alertIds.length === 1 ? '' : 's'}${remap}`);
    }
    out.push('');
  }
  if (r.techniques.unknown.length) {
    out.push(`Techniques unknown to ATT&CK v${md(r.attack.version)}: ${r.techniques.unknown.map((u) => md(u.id)).join(', ')}.`);
    out.push('');
  }

  if (r.detection) out.push(...detectionMarkdown(r.detection));
  out.push('## Entities involved');
  out.push('');
  if (r.entities.length === 0) out.push('No evidence entities were attached to the alerts.');
  else {
    out.push('| Kind | Entity | Roles | Verdict | Alerts | Details |');
    out.push('|---|---|---|---|---|---|');
    for (const e of r.entities) {
      const details = Object.entries(e.highlights)
        .filter(([, v]) => v !== e.displayName)
        .slice(0, 3)
        .map(([k, v]) => `${md(k)}: ${md(v.length > 90 ? `${v.slice(0, 89)}…` : v)}`)
        .join('; ');
      out.push(`| ${e.kind} | ${md(e.displayName)} | ${md(e.roles.join(', '))} | ${md(e.verdicts.join(', '))} | ${e.alertIds.length} | ${details} |`);
    }
  }
  out.push('');

  out.push('## Alerts');
  out.push('');
  out.push('| Created (UTC) | Alert | Severity | Status | Source | Techniques |');
  out.push('|---|---|---|---|---|---|');
  for (const a of r.alerts) {
    out.push(`| ${a.createdAt} | ${md(a.title)} | ${md(a.severity)} | ${md(a.status)} | ${md(a.detectionSource ?? '')} | ${md(a.techniques.join(', '))} |`);
  }
  out.push('');
  out.push(`_Generated by Hindsight at ${r.generatedAt} from ATT&CK ${md(r.attack.domain)} v${md(r.attack.version)}._`);
  out.push('');
  return out.join('\n');
}

function actorsMarkdown(a: NonNullable<ReviewReport['actors']>): string[] {
  const out = ['## Actors', ''];
  out.push(a.attributed ? md(a.statement) : `**${md(a.statement)}**`);
  out.push('');
  if (a.software.length) {
    out.push(`Software recognised in the evidence: ${a.software.map((s) => `${s.id} ${md(s.name)} (seen as ${s.seenAs.map((x) => md(x)).join(', ')})`).join('; ')}.`);
    out.push('');
  }
  if (a.candidates.length) {
    out.push('| Candidate | Type | Confidence | Probability | Shared techniques | Shared software | Hunt for next |');
    out.push('|---|---|---|---|---|---|---|');
    for (const c of a.candidates) {
      out.push(
        `| ${c.id} ${md(c.name)}${c.aliases.length ? ` (${md(c.aliases.slice(0, 3).join(', '))})` : ''} | ${c.type} | ${c.confidence} | ${(c.probability * 100).toFixed(0)}% | ${c.sharedTechniques.map((t) => t.id).join(', ')} | ${c.sharedSoftware.map((s) => md(s.name)).join(', ')} | ${c.huntFor.map((t) => `${t.id} ${md(t.name)}`).join('; ')} |`,
      );
    }
    out.push('');
    out.push('_Candidates are ranked by how much more likely the observed techniques and software are under their ATT&CK profile than under the background of all groups; shared techniques are listed most distinctive first._');
    out.push('');
  }
  return out;
}

function detectionMarkdown(d: NonNullable<ReviewReport['detection']>): string[] {
  const out = ['## Detection', ''];
  out.push(`${d.detected} technique${d.detected === 1 ? '' : 's'} detected by an alert, ${d.missed} confirmed by the review without any alert (missed). Rules: ${d.rulesSource ? md(d.rulesSource) : 'no rule inventory given (use --rules or HINDSIGHT_RULES)'}.`);
  out.push('');
  out.push('| Technique | Detected by | Missed | Rules |');
  out.push('|---|---|---|---|');
  for (const t of d.techniques) {
    const by = t.detectedBy.map((a) => `${md(a.title)}${a.reportedAs.toUpperCase() !== t.id ? ` (as ${md(a.reportedAs)})` : ''}`).join('; ');
    out.push(`| ${t.id} ${md(t.name)}${t.confirmed ? ' (confirmed)' : ''} | ${by || '—'} | ${t.missed ? '**missed**' : ''} | ${t.rules === null ? 'n/a' : t.rules} |`);
  }
  if (d.unknown.length) out.push('', `Unknown to this ATT&CK version: ${d.unknown.map((u) => md(u)).join(', ')}.`);
  out.push('');
  const p = d.probablyAlsoHappened;
  if (p) {
    out.push('### Probably also happened', '');
    out.push(`Techniques that usually come with those observed (learned from ATT&CK's groups, campaigns and software) and that no alert showed: confirm or dismiss each.${p.note ? ` ${md(p.note)}` : ''}`, '');
    if (p.techniques.length) {
      out.push('| Technique | Score | Because of | Rules | Data to check |');
      out.push('|---|---|---|---|---|');
      for (const t of p.techniques) {
        const because = t.because.map((b) => `${b.technique} ${Math.round(b.weight * 100)}%`).join(', ');
        out.push(`| ${t.id} ${md(t.name)} (${md(t.tactics.join(', '))}) | ${t.score.toFixed(2)} | ${because || '—'} | ${t.rules === null ? 'n/a' : t.rules === 0 ? '**none**' : t.rules} | ${md(t.dataSources.slice(0, 4).join('; ')) || '—'} |`);
      }
      out.push('');
    }
    if (p.dismissed.length) out.push(`Dismissed by the review: ${p.dismissed.map((x) => md(x)).join(', ')}.`, '');
  }
  return out;
}
