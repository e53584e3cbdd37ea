import { useState } from 'react';
import { api, dataOf } from '../api';
import { Badge, describeError, ErrorNote, Status, useApi, when } from './common';
import { ConnectorForm, type Connector, type ConnectorInput } from './ConnectorForm';

const SECRET_FROM: Record<NonNullable<Connector['secret']>['kind'], string> = { env: 'variable', file: 'file', certificate: 'certificate' };
const TYPE_NAMES: Record<Connector['type'], string> = { defender: 'Defender XDR', sentinel: 'Sentinel' };

/** Where the connector reads from, in a few words. */
function sourceOf(c: Connector): string {
  return c.type === 'sentinel' ? `${c.workspace ?? '?'} (${c.resourceGroup ?? '?'})` : `tenant ${c.tenantId}`;
}

function LastRun({ c }: { c: Connector }) {
  const run = c.lastRun;
  if (!run) return <span className="muted">never run</span>;
  if (!run.finishedAt) return <Badge value="running" kind="run" />;
  if (!run.ok) return <Badge value="failed" kind="run" />;
  return (
    <span>
      <Badge value="ok" kind="run" /> <span className="small">{run.fetched} fetched, {run.created} new, {run.updated} updated, {run.unchanged} unchanged</span>
    </span>
  );
}

/**
 * The connectors that pull incidents from Defender XDR and Sentinel: everyone sees each one's last
 * run, result, error and next run; admins add, edit, enable, disable, run and remove them.
 */
export function Connectors({ isAdmin }: { isAdmin: boolean }) {
  const list = useApi(() => dataOf(api.GET('/api/connectors')), 'connectors');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [syncing, setSyncing] = useState<string | null>(null);

  const run = async (fn: () => Promise<string>): Promise<boolean> => {
    setMessage(null);
    setFailure(null);
    try {
      setMessage(await fn());
      return true;
    } catch (e) {
      setFailure(describeError(e));
      return false;
    } finally {
      list.reload();
    }
  };
  const add = (input: ConnectorInput) =>
    run(async () => {
      await dataOf(api.POST('/api/connectors', { body: input }));
      return `Added ${input.name}: it runs within a minute, then every ${input.intervalMinutes ?? 5} minutes`;
    });
  const save = (name: string) => (input: ConnectorInput) =>
    run(async () => {
      const { name: _name, type: _type, ...patch } = input;
      await dataOf(api.PATCH('/api/connectors/{name}', { params: { path: { name } }, body: patch }));
      setEditing(null);
      return `Saved ${name}`;
    });
  const toggle = (c: Connector) =>
    run(async () => {
      await dataOf(api.PATCH('/api/connectors/{name}', { params: { path: { name: c.name } }, body: { enabled: !c.enabled } }));
      return `${c.name} ${c.enabled ? 'disabled' : 'enabled'}`;
    });
  const remove = (name: string) =>
    run(async () => {
      await dataOf(api.DELETE('/api/connectors/{name}', { params: { path: { name } } }));
      setRemoving(null);
      return `Removed ${name}; the incidents it brought in stay`;
    });
  const syncNow = async (name: string) => {
    setSyncing(name);
    await run(async () => {
      const r = await dataOf(api.POST('/api/connectors/{name}/sync', { params: { path: { name } } }));
      if (r.error) throw new Error(`${name} failed: ${r.error}`);
      return `${name}: ${r.fetched} fetched, ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged`;
    });
    setSyncing(null);
  };

  const connectors = list.data?.connectors ?? [];
  const editingConnector = connectors.find((c) => c.name === editing);
  return (
    <section aria-labelledby="connectors-title">
      <h1 id="connectors-title">Connectors</h1>
      <p className="muted">
        Incidents pulled from Microsoft Defender XDR and Microsoft Sentinel, kept in sync on a schedule.
        {list.data && !list.data.scheduler.enabled && ` This server does not run them on schedule (started with --no-scheduler): they run when ${isAdmin ? 'you press "Run now"' : 'an admin runs them'} or with hindsight sync.`}
      </p>
      <Status message={message} error={failure} />
      <ErrorNote error={list.error} />
      <table className="grid connectors">
        <caption className="sr-only">Connectors</caption>
        <thead>
          <tr>
            <th scope="col">Connector</th><th scope="col">Source</th><th scope="col">Schedule</th><th scope="col">Last run (UTC)</th><th scope="col">Result</th><th scope="col">Error</th><th scope="col">Next run (UTC)</th>
            {isAdmin && <th scope="col"><span className="sr-only">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {list.data && connectors.length === 0 && (
            <tr><td colSpan={isAdmin ? 8 : 7} className="muted">No connectors yet.{isAdmin ? ' Add one below.' : ' An admin adds them.'}</td></tr>
          )}
          {connectors.map((c) => (
            <tr key={c.name} className={c.enabled ? undefined : 'muted'}>
              <th scope="row"><span className="nowrap">{c.name}</span><div className="muted small">{TYPE_NAMES[c.type]}{!c.enabled && <> <Badge value="disabled" /></>}</div></th>
              <td className="small wrap-anywhere">{sourceOf(c)}{c.cloud !== 'global' && <span className="muted"> · {c.cloud}</span>}{c.secret && <div className="muted">secret from {SECRET_FROM[c.secret.kind]} {c.secret.ref}</div>}</td>
              <td className="nowrap">every {c.intervalMinutes} min</td>
              <td className="nowrap">{when(c.lastRun?.startedAt)}</td>
              <td><LastRun c={c} /></td>
              <td className="small wrap-anywhere">{c.lastRun?.error ?? ''}</td>
              <td className="nowrap">{c.enabled ? when(c.nextRunAt) : 'disabled'}</td>
              {isAdmin && (
                <td className="row-actions">
                  {removing === c.name ? (
                    <div className="buttons" role="group" aria-label={`Confirm removing ${c.name}`}>
                      <span>Remove {c.name}?</span>
                      <button type="button" className="danger" onClick={() => void remove(c.name)}>Yes, remove</button>
                      <button type="button" onClick={() => setRemoving(null)} autoFocus>Keep it</button>
                    </div>
                  ) : (
                    <div className="buttons">
                      <button type="button" disabled={syncing !== null} onClick={() => void syncNow(c.name)} aria-label={`Run ${c.name} now`}>{syncing === c.name ? 'Running…' : 'Run now'}</button>
                      <button type="button" onClick={() => setEditing(editing === c.name ? null : c.name)} aria-expanded={editing === c.name} aria-label={`Edit ${c.name}`}>Edit</button>
                      <button type="button" onClick={() => void toggle(c)} aria-label={`${c.enabled ? 'Disable' : 'Enable'} ${c.name}`}>{c.enabled ? 'Disable' : 'Enable'}</button>
                      <button type="button" onClick={() => setRemoving(c.name)} aria-label={`Remove ${c.name}`}>Remove</button>
                    </div>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {isAdmin && (
        <section className="panel connector-forms" aria-label="Connector settings">
          {editingConnector ? <ConnectorForm key={editingConnector.name} editing={editingConnector} onSave={save(editingConnector.name)} onCancel={() => setEditing(null)} /> : <ConnectorForm onSave={add} />}
        </section>
      )}
    </section>
  );
}
