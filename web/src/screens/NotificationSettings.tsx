import { useState, type FormEvent } from 'react';
import { api, dataOf, type paths, type Schemas } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, when } from './common';

type Settings = Schemas['NotificationSettings'];
type Format = Settings['webhookFormat'];
type SettingsPatch = NonNullable<paths['/api/admin/notifications']['put']['requestBody']>['content']['application/json'];

/** A field set by the server's environment: shown, not editable here (the environment wins). */
const ENV_OF: Record<string, string> = {
  smtpUrl: 'HINDSIGHT_SMTP_URL',
  smtpPassword: 'HINDSIGHT_SMTP_PASSWORD',
  mailFrom: 'HINDSIGHT_MAIL_FROM',
  webhookUrl: 'HINDSIGHT_WEBHOOK_URL',
  webhookSecret: 'HINDSIGHT_WEBHOOK_SECRET',
  webhookFormat: 'HINDSIGHT_WEBHOOK_FORMAT',
  dueSoonDays: 'HINDSIGHT_NOTIFY_DUE_SOON_DAYS',
  escalationDays: 'HINDSIGHT_NOTIFY_ESCALATION_DAYS',
  digestHour: 'HINDSIGHT_NOTIFY_DIGEST_HOUR',
};

interface Draft {
  smtpUrl: string;
  smtpPassword: string;
  mailFrom: string;
  webhookUrl: string;
  webhookSecret: string;
  webhookFormat: Format;
  dueSoonDays: string;
  escalationDays: string;
  digestHour: string;
}

function draftOf(s: Settings): Draft {
  return { smtpUrl: s.smtpUrl ?? '', smtpPassword: '', mailFrom: s.mailFrom ?? '', webhookUrl: '', webhookSecret: '', webhookFormat: s.webhookFormat, dueSoonDays: String(s.dueSoonDays), escalationDays: String(s.escalationDays), digestHour: String(s.digestHour) };
}

/**
 * Where notifications go (admins): the SMTP server and sender, the webhook and its payload style,
 * the reminder timing; a test message; the latest deliveries with their errors. Secrets are
 * write-only: a field shows only whether one is set, and an empty field keeps it.
 */
export function NotificationSettings() {
  const loaded = useApi(() => dataOf(api.GET('/api/admin/notifications')), 'notification-settings');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [testTo, setTestTo] = useState('');
  const [busy, setBusy] = useState(false);
  const settings = loaded.data?.settings;
  const f = draft ?? (settings ? draftOf(settings) : null);
  const fromEnv = (field: string) => Boolean(settings?.fromEnvironment.includes(ENV_OF[field] ?? ''));
  const set = (field: keyof Draft) => (e: { target: { value: string } }) => f && setDraft({ ...f, [field]: e.target.value });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!f || !settings) return;
    setMessage(null);
    setFailure(null);
    const body: SettingsPatch = {};
    const text = (field: 'smtpUrl' | 'mailFrom', value: string) => {
      if (!fromEnv(field) && value.trim() !== (settings[field] ?? '')) body[field] = value.trim() === '' ? null : value.trim();
    };
    text('smtpUrl', f.smtpUrl);
    text('mailFrom', f.mailFrom);
    // Secrets: typed means replace; empty keeps what is stored.
    for (const secret of ['smtpPassword', 'webhookUrl', 'webhookSecret'] as const) if (!fromEnv(secret) && f[secret].trim() !== '') body[secret] = f[secret].trim();
    if (!fromEnv('webhookFormat') && f.webhookFormat !== settings.webhookFormat) body.webhookFormat = f.webhookFormat;
    for (const n of ['dueSoonDays', 'escalationDays', 'digestHour'] as const) if (!fromEnv(n) && Number(f[n]) !== settings[n]) body[n] = Number(f[n]);
    if (Object.keys(body).length === 0) {
      setMessage('Nothing changed');
      return;
    }
    setBusy(true);
    try {
      await dataOf(api.PUT('/api/admin/notifications', { body }));
      setDraft(null);
      setMessage('Notification settings saved');
      loaded.reload();
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const clear = async (field: 'smtpPassword' | 'webhookUrl' | 'webhookSecret' | 'smtpUrl') => {
    setMessage(null);
    setFailure(null);
    try {
      await dataOf(api.PUT('/api/admin/notifications', { body: { [field]: null } }));
      setDraft(null);
      setMessage('Cleared');
      loaded.reload();
    } catch (err) {
      setFailure(describeError(err));
    }
  };

  const sendTest = async () => {
    setMessage(null);
    setFailure(null);
    setBusy(true);
    try {
      const r = await dataOf(api.POST('/api/admin/notifications/test', { body: testTo.trim() ? { to: testTo.trim() } : {} }));
      const sent = r.sent.map((s) => `${s.channel} to ${s.to}`).join(', ');
      const failed = r.failed.map((x) => `${x.channel} to ${x.to}: ${x.error}`).join('; ');
      if (failed) setFailure(`Test failed: ${failed}${sent ? ` (sent: ${sent})` : ''}`);
      else setMessage(sent ? `Test sent: ${sent}` : 'Nothing sent: give an address, or set your own e-mail address');
      loaded.reload();
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const envNote = (field: string) => (fromEnv(field) ? <span className="muted small">set by {ENV_OF[field]}</span> : null);
  const deliveries = loaded.data?.deliveries ?? [];
  return (
    <section className="panel notification-settings" aria-labelledby="notification-settings-title">
      <h2 id="notification-settings-title">Notifications</h2>
      <p className="muted small">E-mail over SMTP and a webhook (signed JSON, Slack or Teams). Settings made on the server with environment variables win over these and are shown read-only.</p>
      <Status message={message} error={failure} />
      <ErrorNote error={loaded.error} />
      {f && settings && (
        <form className="stack" onSubmit={(e) => void save(e)} aria-label="Notification settings">
          <fieldset className="row">
            <legend>E-mail</legend>
            <div className="field grow">
              <label htmlFor="ns-smtp">SMTP server (smtp:// or smtps://)</label>
              <input id="ns-smtp" value={f.smtpUrl} onChange={set('smtpUrl')} disabled={fromEnv('smtpUrl')} placeholder="smtps://user@mail.example.org:465" autoComplete="off" />
              {envNote('smtpUrl')}
            </div>
            <div className="field">
              <label htmlFor="ns-smtp-password">SMTP password {settings.smtpPasswordSet ? '(set)' : '(not set)'}</label>
              <input id="ns-smtp-password" type="password" value={f.smtpPassword} onChange={set('smtpPassword')} disabled={fromEnv('smtpPassword')} placeholder={settings.smtpPasswordSet ? 'unchanged' : ''} autoComplete="new-password" />
              {envNote('smtpPassword')}
            </div>
            <div className="field grow">
              <label htmlFor="ns-from">Sender</label>
              <input id="ns-from" value={f.mailFrom} onChange={set('mailFrom')} disabled={fromEnv('mailFrom')} placeholder="Hindsight <hindsight@example.org>" />
              {envNote('mailFrom')}
            </div>
          </fieldset>
          <fieldset className="row">
            <legend>Webhook</legend>
            <div className="field grow">
              <label htmlFor="ns-webhook">Webhook URL {settings.webhookUrlSet ? `(set: ${settings.webhookHost ?? ''})` : '(not set)'}</label>
              <input id="ns-webhook" type="url" value={f.webhookUrl} onChange={set('webhookUrl')} disabled={fromEnv('webhookUrl')} placeholder={settings.webhookUrlSet ? 'unchanged' : 'https://hooks.example.org/...'} autoComplete="off" />
              {envNote('webhookUrl')}
            </div>
            <div className="field">
              <label htmlFor="ns-format">Payload</label>
              <select id="ns-format" value={f.webhookFormat} onChange={set('webhookFormat')} disabled={fromEnv('webhookFormat')}>
                <option value="json">Signed JSON</option>
                <option value="slack">Slack</option>
                <option value="teams">Microsoft Teams</option>
              </select>
              {envNote('webhookFormat')}
            </div>
            <div className="field">
              <label htmlFor="ns-secret">Signing secret {settings.webhookSecretSet ? '(set)' : '(not set)'}</label>
              <input id="ns-secret" type="password" value={f.webhookSecret} onChange={set('webhookSecret')} disabled={fromEnv('webhookSecret')} placeholder={settings.webhookSecretSet ? 'unchanged' : ''} autoComplete="new-password" />
              {envNote('webhookSecret')}
            </div>
          </fieldset>
          <fieldset className="row">
            <legend>Reminders</legend>
            <div className="field">
              <label htmlFor="ns-due-soon">Due soon within (days)</label>
              <input id="ns-due-soon" className="short" type="number" min={0} max={90} value={f.dueSoonDays} onChange={set('dueSoonDays')} disabled={fromEnv('dueSoonDays')} />
            </div>
            <div className="field">
              <label htmlFor="ns-escalation">Escalate after overdue (days)</label>
              <input id="ns-escalation" className="short" type="number" min={0} max={365} value={f.escalationDays} onChange={set('escalationDays')} disabled={fromEnv('escalationDays')} />
            </div>
            <div className="field">
              <label htmlFor="ns-digest">Daily digest from (UTC hour)</label>
              <input id="ns-digest" className="short" type="number" min={0} max={23} value={f.digestHour} onChange={set('digestHour')} disabled={fromEnv('digestHour')} />
            </div>
          </fieldset>
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>Save notification settings</button>
            {settings.smtpPasswordSet && !fromEnv('smtpPassword') && <button type="button" onClick={() => void clear('smtpPassword')}>Clear SMTP password</button>}
            {settings.webhookUrlSet && !fromEnv('webhookUrl') && <button type="button" onClick={() => void clear('webhookUrl')}>Remove webhook</button>}
            {settings.webhookSecretSet && !fromEnv('webhookSecret') && <button type="button" onClick={() => void clear('webhookSecret')}>Clear signing secret</button>}
          </div>
        </form>
      )}
      <div className="row notification-test">
        <div className="field grow">
          <label htmlFor="ns-test-to">Send a test to (default: your own address)</label>
          <input id="ns-test-to" type="email" value={testTo} onChange={(e) => setTestTo(e.target.value)} placeholder="you@example.org" />
        </div>
        <button type="button" onClick={() => void sendTest()} disabled={busy}>Send test</button>
      </div>
      <table className="grid notification-deliveries">
        <caption>Latest deliveries</caption>
        <thead>
          <tr><th scope="col">Created (UTC)</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr>
        </thead>
        <tbody>
          {deliveries.length === 0 && <tr><td colSpan={7} className="muted">No notification sent yet (test messages are not listed here).</td></tr>}
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td className="nowrap">{when(d.createdAt)}</td>
              <td>{d.channel}</td>
              <td className="wrap-anywhere">{d.to}</td>
              <td className="wrap-anywhere">{d.subject}</td>
              <td><Badge value={d.mode === 'digest' && d.status === 'pending' ? 'in digest' : d.status} kind="delivery" />{d.status === 'pending' && d.nextAttemptAt && d.attempts > 0 && <div className="muted small">retry {when(d.nextAttemptAt)}</div>}</td>
              <td>{d.attempts}</td>
              <td className="small wrap-anywhere">{d.lastError ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
