import { useState, type FormEvent } from 'react';
import type { paths, Schemas } from '../api';

export type Connector = Schemas['Connector'];
/** What POST /api/connectors takes. */
export type ConnectorInput = paths['/api/connectors']['post']['requestBody']['content']['application/json'];
type SecretKind = Schemas['SecretRef']['kind'];
type ConnectorType = Connector['type'];
type Cloud = Connector['cloud'];

const CLOUDS: Cloud[] = ['global', 'usgov', 'usgovhigh', 'dod', 'china'];
const SECRET_KINDS: { kind: SecretKind; option: string; label: string; hint: string }[] = [
  { kind: 'env', option: 'Environment variable', label: 'Variable name', hint: 'The client secret is read from this variable of the server at each sync.' },
  { kind: 'file', option: 'Secret file', label: 'File path', hint: 'A file holding the client secret, e.g. a mounted Kubernetes secret.' },
  { kind: 'certificate', option: 'Certificate file', label: 'PEM file path', hint: 'A PEM file with the private key and the certificate registered on the app.' },
];

/** The form's fields as text (empty: not given). */
interface Fields {
  name: string;
  type: ConnectorType;
  tenantId: string;
  clientId: string;
  secretKind: SecretKind;
  secretRef: string;
  cloud: Cloud;
  intervalMinutes: string;
  graphUrl: string;
  armUrl: string;
  loginUrl: string;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

const EMPTY: Fields = { name: '', type: 'defender', tenantId: '', clientId: '', secretKind: 'env', secretRef: '', cloud: 'global', intervalMinutes: '5', graphUrl: '', armUrl: '', loginUrl: '', subscriptionId: '', resourceGroup: '', workspace: '' };

function fieldsOf(c: Connector): Fields {
  return {
    name: c.name,
    type: c.type,
    tenantId: c.tenantId,
    clientId: c.clientId,
    secretKind: c.secret?.kind ?? 'env',
    secretRef: c.secret?.ref ?? '',
    cloud: c.cloud,
    intervalMinutes: String(c.intervalMinutes),
    graphUrl: c.graphUrl ?? '',
    armUrl: c.armUrl ?? '',
    loginUrl: c.loginUrl ?? '',
    subscriptionId: c.subscriptionId ?? '',
    resourceGroup: c.resourceGroup ?? '',
    workspace: c.workspace ?? '',
  };
}

/** What the form sends: the settings of its type only (the other type's fields are null). */
function settingsOf(f: Fields): Omit<ConnectorInput, 'name' | 'type' | 'enabled'> {
  const text = (v: string) => v.trim() || null;
  const sentinel = f.type === 'sentinel';
  return {
    tenantId: f.tenantId.trim(),
    clientId: f.clientId.trim(),
    secret: { kind: f.secretKind, ref: f.secretRef.trim() },
    cloud: f.cloud,
    intervalMinutes: Number(f.intervalMinutes),
    graphUrl: sentinel ? null : text(f.graphUrl),
    armUrl: sentinel ? text(f.armUrl) : null,
    loginUrl: text(f.loginUrl),
    subscriptionId: sentinel ? text(f.subscriptionId) : null,
    resourceGroup: sentinel ? text(f.resourceGroup) : null,
    workspace: sentinel ? text(f.workspace) : null,
  };
}

/**
 * Adds a connector (no `editing`) or edits one (name and type stay). The secret is never typed
 * here: only where the server reads it from.
 */
export function ConnectorForm({ editing, onSave, onCancel }: { editing?: Connector; onSave: (input: ConnectorInput) => Promise<boolean>; onCancel?: () => void }) {
  const [f, setF] = useState<Fields>(editing ? fieldsOf(editing) : EMPTY);
  const id = (field: string) => `${editing ? 'ec' : 'nc'}-${field}`;
  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const secret = SECRET_KINDS.find((s) => s.kind === f.secretKind) ?? SECRET_KINDS[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await onSave({ name: f.name.trim(), type: f.type, ...settingsOf(f) })) {
      if (!editing) setF(EMPTY);
    }
  };
  const text = (k: keyof Fields, label: string, props: { required?: boolean; placeholder?: string; type?: string; grow?: boolean; autoFocus?: boolean } = {}) => (
    <div className={`field${props.grow ? ' grow' : ''}`}>
      <label htmlFor={id(k)}>{label}</label>
      <input id={id(k)} type={props.type ?? 'text'} value={f[k]} onChange={set(k)} required={props.required} placeholder={props.placeholder} spellCheck={false} autoComplete="off" autoFocus={props.autoFocus} />
    </div>
  );
  const title = editing ? `Edit ${editing.name}` : 'Add a connector';
  return (
    <form className="stack connector-form" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h2>{title}</h2>
      <div className="row">
        {!editing && text('name', 'Connector name', { required: true, placeholder: 'defender-prod' })}
        {!editing && (
          <div className="field">
            <label htmlFor={id('type')}>Type</label>
            <select id={id('type')} value={f.type} onChange={(e) => setF({ ...f, type: e.target.value === 'sentinel' ? 'sentinel' : 'defender' })}>
              <option value="defender">Microsoft Defender XDR (Graph)</option>
              <option value="sentinel">Microsoft Sentinel (Azure)</option>
            </select>
          </div>
        )}
        {/* Opened from a row's Edit button: the form takes the focus (and scrolls into view). */}
        {text('tenantId', 'Tenant ID', { required: true, grow: true, autoFocus: Boolean(editing) })}
        {text('clientId', 'Client (application) ID', { required: true, grow: true })}
      </div>
      {f.type === 'sentinel' && (
        <div className="row">
          {text('subscriptionId', 'Subscription ID', { required: true, grow: true })}
          {text('resourceGroup', 'Resource group', { required: true, grow: true })}
          {text('workspace', 'Workspace', { required: true, grow: true })}
        </div>
      )}
      <fieldset className="row secret-ref">
        <legend>Secret (only where the server reads it: the secret itself is never entered here)</legend>
        <div className="field">
          <label htmlFor={id('secretKind')}>Read from</label>
          <select id={id('secretKind')} value={f.secretKind} onChange={(e) => setF({ ...f, secretKind: SECRET_KINDS.find((s) => s.kind === e.target.value)?.kind ?? 'env' })}>
            {SECRET_KINDS.map((s) => <option key={s.kind} value={s.kind}>{s.option}</option>)}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={id('secretRef')}>{secret?.label}</label>
          <input id={id('secretRef')} value={f.secretRef} onChange={set('secretRef')} required spellCheck={false} autoComplete="off" aria-describedby={id('secretHint')} placeholder={f.secretKind === 'env' ? 'DEFENDER_CLIENT_SECRET' : '/run/secrets/defender'} />
          <span id={id('secretHint')} className="muted small">{secret?.hint}</span>
        </div>
      </fieldset>
      <div className="row">
        <div className="field">
          <label htmlFor={id('cloud')}>Cloud</label>
          <select id={id('cloud')} value={f.cloud} onChange={(e) => setF({ ...f, cloud: CLOUDS.find((c) => c === e.target.value) ?? 'global' })}>
            {CLOUDS.map((c) => <option key={c}>{c}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('intervalMinutes')}>Every (minutes)</label>
          <input id={id('intervalMinutes')} type="number" min={1} max={10080} step={1} value={f.intervalMinutes} onChange={set('intervalMinutes')} required className="short" />
        </div>
        {f.type === 'defender' ? text('graphUrl', 'Graph URL (optional)', { type: 'url', placeholder: 'https://graph.microsoft.com', grow: true }) : text('armUrl', 'Resource Manager URL (optional)', { type: 'url', placeholder: 'https://management.azure.com', grow: true })}
        {text('loginUrl', 'Sign-in URL (optional)', { type: 'url', placeholder: 'https://login.microsoftonline.com', grow: true })}
      </div>
      <div className="buttons">
        <button type="submit" className="primary">{editing ? 'Save changes' : 'Add connector'}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
