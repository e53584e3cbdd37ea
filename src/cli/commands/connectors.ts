import type { Command } from 'commander';
import type { ConnectorInput, ConnectorView, SecretRef, SyncReport } from '../../model/connectors.js';
import { UsageError } from '../../model/errors.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { parseDateOption, parsePositiveInt } from '../options.js';
import { printResult, withStore } from '../services.js';

interface AddOptions {
  type: string;
  tenantId?: string;
  clientId?: string;
  clientSecretEnv?: string;
  clientSecretFile?: string;
  certificateFile?: string;
  cloud: string;
  graphUrl?: string;
  armUrl?: string;
  loginUrl?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  workspace?: string;
  interval?: number;
  disabled?: boolean;
}

/** `connectors add|list|show|remove|enable|disable` and `sync`. */
export const registerConnectorCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const connectors = program.command('connectors').description('Connectors that pull incidents from Microsoft Defender XDR (Graph) and Microsoft Sentinel (Azure Resource Manager)');

  connectors
    .command('add')
    .description('Add a connector; its secret is named by reference (a variable or a file), never given or stored')
    .argument('<name>', 'connector name (letters, digits, ".", "_", "-")')
    .requiredOption('--type <type>', 'defender | sentinel')
    .option('--tenant-id <id>', 'Microsoft Entra tenant id')
    .option('--client-id <id>', 'application (client) id of the app registration')
    .option('--client-secret-env <var>', 'environment variable holding the client secret')
    .option('--client-secret-file <path>', 'file holding the client secret (e.g. a mounted Kubernetes secret)')
    .option('--certificate-file <pem>', 'PEM file with the certificate and its private key')
    .option('--cloud <cloud>', 'global | usgov | usgovhigh | dod | china', 'global')
    .option('--graph-url <url>', 'Microsoft Graph endpoint (national clouds, private endpoints)')
    .option('--arm-url <url>', 'Azure Resource Manager endpoint (national clouds, private endpoints)')
    .option('--login-url <url>', 'Microsoft Entra sign-in endpoint (national clouds, private endpoints)')
    .option('--subscription-id <id>', 'sentinel: the workspace subscription')
    .option('--resource-group <name>', 'sentinel: the workspace resource group')
    .option('--workspace <name>', 'sentinel: the Log Analytics workspace name')
    .option('--interval <minutes>', 'minutes between scheduled runs in the team server (default 5)', (v) => parsePositiveInt(v, '--interval'))
    .action(async (name: string, opts: AddOptions) => {
      const input = addInput(name, opts);
      const { addConnector } = await import('../../app/connectors.js');
      const { cliActor } = await import('../actor.js');
      const view = await withStore(ctx, (store) => addConnector(store, cliActor(ctx), input));
      printResult(ctx, view, () => `Added connector ${view.name} (${view.type}); run \`hindsight sync ${view.name}\` to pull its incidents`);
    });

  connectors
    .command('list')
    .description('List connectors with their last run and next run')
    .action(async () => {
      const { listConnectors } = await import('../../app/connectors.js');
      const list = await withStore(ctx, (store) => listConnectors(store));
      printResult(ctx, { connectors: list }, () => (list.length === 0 ? 'No connectors (add one with `hindsight connectors add`)' : list.map(summaryLine).join('\n')));
    });

  connectors
    .command('show')
    .description('Show one connector')
    .argument('<name>')
    .action(async (name: string) => {
      const { getConnector } = await import('../../app/connectors.js');
      const { NotFoundError } = await import('../../model/errors.js');
      const view = await withStore(ctx, (store) => getConnector(store, name));
      if (!view) throw new NotFoundError(`no connector "${name}" (run \`hindsight connectors list\`)`);
      printResult(ctx, view, () => details(view));
    });

  for (const [verb, description] of [
    ['remove', 'Remove a connector (the incidents it brought in stay)'],
    ['enable', 'Enable a connector'],
    ['disable', 'Disable a connector (the team server stops running it)'],
  ] as const) {
    connectors
      .command(verb)
      .description(description)
      .argument('<name>')
      .action(async (name: string) => {
        const app = await import('../../app/connectors.js');
        const { cliActor } = await import('../actor.js');
        const actor = cliActor(ctx);
        const view = await withStore(ctx, (store) =>
          verb === 'remove' ? app.removeConnector(store, actor, name) : app.setConnectorEnabled(store, actor, name, verb === 'enable'),
        );
        printResult(ctx, view, () => `${verb === 'remove' ? 'Removed' : verb === 'enable' ? 'Enabled' : 'Disabled'} connector ${view.name}`);
      });
  }

  program
    .command('sync')
    .description('Pull incidents changed since the last sync from the named connectors (default: every enabled one)')
    .argument('[names...]', 'connector names')
    .option('--since <date>', 'list changes from this date instead of the checkpoint (default for a first sync: ten years back, in effect all the source holds)')
    .action(async (names: string[], opts: { since?: string }) => {
      const since = opts.since ? parseDateOption(opts.since, '--since') : undefined;
      const { syncConnectors } = await import('../../app/connectors.js');
      const { cliActor } = await import('../actor.js');
      const report = await withStore(ctx, (store) => syncConnectors(store, { names, since, env: ctx.env, actor: cliActor(ctx), onProgress: (m) => ctx.warn(m) }));
      printResult(ctx, report, () => syncText(report));
      if (report.connectors.some((c) => c.error !== null)) process.exitCode = 1;
    });
};

function addInput(name: string, opts: AddOptions): ConnectorInput {
  const secrets: SecretRef[] = [];
  if (opts.clientSecretEnv !== undefined) secrets.push({ kind: 'env', ref: opts.clientSecretEnv });
  if (opts.clientSecretFile !== undefined) secrets.push({ kind: 'file', ref: opts.clientSecretFile });
  if (opts.certificateFile !== undefined) secrets.push({ kind: 'certificate', ref: opts.certificateFile });
  if (secrets.length !== 1) throw new UsageError('give exactly one of --client-secret-env, --client-secret-file or --certificate-file');
  if (opts.type !== 'defender' && opts.type !== 'sentinel') throw new UsageError(`--type must be defender or sentinel, not "${opts.type}"`);
  if (!opts.tenantId) throw new UsageError('--tenant-id is required');
  if (!opts.clientId) throw new UsageError('--client-id is required');
  const sentinelOnly = { '--subscription-id': opts.subscriptionId, '--resource-group': opts.resourceGroup, '--workspace': opts.workspace, '--arm-url': opts.armUrl };
  if (opts.type === 'sentinel') {
    for (const [flag, value] of Object.entries(sentinelOnly)) if (flag !== '--arm-url' && !value) throw new UsageError(`a sentinel connector needs ${flag}`);
    if (opts.graphUrl) throw new UsageError('--graph-url is for defender connectors');
  } else {
    const given = Object.entries(sentinelOnly).find(([, value]) => value !== undefined);
    if (given) throw new UsageError(`${given[0]} is for sentinel connectors`);
  }
  return {
    name,
    type: opts.type,
    tenantId: opts.tenantId,
    clientId: opts.clientId,
    secret: secrets[0]!,
    cloud: opts.cloud as ConnectorInput['cloud'],
    graphUrl: opts.graphUrl ?? null,
    armUrl: opts.armUrl ?? null,
    loginUrl: opts.loginUrl ?? null,
    subscriptionId: opts.subscriptionId ?? null,
    resourceGroup: opts.resourceGroup ?? null,
    workspace: opts.workspace ?? null,
    ...(opts.interval !== undefined ? { intervalMinutes: opts.interval } : {}),
  };
}

function summaryLine(c: ConnectorView): string {
  const last = c.lastRun ? `${c.lastRun.ok ? 'ok' : 'FAILED'} ${c.lastRun.startedAt.slice(0, 16).replace('T', ' ')}` : 'never run';
  return `${c.name.padEnd(20)} ${c.type.padEnd(9)} ${c.enabled ? 'enabled ' : 'disabled'}  last: ${last}  next: ${c.nextRunAt?.slice(0, 16).replace('T', ' ') ?? '-'}`;
}

function details(c: ConnectorView): string {
  const lines = [
    `${c.name} (${c.type}, ${c.enabled ? 'enabled' : 'disabled'}, every ${c.intervalMinutes} min)`,
    `  tenant ${c.tenantId}, client ${c.clientId}, cloud ${c.cloud}`,
    `  secret: ${c.secret.kind === 'env' ? `environment variable ${c.secret.ref}` : c.secret.kind === 'file' ? `file ${c.secret.ref}` : `certificate ${c.secret.ref}`}`,
  ];
  if (c.type === 'sentinel') lines.push(`  workspace ${c.subscriptionId}/${c.resourceGroup}/${c.workspace}`);
  for (const [label, url] of [['graph', c.graphUrl], ['arm', c.armUrl], ['login', c.loginUrl]] as const) if (url) lines.push(`  ${label} endpoint ${url}`);
  lines.push(`  checkpoint: ${c.checkpoint ?? 'none (first sync pending)'}`);
  if (c.lastRun) lines.push(`  last run ${c.lastRun.startedAt}: ${c.lastRun.ok ? `ok, fetched ${c.lastRun.fetched}, created ${c.lastRun.created}, updated ${c.lastRun.updated}, unchanged ${c.lastRun.unchanged}` : `failed: ${c.lastRun.error}`}`);
  lines.push(`  next run: ${c.nextRunAt ?? '-'}`);
  return lines.join('\n');
}

function syncText(report: SyncReport): string {
  if (report.connectors.length === 0) return 'No enabled connectors to sync';
  return report.connectors
    .map((c) => (c.error ? `${c.name}: FAILED: ${c.error}` : `${c.name}: fetched ${c.fetched}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}; checkpoint ${c.checkpoint}`))
    .join('\n');
}
