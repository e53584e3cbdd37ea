import type { Command } from 'commander';
import { UsageError } from '../../model/errors.js';
import { OBSERVABLE_TYPES, parseTlp, type Observable, type ObservableType, type TlpLevel } from '../../model/observables.js';
import type { Reader } from '../../model/accounts.js';
import { loginName } from '../actor.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { printResult, withStore } from '../services.js';
import { printable } from './printable.js';

/**
 * `hindsight observables list|add|tag|incident-tlp`: the values incidents' evidence carries, across
 * incidents (docs/observables.md). The command line reads the database directly: it sees incidents
 * as an administrator named by the login (HINDSIGHT_USER) does.
 */
export const registerObservableCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const reader = (): Reader => ({ username: loginName(ctx), role: 'admin' });
  const observables = program.command('observables').description('Observables (IPs, domains, URLs, hashes, accounts...) across incidents: list, add by hand, tag, mark as IOC, TLP');

  observables
    .command('list')
    .description('Observables, most recently seen first, with the incidents they were seen in')
    .option('--incident <id>', "only those seen in this incident (Hindsight's id or the source's own)")
    .option('--ioc', 'only those marked as indicators of compromise')
    .option('--type <type>', `only this type: ${OBSERVABLE_TYPES.join(', ')}`)
    .option('--value <value>', 'only this value (normalised; every type it is valid for unless --type)')
    .option('--contains <text>', 'only values containing this text')
    .option('--limit <n>', 'at most this many (1-500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (opts: { incident?: string; ioc?: boolean; type?: string; value?: string; contains?: string; limit: string; offset: string }) => {
      const type = opts.type !== undefined ? parseType(opts.type) : undefined;
      const limit = wholeNumber(opts.limit, '--limit');
      const offset = wholeNumber(opts.offset, '--offset');
      const { listObservables } = await import('../../app/observables.js');
      const page = await withStore(ctx, (store) =>
        listObservables(
          store,
          { ...(opts.incident !== undefined ? { incident: opts.incident } : {}), ...(opts.ioc ? { ioc: true } : {}), ...(type ? { type } : {}), ...(opts.value !== undefined ? { value: opts.value } : {}), ...(opts.contains ? { contains: opts.contains } : {}), limit, offset },
          reader(),
        ),
      );
      printResult(ctx, page, () => renderList(page.observables, page.total));
    });

  observables
    .command('add')
    .description('Add an observable to an incident by hand (audited); created if new, else the stored one is seen in the incident too')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .requiredOption('--type <type>', OBSERVABLE_TYPES.join(' | '))
    .requiredOption('--value <value>', 'the value (normalised: lower-case hashes and domains, compressed IPv6, canonical URLs)')
    .option('--ioc', 'mark it as an indicator of compromise')
    .option('--tlp <level>', 'its own TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (default: the incident’s)')
    .option('--tag <tags>', 'comma-separated tags')
    .option('--at <time>', 'when it was seen (ISO-8601; default now)')
    .action(async (ref: string, opts: { type: string; value: string; ioc?: boolean; tlp?: string; tag?: string; at?: string }) => {
      const type = parseType(opts.type);
      const tlp = opts.tlp !== undefined ? parseTlpOption(opts.tlp) : undefined;
      const { addObservable } = await import('../../app/observables.js');
      const added = await withStore(ctx, (store) =>
        addObservable(store, ref, { type, value: opts.value, ...(opts.ioc ? { ioc: true } : {}), ...(tlp ? { tlp } : {}), ...(opts.tag ? { tags: splitTags(opts.tag) } : {}), ...(opts.at ? { at: opts.at } : {}) }, reader()),
      );
      printResult(ctx, added, () => `Added ${added.type} ${printable(added.value)} (${added.id}) to ${ref}: ${describe(added)}`);
    });

  observables
    .command('tag')
    .description('Change an observable’s marks (audited): tags, the IOC flag, its own TLP')
    .argument('<observable>', 'the observable’s id (obs_...) or its value')
    .option('--type <type>', 'the type of the value, when it is stored under several')
    .option('--add <tags>', 'comma-separated tags to add')
    .option('--remove <tags>', 'comma-separated tags to remove')
    .option('--ioc', 'mark it as an indicator of compromise')
    .option('--no-ioc', 'clear the IOC mark')
    .option('--tlp <level>', 'its own TLP marking (CLEAR, GREEN, AMBER, AMBER+STRICT, RED), or "inherit" to follow the incidents’ again')
    .action(async (ref: string, opts: { type?: string; add?: string; remove?: string; ioc?: boolean; tlp?: string }) => {
      const type = opts.type !== undefined ? parseType(opts.type) : undefined;
      const tlp = opts.tlp === undefined ? undefined : opts.tlp.trim().toLowerCase() === 'inherit' ? null : parseTlpOption(opts.tlp);
      if (opts.add === undefined && opts.remove === undefined && opts.ioc === undefined && tlp === undefined) throw new UsageError('observables tag needs --add, --remove, --ioc, --no-ioc or --tlp');
      const { markObservable } = await import('../../app/observables.js');
      const marked = await withStore(ctx, (store) =>
        markObservable(store, ref, { ...(opts.add ? { addTags: splitTags(opts.add) } : {}), ...(opts.remove ? { removeTags: splitTags(opts.remove) } : {}), ...(opts.ioc !== undefined ? { ioc: opts.ioc } : {}), ...(tlp !== undefined ? { tlp } : {}) }, reader(), type),
      );
      printResult(ctx, marked, () => `${marked.type} ${printable(marked.value)} (${marked.id}): ${describe(marked)}`);
    });

  observables
    .command('incident-tlp')
    .description('Show or set an incident’s TLP marking (default AMBER): observables without their own marking inherit it')
    .argument('<incident>', "Hindsight's incident id or the source's own id")
    .argument('[level]', 'CLEAR, GREEN, AMBER, AMBER+STRICT or RED')
    .action(async (ref: string, level: string | undefined) => {
      const tlp = level !== undefined ? parseTlpOption(level) : undefined;
      const app = await import('../../app/observables.js');
      const result = await withStore(ctx, async (store) => {
        if (tlp) return app.setIncidentTlp(store, ref, tlp, reader());
        const incidentId = await app.visibleIncidentId(store, ref, reader());
        return { incidentId, tlp: await app.incidentTlp(store, incidentId) };
      });
      printResult(ctx, result, () => `${result.incidentId}: TLP:${result.tlp}`);
    });
};

function parseType(value: string): ObservableType {
  const type = value.trim().toLowerCase();
  if (!(OBSERVABLE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${OBSERVABLE_TYPES.join(', ')}, not "${printable(value.slice(0, 40))}"`);
  return type as ObservableType;
}

export function parseTlpOption(value: string): TlpLevel {
  const level = parseTlp(value);
  if (!level) throw new UsageError(`--tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED, not "${printable(value.slice(0, 40))}"`);
  return level;
}

function splitTags(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

function wholeNumber(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number, not "${printable(value.slice(0, 20))}"`);
  return n;
}

function describe(o: Observable): string {
  const seen = `seen in ${o.incidentCount} incident${o.incidentCount === 1 ? '' : 's'}`;
  return [o.ioc ? 'IOC' : null, `TLP:${o.tlp}${o.tlpSet ? '' : ' (inherited)'}`, o.tags.length ? `tags ${o.tags.join(', ')}` : null, seen].filter(Boolean).join(', ');
}

function renderList(observables: Observable[], total: number): string {
  if (observables.length === 0) return 'No observables.';
  const rows = observables.map((o) => [o.type, truncate(printable(o.value), 70), o.ioc ? 'IOC' : '', o.tlp, String(o.incidentCount), (o.lastSeen ?? '').slice(0, 19).replace('T', ' '), o.tags.join(',')]);
  const head = ['TYPE', 'VALUE', 'IOC', 'TLP', 'INCIDENTS', 'LAST SEEN', 'TAGS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const shown = observables.length < total ? `\n${observables.length} of ${total} shown (--limit, --offset for more)` : '';
  return [line(head), ...rows.map(line)].join('\n') + shown;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
