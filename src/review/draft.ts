import type { InvolvedEntity } from '../analysis/entities.js';
import type { ResponseTimings } from '../analysis/timings.js';
import type { ReviewSectionKey } from '../model/review.js';
import type { ReviewReport } from './report.js';

/**
 * The draft builds itself from the evidence: first versions of the review's sections, written
 * from the report (timeline, techniques, entities, timings). They are stored with source
 * `generated` until a person edits or confirms them. Pure.
 */
export function generateSections(report: Pick<ReviewReport, 'summary' | 'incident' | 'techniques' | 'entities' | 'timings' | 'alerts' | 'timeline'>): Record<Exclude<ReviewSectionKey, 'noFindings'>, string> {
  return {
    summary: report.summary,
    technicalSummary: technicalSummary(report),
    response: responseExecution(report.timings),
    takeaways: takeaways(report),
  };
}

function technicalSummary(r: Pick<ReviewReport, 'incident' | 'techniques' | 'entities' | 'alerts' | 'timeline'>): string {
  const lines: string[] = [];
  lines.push('What happened:');
  if (r.techniques.tactics.length === 0) lines.push('- No alert carried an ATT&CK technique.');
  for (const t of r.techniques.tactics) {
    lines.push(`- ${t.name}: ${t.techniques.map((x) => `${x.id} ${x.name}`).join('; ')}`);
  }
  const actors = r.entities.filter((e) => e.roles.some((role) => ['attacker', 'suspicious', 'source', 'contextual'].includes(role)) || (e.kind === 'ip' && !e.roles.includes('victim')));
  lines.push('');
  lines.push('Actors:');
  if (actors.length === 0) lines.push('- No attacker-side entity was named in the evidence.');
  for (const e of actors.slice(0, 20)) lines.push(`- ${e.kind} ${e.displayName}${e.roles.length ? ` (${e.roles.join(', ')})` : ''}`);
  const assets = r.entities.filter((e) => !actors.includes(e) && ['user', 'device', 'mailbox', 'cloudApplication', 'azureResource'].includes(e.kind));
  lines.push('');
  lines.push('Assets affected:');
  if (assets.length === 0) lines.push('- None named in the evidence.');
  for (const e of assets.slice(0, 30)) lines.push(`- ${e.kind} ${e.displayName}${e.roles.length ? ` (${e.roles.join(', ')})` : ''}${verdictText(e)}`);
  const times = r.timeline.map((e) => e.at).sort();
  lines.push('');
  lines.push(
    `Scope: ${r.alerts.length} alert(s), ${r.entities.length} entit${r.entities.length === 1 ? 'y' : 'ies'}` +
      (times.length ? `, from ${times[0]} to ${times[times.length - 1]}` : '') +
      '.',
  );
  return lines.join('\n');
}

function verdictText(e: InvolvedEntity): string {
  return e.verdicts.length ? `, verdict ${e.verdicts.join('/')}` : '';
}

const PHASE_LABELS: Record<string, string> = {
  detection: 'Detection',
  triage: 'Triage',
  containment: 'Containment',
  eradication: 'Eradication',
  recovery: 'Recovery',
  notification: 'Notification',
};

function responseExecution(t: ResponseTimings): string {
  const lines: string[] = [];
  const m = (label: string, d: { text: string } | null) => lines.push(`- ${label}: ${d ? d.text : 'not recorded'}`);
  m('Time to detect', t.timeToDetect);
  m('Time to acknowledge', t.timeToAcknowledge);
  m('Time to contain', t.timeToContain);
  m('Time to resolve', t.timeToResolve);
  lines.push('');
  lines.push('Phases on the timeline:');
  for (const phase of Object.keys(PHASE_LABELS)) {
    const span = t.phases.find((p) => p.phase === phase);
    lines.push(`- ${PHASE_LABELS[phase]}: ${span ? `from ${span.start}${span.end ? ` to ${span.end}` : ''} (${span.events} event${span.events === 1 ? '' : 's'})` : 'no event tagged'}`);
  }
  return lines.join('\n');
}

function takeaways(r: Pick<ReviewReport, 'timings' | 'techniques'>): string {
  const lines: string[] = [];
  const t = r.timings;
  if (t.timeToDetect) lines.push(`- Activity went undetected for ${t.timeToDetect.text}.`);
  if (!t.contained) lines.push('- No containment step is recorded on the timeline; tag the event that contained the incident.');
  else if (t.timeToContain) lines.push(`- Containment took ${t.timeToContain.text} from detection.`);
  const missing = ['triage', 'containment', 'eradication', 'recovery', 'notification'].filter((p) => !t.phases.some((s) => s.phase === p));
  if (missing.length) lines.push(`- Phases without any recorded event: ${missing.join(', ')}.`);
  if (r.techniques.tactics.length) lines.push(`- The attack spanned ${r.techniques.tactics.length} ATT&CK tactic(s); check detection coverage for each.`);
  return lines.join('\n');
}
