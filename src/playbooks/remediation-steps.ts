import type { CommandData, ExternalReference } from './cacao.js';
import { attr, mdeDeviceId, userGraphId, type MergedEntity } from './incident-evidence.js';

/**
 * The steps of a remediation playbook before they become CACAO workflow steps: manual steps for the
 * team, and API calls (Microsoft Defender for Endpoint, Microsoft Graph) or Exchange Online
 * PowerShell where the evidence names the object to act on. generate.ts orders them into phases.
 */

export type AgentKey = 'team' | 'automation';

export type TargetKey = 'defender' | 'graph';

export interface PlannedAction {
  kind: 'action';
  key: string;
  name: string;
  description: string;
  commands: CommandData[];
  agent: AgentKey;
  targets?: TargetKey[];
  refs: ExternalReference[];
}

export interface PlannedPlaybookAction {
  kind: 'playbook-action';
  key: string;
  name: string;
  description: string;
  playbookId: string;
  playbookVersion: string;
  refs: ExternalReference[];
}

export type Planned = PlannedAction | PlannedPlaybookAction;

/** Steps run one after another. */
export type Branch = Planned[];

export type RefOf = (id: string) => ExternalReference;

export function manualStep(key: string, name: string, description: string, commands: string[], refs: ExternalReference[], activity?: string): PlannedAction {
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

export function isolateDevice(e: MergedEntity, refOf: RefOf): PlannedAction {
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

export function releaseDevice(e: MergedEntity, refOf: RefOf): PlannedAction {
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

export function containUser(e: MergedEntity, refOf: RefOf): Branch {
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

export function reenableUser(e: MergedEntity, refOf: RefOf): PlannedAction {
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

export function blockIndicator(e: MergedEntity, indicatorType: string, value: string, action: string, refOf: RefOf): PlannedAction {
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

export function blockSenderDomain(domain: string, messages: MergedEntity[], refOf: RefOf): PlannedAction {
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

export function purgeMessages(messages: MergedEntity[], refOf: RefOf): PlannedAction {
  return manualStep('purge-messages', 'Containment: Purge malicious messages', 'Remove the malicious messages from every mailbox that received them.', messages.map((m) => {
    const id = attr(m, 'networkMessageId', 'internetMessageId');
    const recipient = attr(m, 'recipientEmailAddress', 'recipient');
    return `Soft delete the message "${m.displayName}"${id ? ` (message ID ${id})` : ''}${recipient ? ` from ${recipient}` : ''} and every copy of it (Microsoft Defender portal: Explorer > Take action > Soft delete).`;
  }), techRefsOf(messages, refOf), 'restrict-access');
}

export function removeMailboxRule(e: MergedEntity, refOf: RefOf): PlannedAction {
  const mailbox = attr(e, 'mailboxPrimaryAddress', 'mailbox.primaryAddress', 'upn') ?? 'the mailbox';
  return manualStep(`mailbox-rule:${e.key}`, `Containment: Remove malicious mailbox rule ${e.displayName}`, 'Remove the inbox or forwarding rule the attacker created.', [
    `Remove the malicious ${attr(e, 'configurationType') ?? 'mailbox'} configuration "${e.displayName}" from ${mailbox} (Exchange Online: Get-InboxRule -Mailbox <mailbox>, then Remove-InboxRule) and check for other forwarding rules.`,
  ], techRefsOf([e], refOf), 'restrict-access');
}

export function revokeApp(e: MergedEntity, refOf: RefOf): PlannedAction {
  return manualStep(`oauth-app:${e.key}`, `Containment: Revoke consent of app ${e.displayName}`, 'Remove the OAuth application the attacker used.', [
    `Revoke every permission grant of the application ${e.displayName}${attr(e, 'appId') ? ` (app ID ${attr(e, 'appId')})` : ''} and disable its service principal.`,
  ], techRefsOf([e], refOf), 'restrict-access');
}

export function techRefsOf(entities: MergedEntity[], refOf: RefOf): ExternalReference[] {
  return uniqueRefs([...new Set(entities.flatMap((e) => [...e.techniques]))].sort().map(refOf));
}

export function uniqueRefs(refs: ExternalReference[]): ExternalReference[] {
  return uniqueBy(refs, (r) => `${r.name}|${r.external_id ?? ''}|${r.url ?? ''}|${r.description ?? ''}`);
}

export function uniqueBy<T>(items: T[], keyOf: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = keyOf(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
