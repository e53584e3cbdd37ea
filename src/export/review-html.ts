import { approvalFlagHtml } from './approval-flag.js';
import type { ReviewReport } from '../review/report.js';
import { escapeHtml as h } from './escape.js';

const STYLE = `
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dde5; --accent:#8a1c1c; --bg-soft:#f5f6f8; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 2rem 2.2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; line-height: 1.2; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--ink); break-after: avoid; }
h3 { font-size: 1rem; margin: 1.1rem 0 .4rem; break-after: avoid; }
.subtitle { color: var(--muted); margin: 0 0 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: 9.5pt; }
th, td { text-align: left; vertical-align: top; padding: .3rem .45rem; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
/* Words stay whole in narrow columns; only the free-text columns (names, paths, hashes, command lines) may break anywhere. */
.timeline td:nth-child(2), .entities td:nth-child(2), .entities td:nth-child(6), .alerts td:nth-child(2), .alerts td:nth-child(5), .timings td:nth-child(3), .timings td:nth-child(4) { overflow-wrap: anywhere; }
.timeline td:nth-child(2) { min-width: 14rem; } .entities td:nth-child(2) { min-width: 8rem; } .entities td:nth-child(6) { min-width: 13rem; } .alerts td:nth-child(2) { min-width: 11rem; }
th { background: var(--bg-soft); font-weight: 600; }
tr { break-inside: avoid; }
.facts { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem 1rem; margin: 0 0 1rem; padding: .8rem 1rem; background: var(--bg-soft); border-radius: 6px; }
.facts div { min-width: 0; }
.facts dt { font-size: 8pt; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.sev { display: inline-block; white-space: nowrap; padding: 0 .45rem; border-radius: 999px; font-size: 8.5pt; font-weight: 700; border: 1px solid currentColor; }
.sev-high, .sev-critical { color: #a4161a; } .sev-medium { color: #b85c00; } .sev-low, .sev-informational { color: #33658a; }
.key td { font-weight: 600; }
.phase { font-size: 8.5pt; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.tactic { margin: 0 0 .8rem; }
.tactic ul { margin: .2rem 0 0 1.1rem; padding: 0; }
.muted { color: var(--muted); }
.timings td:nth-child(2) { font-weight: 700; white-space: nowrap; }
blockquote { margin: .6rem 0; padding: .4rem .8rem; border-left: 3px solid var(--line); color: var(--muted); white-space: pre-wrap; }
footer { margin-top: 2rem; font-size: 8.5pt; color: var(--muted); border-top: 1px solid var(--line); padding-top: .5rem; }
code { font: 9pt ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

/** A review as one self-contained, print-friendly HTML page. Every text from the incident is escaped. */
export function renderReviewHtml(report: ReviewReport, extraSections: string[] = []): string {
  const r = report;
  const inc = r.incident;
  const t = r.timings;
  const fact = (label: string, value: string) => `<div><dt>${h(label)}</dt><dd>${value}</dd></div>`;
  const facts = [
    fact('Incident', `${h(inc.id)}<br><span class="muted">${h(inc.source)} ${h(inc.sourceId)}</span>`),
    fact('Severity', `<span class="sev sev-${h(inc.severity.toLowerCase())}">${h(inc.severity)}</span>`),
    fact('Status', h(inc.status)),
    fact('Classification', h([inc.classification, inc.determination].filter(Boolean).join(' / ') || '—')),
    fact('Created', h(inc.createdAt)),
    fact('Resolved', h(inc.resolvedAt ?? '—')),
    fact('Alerts', String(inc.alertCount)),
    fact('ATT&CK', `${h(r.attack.domain)} v${h(r.attack.version)}`),
  ].join('');

  const timingRow = (label: string, d: { text: string } | null, from: { at: string; basis: string } | null, to: { at: string; basis: string } | null) =>
    `<tr><td>${h(label)}</td><td>${d ? h(d.text) : 'n/a'}</td><td>${from ? `${h(from.at)}<br><span class="muted">${h(from.basis)}</span>` : '—'}</td><td>${to ? `${h(to.at)}<br><span class="muted">${h(to.basis)}</span>` : '—'}</td></tr>`;

  let hiddenEvents = 0;
  const timeline = r.timeline
    .filter((e) => {
      const hidden = 'hidden' in e && e.hidden;
      if (hidden) hiddenEvents++;
      return !hidden;
    })
    .map((e) => {
      const extra = 'hidden' in e ? e : null;
      const notes = [
        e.detail ? `<br><span class="muted">${h(e.detail)}</span>` : '',
        extra?.note ? `<br><span class="muted">note: ${h(extra.note)}</span>` : '',
        extra?.evidence.length ? `<br><span class="muted">evidence: ${h(extra.evidence.join('; '))}</span>` : '',
      ].join('');
      const phase = e.phase ? `${e.phase}${e.phaseSource === 'manual' && e.origin === 'data' ? ' (tagged)' : ''}` : '';
      return `<tr class="${e.keyMoment ? 'key' : ''}"><td>${h(e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td>${h(e.title)}${e.origin === 'manual' ? ' <em class="muted">(hand-written)</em>' : ''}${notes}</td><td class="phase">${h(phase)}</td><td>${h(e.actor ?? '')}${e.techniques.length ? `<br><code>${h(e.techniques.join(', '))}</code>` : ''}</td></tr>`;
    })
    .join('\n');

  const tactics = r.techniques.tactics.length
    ? r.techniques.tactics
        .map(
          (tac) =>
            `<div class="tactic"><h3>${h(tac.name)} <span class="muted">${h(tac.id)}</span></h3><ul>${tac.techniques
              .map((tech) => `<li><strong>${h(tech.id)}</strong> ${h(tech.name)} <span class="muted">— ${tech.alertIds.length} alert${tech.alertIds.length === 1 ? '' : 's'}${tech.reportedAs.length ? `; reported as ${h(tech.reportedAs.join(', '))} (revoked, followed to its replacement)` : ''}</span></li>`)
              .join('')}</ul></div>`,
        )
        .join('\n')
    : '<p class="muted">No alert carried an ATT&amp;CK technique known to this version.</p>';

  const entities = r.entities.length
    ? `<table class="entities"><thead><tr><th>Kind</th><th>Entity</th><th>Roles</th><th>Verdict</th><th>Alerts</th><th>Details</th></tr></thead><tbody>${r.entities
        .map(
          (e) =>
            `<tr><td>${h(e.kind)}</td><td>${h(e.displayName)}</td><td>${h(e.roles.join(', '))}</td><td>${h(e.verdicts.join(', '))}</td><td>${e.alertIds.length}</td><td>${Object.entries(e.highlights)
              .filter(([, v]) => v !== e.displayName)
              .slice(0, 3)
              .map(([k, v]) => `<span class="muted">${h(k)}:</span> ${h(v)}`)
              .join('<br>')}</td></tr>`,
        )
        .join('\n')}</tbody></table>`
    : '<p class="muted">No evidence entities were attached to the alerts.</p>';

  const alerts = `<table class="alerts"><thead><tr><th>Created (UTC)</th><th>Alert</th><th>Severity</th><th>Status</th><th>Source</th><th>Techniques</th></tr></thead><tbody>${r.alerts
    .map((a) => `<tr><td>${h(a.createdAt)}</td><td>${h(a.title)}</td><td><span class="sev sev-${h(a.severity.toLowerCase())}">${h(a.severity)}</span></td><td>${h(a.status)}</td><td>${h(a.detectionSource ?? '')}</td><td><code>${h(a.techniques.join(', '))}</code></td></tr>`)
    .join('\n')}</tbody></table>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Post-incident review: ${h(inc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Post-incident review: ${h(inc.title)}</h1>
${approvalFlagHtml(r)}
<p class="subtitle">Generated by Hindsight at ${h(r.generatedAt)}</p>
<dl class="facts">${facts}</dl>
</header>
<section><h2>Summary</h2><p>${h(r.summary)}</p>${inc.description ? `<blockquote>${h(inc.description)}</blockquote>` : ''}</section>
${r.actors ? actorsHtml(r.actors) : ''}
<section><h2>Response timings</h2>
<table class="timings"><thead><tr><th>Measure</th><th>Time</th><th>From</th><th>To</th></tr></thead><tbody>
${timingRow('Time to detect', t.timeToDetect, t.firstActivity, t.detected)}
${timingRow('Time to acknowledge', t.timeToAcknowledge, t.detected, t.acknowledged)}
${timingRow('Time to contain', t.timeToContain, t.detected, t.contained)}
${timingRow('Time to resolve', t.timeToResolve, t.detected, t.resolved)}
</tbody></table></section>
${extraSections.join('\n')}
<section><h2>Sequence of events</h2>
<table class="timeline"><thead><tr><th style="width:11rem">Time (UTC)</th><th>Event</th><th>Phase</th><th>Who / techniques</th></tr></thead><tbody>
${timeline}
</tbody></table>${hiddenEvents ? `<p class="muted">${hiddenEvents} event${hiddenEvents === 1 ? '' : 's'} hidden by the reviewers (see the JSON report for the reasons).</p>` : ''}</section>
<section><h2>ATT&amp;CK techniques by tactic</h2>${tactics}${r.techniques.unknown.length ? `<p class="muted">Unknown to ATT&amp;CK v${h(r.attack.version)}: ${h(r.techniques.unknown.map((u) => u.id).join(', '))}</p>` : ''}</section>
${r.detection ? detectionHtml(r.detection) : ''}
<section><h2>Entities involved</h2>${entities}</section>
<section><h2>Alerts</h2>${alerts}</section>
<footer>Hindsight post-incident review · incident ${h(inc.id)} · ATT&amp;CK ${h(r.attack.domain)} v${h(r.attack.version)}</footer>
</body>
</html>
`;
}

function actorsHtml(a: NonNullable<ReviewReport['actors']>): string {
  const rows = a.candidates
    .map(
      (c) =>
        `<tr><td><strong>${h(c.id)}</strong> ${h(c.name)}${c.aliases.length ? `<br><span class="muted">${h(c.aliases.slice(0, 3).join(', '))}</span>` : ''}</td><td>${h(c.type)}</td><td>${h(c.confidence)}</td><td>${(c.probability * 100).toFixed(0)}%</td><td>${h(c.sharedTechniques.map((t) => t.id).join(', '))}</td><td>${h(c.sharedSoftware.map((s) => s.name).join(', '))}</td><td>${h(c.huntFor.map((t) => `${t.id} ${t.name}`).join('; '))}</td></tr>`,
    )
    .join('\n');
  return `<section><h2>Actors</h2><p>${a.attributed ? h(a.statement) : `<strong>${h(a.statement)}</strong>`}</p>${
    a.software.length ? `<p class="muted">Software recognised in the evidence: ${h(a.software.map((s) => `${s.id} ${s.name}`).join(', '))}</p>` : ''
  }${rows ? `<table><thead><tr><th>Candidate</th><th>Type</th><th>Confidence</th><th>Probability</th><th>Shared techniques</th><th>Shared software</th><th>Hunt for next</th></tr></thead><tbody>${rows}</tbody></table>` : ''}</section>`;
}

function detectionHtml(d: NonNullable<ReviewReport['detection']>): string {
  const rows = d.techniques
    .map((t) => {
      const by = t.detectedBy.map((a) => `${h(a.title)}${a.reportedAs.toUpperCase() !== t.id ? ` <span class="muted">(as ${h(a.reportedAs)})</span>` : ''}`).join('<br>');
      return `<tr><td><strong>${h(t.id)}</strong> ${h(t.name)}${t.confirmed ? ' <span class="muted">(confirmed)</span>' : ''}</td><td>${by || '—'}</td><td>${t.missed ? '<strong>missed</strong>' : ''}</td><td>${t.rules === null ? 'n/a' : t.rules}</td></tr>`;
    })
    .join('\n');
  return `<section><h2>Detection</h2><p>${d.detected} technique${d.detected === 1 ? '' : 's'} detected by an alert, ${d.missed} confirmed by the review without any alert (missed). Rules: ${d.rulesSource ? h(d.rulesSource) : 'no rule inventory given'}.</p><table><thead><tr><th>Technique</th><th>Detected by</th><th>Missed</th><th>Rules</th></tr></thead><tbody>${rows}</tbody></table>${
    d.unknown.length ? `<p class="muted">Unknown to this ATT&amp;CK version: ${h(d.unknown.join(', '))}</p>` : ''
  }${d.probablyAlsoHappened ? probablyAlsoHappenedHtml(d.probablyAlsoHappened) : ''}</section>`;
}

/** Inferred techniques no alert showed: leads for the review to confirm or dismiss. */
function probablyAlsoHappenedHtml(p: NonNullable<NonNullable<ReviewReport['detection']>['probablyAlsoHappened']>): string {
  if (p.techniques.length === 0) return `<h3>Probably also happened</h3><p class="muted">${h(p.note ?? 'nothing to infer')}</p>`;
  const rows = p.techniques
    .map(
      (t) =>
        `<tr><td><strong>${h(t.id)}</strong> ${h(t.name)}<br><span class="muted">${h(t.tactics.join(', '))}</span></td><td>${t.score.toFixed(2)}</td><td>${h(t.because.map((b) => `${b.technique} ${Math.round(b.weight * 100)}%`).join(', ') || '—')}</td><td>${t.rules === null ? 'n/a' : t.rules === 0 ? '<strong>none</strong>' : t.rules}</td><td>${h(t.dataSources.slice(0, 4).join('; ') || '—')}</td></tr>`,
    )
    .join('\n');
  return `<h3>Probably also happened</h3><p class="muted">Techniques that usually come with those observed (learned from ATT&amp;CK's groups, campaigns and software) and that no alert showed: confirm or dismiss each.${p.note ? ` ${h(p.note)}` : ''}</p><table><thead><tr><th>Technique</th><th>Score</th><th>Because of</th><th>Rules</th><th>Data to check</th></tr></thead><tbody>${rows}</tbody></table>`;
}
