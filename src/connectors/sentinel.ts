import { parseSentinelIncident, type SentinelRelated } from '../ingest/sentinel.js';
import { Where } from '../ingest/fields.js';
import { isRecord } from '../model/json.js';
import { SourceError, requestPath } from './errors.js';
import { checkPage, mapPage, type SourceContext, type SourcePage } from './source.js';

/** The Microsoft.SecurityInsights api-version used: the current stable one. */
export const SENTINEL_API_VERSION = '2025-06-01';

/**
 * Microsoft Sentinel incidents through Azure Resource Manager: the workspace's incidents changed
 * since `from` (`properties/lastModifiedTimeUtc`), following `nextLink` exactly as given, and for
 * each one listed (new or changed since the checkpoint) its alerts, entities and comments.
 */
export async function* sentinelPages(ctx: SourceContext): AsyncGenerator<SourcePage> {
  const { subscriptionId, resourceGroup, workspace, name } = ctx.settings;
  if (!subscriptionId || !resourceGroup || !workspace) throw new SourceError(`connector "${name}": a sentinel connector needs --subscription-id, --resource-group and --workspace`);
  const base =
    `${ctx.endpoints.arm}/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}` +
    `/providers/Microsoft.OperationalInsights/workspaces/${encodeURIComponent(workspace)}/providers/Microsoft.SecurityInsights`;
  const filter = encodeURIComponent(`properties/lastModifiedTimeUtc ge ${ctx.options.from}`);
  let url: string | undefined = `${base}/incidents?api-version=${SENTINEL_API_VERSION}&$filter=${filter}`;
  while (url) {
    const body = await ctx.client.json({ method: 'GET', url });
    const { items, next } = checkPage(name, 'GET', url, body, 'nextLink');
    const at = url;
    const related: SentinelRelated[] = [];
    for (const item of items) related.push(await relatedOf(ctx, base, item));
    const label = `GET ${requestPath(at)}`;
    const incidents = await mapPage(name, 'GET', at, () => items.map((item, i) => parseSentinelIncident(isRecord(item) ? item : new Where(label, `$.value[${i}]`).fail('expected an incident object'), new Where(label, `$.value[${i}]`), related[i])));
    yield { request: label, records: items.length, incidents };
    url = next;
  }
}

/** An incident's alerts, entities and comments. */
async function relatedOf(ctx: SourceContext, base: string, incident: unknown): Promise<SentinelRelated> {
  const incidentName = isRecord(incident) && typeof incident.name === 'string' ? incident.name : undefined;
  if (!incidentName) return {};
  const at = `${base}/incidents/${encodeURIComponent(incidentName)}`;
  const version = `api-version=${SENTINEL_API_VERSION}`;
  const name = ctx.settings.name;
  const alertsUrl = `${at}/alerts?${version}`;
  const alerts = checkPage(name, 'POST', alertsUrl, await ctx.client.json({ method: 'POST', url: alertsUrl }), 'nextLink').items;
  const entitiesUrl = `${at}/entities?${version}`;
  const entitiesBody = await ctx.client.json({ method: 'POST', url: entitiesUrl });
  // The entities action answers {entities, metaData}.
  if (!isRecord(entitiesBody) || !Array.isArray(entitiesBody.entities)) throw new SourceError(`connector "${name}": POST ${requestPath(entitiesUrl)}: malformed answer: "entities" is not an array`);
  const comments: unknown[] = [];
  let commentsUrl: string | undefined = `${at}/comments?${version}`;
  while (commentsUrl) {
    const page = checkPage(name, 'GET', commentsUrl, await ctx.client.json({ method: 'GET', url: commentsUrl }), 'nextLink');
    comments.push(...page.items);
    commentsUrl = page.next;
  }
  return { alerts, entities: entitiesBody.entities, comments };
}
