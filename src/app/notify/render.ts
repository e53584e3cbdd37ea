import { NOTIFICATION_KIND_LABELS, type NotificationKind, type WebhookFormat } from '../../model/notifications.js';

/** One event, with what a message about it needs besides the event row. */
export interface MessageContext {
  eventId: string;
  kind: string;
  incidentId: string;
  incidentTitle: string;
  subjectId: string;
  subjectTitle: string;
  actor: string;
  facts: Record<string, string>;
  occurredAt: string;
  /** The incident in the web app, or null when HINDSIGHT_PUBLIC_URL is not set. */
  link: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function kindLabel(kind: string): string {
  return NOTIFICATION_KIND_LABELS[kind as NotificationKind] ?? kind;
}

/** The incident's page in the web app (a hash route), or null without a public URL. */
export function incidentLink(publicUrl: string | null, incidentId: string): string | null {
  return publicUrl ? `${publicUrl}/#/incidents/${encodeURIComponent(incidentId)}` : null;
}

/** One line: control characters (a header injection, a forged line) become spaces. */
function oneLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** `[Hindsight] Review submitted: <incident>` or `[Hindsight] Action item overdue: <item> (<incident>)`. */
export function subjectOf(m: Pick<MessageContext, 'kind' | 'incidentTitle' | 'subjectTitle'>): string {
  const about = m.subjectTitle ? `${m.subjectTitle} (${m.incidentTitle})` : m.incidentTitle;
  return oneLine(`[Hindsight] ${kindLabel(m.kind)}: ${about}`, 240);
}

/** What happened, in one sentence. */
export function sentenceOf(m: MessageContext): string {
  const item = m.subjectTitle ? `"${m.subjectTitle}"` : '';
  switch (m.kind) {
    case 'review.required':
      return `The post-incident review of "${m.incidentTitle}" is required.`;
    case 'review.submitted':
      return `${m.actor} submitted the post-incident review of "${m.incidentTitle}" for approval.`;
    case 'review.returned':
      return `${m.actor} returned the post-incident review of "${m.incidentTitle}" for more work.`;
    case 'review.approved':
      return `${m.actor} approved the post-incident review of "${m.incidentTitle}".`;
    case 'action.assigned':
      return `${m.actor} assigned you the action item ${item} of "${m.incidentTitle}".`;
    case 'task.assigned':
      return `${m.actor} assigned you the task ${item} of "${m.incidentTitle}".`;
    case 'action.due-soon':
      return `The action item ${item} of "${m.incidentTitle}" is due soon.`;
    case 'task.due-soon':
      return `The task ${item} of "${m.incidentTitle}" is due soon.`;
    case 'action.overdue':
      return `The action item ${item} of "${m.incidentTitle}" is overdue.`;
    case 'task.overdue':
      return `The task ${item} of "${m.incidentTitle}" is overdue.`;
    case 'action.escalated':
      return `The action item ${item} of "${m.incidentTitle}" is still overdue; escalated to you as the incident's reviewer.`;
    case 'task.escalated':
      return `The task ${item} of "${m.incidentTitle}" is still overdue; escalated to you as the incident's reviewer.`;
    case 'tracker.changed':
      return `The tracker issue of the action item ${item} of "${m.incidentTitle}" changed state.`;
    case 'action.regressed':
      return `The detection fix ${item} of "${m.incidentTitle}" is no longer covered by the rule inventory: it was reopened.`;
    default:
      return `${kindLabel(m.kind)}: "${m.incidentTitle}".`;
  }
}

function factLines(m: MessageContext): [string, string][] {
  return [['Incident', `${m.incidentTitle} (${m.incidentId})`], ...Object.entries(m.facts)];
}

/** A message for one event: plain text and simple HTML with every value escaped. */
export function renderMail(m: MessageContext): RenderedMail {
  const facts = factLines(m);
  const text = [sentenceOf(m), '', ...facts.map(([k, v]) => `${k}: ${v}`), ...(m.link ? ['', `Open in Hindsight: ${m.link}`] : []), '', FOOTER].join('\n');
  const html = page(`<p>${escapeHtml(sentenceOf(m))}</p>${factTable(facts)}${m.link ? linkHtml(m.link) : ''}<p style="color:#555;font-size:12px">${escapeHtml(FOOTER)}</p>`);
  return { subject: subjectOf(m), text, html };
}

/** One message gathering a person's digest items of the day. */
export function renderDigest(items: MessageContext[], day: string): RenderedMail {
  const subject = `[Hindsight] Daily digest for ${day}: ${items.length} notification${items.length === 1 ? '' : 's'}`;
  const text = [
    `Your Hindsight notifications for ${day}:`,
    '',
    ...items.flatMap((m) => [`- ${kindLabel(m.kind)}: ${sentenceOf(m)}`, ...(m.link ? [`  ${m.link}`] : [])]),
    '',
    FOOTER,
  ].join('\n');
  const list = items.map((m) => `<li><strong>${escapeHtml(kindLabel(m.kind))}</strong>: ${escapeHtml(sentenceOf(m))}${m.link ? ` <a href="${escapeHtml(m.link)}">Open</a>` : ''}</li>`).join('');
  const html = page(`<p>Your Hindsight notifications for ${escapeHtml(day)}:</p><ul>${list}</ul><p style="color:#555;font-size:12px">${escapeHtml(FOOTER)}</p>`);
  return { subject, text, html };
}

const FOOTER = 'You receive this because of your Hindsight notification preferences (Notifications in the web app).';

function page(body: string): string {
  return `<!doctype html><html><body style="font-family:sans-serif;color:#111">${body}</body></html>`;
}

function factTable(facts: [string, string][]): string {
  return `<table>${facts.map(([k, v]) => `<tr><th style="text-align:left;padding-right:12px">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function linkHtml(link: string): string {
  return `<p><a href="${escapeHtml(link)}">Open in Hindsight</a></p>`;
}

/** Slack's mrkdwn needs only &, < and > escaped (they start links and mentions). */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webhook body for one event, in the configured style. */
export function webhookPayload(format: WebhookFormat, m: MessageContext): unknown {
  const title = kindLabel(m.kind);
  const sentence = sentenceOf(m);
  const facts = factLines(m);
  if (format === 'slack') {
    return {
      text: slackEscape(`${title}: ${sentence}`) + (m.link ? ` <${m.link}|Open in Hindsight>` : ''),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: oneLine(title, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: slackEscape(sentence) } },
        { type: 'section', fields: facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${slackEscape(k)}*\n${slackEscape(oneLine(v, 1900))}` })) },
        ...(m.link ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Hindsight' }, url: m.link }] }] : []),
        { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`${m.kind} · ${m.occurredAt}`) }] },
      ],
    };
  }
  if (format === 'teams') {
    return {
      type: 'message',
      summary: oneLine(`${title}: ${m.incidentTitle}`),
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: sentence, wrap: true },
              { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
            ],
            ...(m.link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Hindsight', url: m.link }] } : {}),
          },
        },
      ],
    };
  }
  return {
    id: m.eventId,
    kind: m.kind,
    title,
    summary: sentence,
    subject: subjectOf(m),
    occurredAt: m.occurredAt,
    actor: m.actor,
    incident: { id: m.incidentId, title: m.incidentTitle, url: m.link },
    item: m.subjectId !== m.incidentId ? { id: m.subjectId, title: m.subjectTitle } : null,
    facts: m.facts,
  };
}
