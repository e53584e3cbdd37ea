import { batchesOf } from '../ingest/batches.js';
import type { Incident } from '../model/incident.js';
import { isRecord } from '../model/json.js';
import { requestPath } from './errors.js';
import { checkPage, mapPage, type SourceContext, type SourcePage } from './source.js';

/** The largest page Graph serves of security incidents with their alerts expanded, and of alerts_v2. */
const INCIDENT_PAGE = 50;
const ALERT_PAGE = 2000;

/**
 * Defender XDR incidents through the Microsoft Graph security API v1.0: incidents (alerts expanded)
 * changed since `from`, then the alerts changed since then that belong to no incident (their
 * incidents' alerts came with the incidents). Next pages are requested exactly as
 * `@odata.nextLink` gives them. Records go through the file importer's Graph mapping.
 */
export async function* defenderPages(ctx: SourceContext): AsyncGenerator<SourcePage> {
  const graph = ctx.endpoints.graph;
  const filter = encodeURIComponent(`lastUpdateDateTime ge ${ctx.options.from}`);
  yield* graphPages(ctx, `${graph}/v1.0/security/incidents?$expand=alerts&$filter=${filter}&$top=${INCIDENT_PAGE}`, false);
  yield* graphPages(ctx, `${graph}/v1.0/security/alerts_v2?$filter=${filter}&$top=${ALERT_PAGE}`, true);
}

async function* graphPages(ctx: SourceContext, first: string, standaloneAlerts: boolean): AsyncGenerator<SourcePage> {
  const name = ctx.settings.name;
  let url: string | undefined = first;
  while (url) {
    const body = await ctx.client.json({ method: 'GET', url });
    const { items, next } = checkPage(name, 'GET', url, body, '@odata.nextLink');
    // Alerts of an incident arrived with it ($expand=alerts): only alerts without one are kept here.
    const records = standaloneAlerts ? items.filter((a) => !isRecord(a) || a.incidentId === undefined || a.incidentId === null || a.incidentId === '') : items;
    const at = url;
    const incidents = await mapPage(name, 'GET', at, () => graphIncidents(records, `GET ${requestPath(at)}`));
    yield { request: `GET ${requestPath(at)}`, records: records.length, incidents };
    url = next;
  }
}

/** The page's records through the Graph mapping the file importer uses (standalone alerts grouped into partial incidents). */
async function graphIncidents(records: unknown[], label: string): Promise<Incident[]> {
  const out: Incident[] = [];
  if (records.length === 0) return out;
  for await (const batch of batchesOf([[{ value: { value: records } }]], { file: label, format: 'graph' }, Number.POSITIVE_INFINITY)) out.push(...batch.incidents);
  return out;
}
