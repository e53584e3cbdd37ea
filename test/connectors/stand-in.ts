/**
 * Stand-ins for Microsoft Entra ID's token endpoint, the Microsoft Graph security API and Azure
 * Resource Manager's Microsoft.SecurityInsights, on loopback, built from Microsoft's published
 * reference and examples: the client-credentials token answer and its AADSTS7000215 error,
 * `GET /v1.0/security/incidents?$expand=alerts` and `alerts_v2` pages with `@odata.nextLink`,
 * Sentinel `Incidents - List` with `nextLink`, `List Alerts`, `List Entities` ({entities, metaData})
 * and comments. Faults (throttling, expired tokens, malformed or hanging pages) are set per test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';

export const TENANT = '4b2462a4-bbee-495a-a0e1-f23ae524cc9c';
export const CLIENT = '9a8c7f1e-1111-4e2d-8c3b-5d6e7f809a1b';
export const GOOD_SECRET = 'Qx7~good-client-secret-value.zz';
export const BAD_SECRET = 'Qx7~wrong-client-secret-value.yy';

export type Record_ = Record<string, unknown>;

/** What a test makes a request do, once: match on the path and the page (the request's $skip or $skiptoken). */
export interface Fault {
  path: RegExp;
  /** Only the nth matching request (1-based); default every one. */
  nth?: number;
  /** With nth: that request and every later one. */
  onwards?: boolean;
  kind: 'throttle' | 'unavailable' | 'unauthorized' | 'malformed' | 'bad-record' | 'hang';
  retryAfter?: string;
}

export interface StandIn {
  url: string;
  /** Every request: method, path and query as received. */
  requests: { method: string; path: string; query: string; at: number }[];
  tokenRequests: number;
  incidents: Record_[];
  alerts: Record_[];
  sentinel: { incidents: Record_[]; alerts: Map<string, Record_[]>; entities: Map<string, Record_[]>; comments: Map<string, Record_[]> };
  faults: Fault[];
  /** Seconds a token lives. */
  expiresIn: number;
  /** Tokens issued before this are refused with 401 (a revoked or expired token). */
  revokeTokens(): void;
  pageSize: number;
  /** A PEM certificate whose key may sign client assertions (certificate credentials). */
  certificatePem?: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** `lastUpdateDateTime ge 2026-01-01T00:00:00Z` -> the time. */
function filterFrom(filter: string | null, field: string): string | undefined {
  if (!filter) return undefined;
  const m = new RegExp(`^${field.replace('/', '\\/')} ge (\\S+)$`).exec(filter.trim());
  if (!m) throw new Error(`unsupported $filter ${filter}`);
  return new Date(m[1]!).toISOString();
}

export async function startStandIn(): Promise<StandIn> {
  let tokenGeneration = 0;
  let validFrom = 0;
  const counts = new Map<Fault, number>();
  const state: StandIn = {
    url: '',
    requests: [],
    tokenRequests: 0,
    incidents: [],
    alerts: [],
    sentinel: { incidents: [], alerts: new Map(), entities: new Map(), comments: new Map() },
    faults: [],
    expiresIn: 3599,
    pageSize: 2,
    revokeTokens() {
      validFrom = tokenGeneration + 1;
    },
    close: async () => undefined,
  };

  const fault = (path: string): Fault | undefined => {
    // Every matching fault counts the request, whichever one answers it.
    let hit: Fault | undefined;
    for (const f of state.faults) {
      if (!f.path.test(path)) continue;
      const n = (counts.get(f) ?? 0) + 1;
      counts.set(f, n);
      if (!hit && (f.nth === undefined || f.nth === n || (f.onwards && n > f.nth))) hit = f;
    }
    return hit;
  };

  const page = (res: ServerResponse, url: URL, items: Record_[], link: '@odata.nextLink' | 'nextLink', extra: Record_ = {}) => {
    const skip = Number(url.searchParams.get('$skip') ?? '0');
    const top = Math.min(Number(url.searchParams.get('$top') ?? state.pageSize), state.pageSize);
    const slice = items.slice(skip, skip + top);
    const body: Record_ = { ...extra, value: slice };
    if (skip + top < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('$skip', String(skip + top));
      // An opaque token the client must pass back exactly as given.
      next.searchParams.set('$skiptoken', `pg/${skip + top}+x`);
      body[link] = next.toString();
    }
    send(res, 200, body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', state.url);
      state.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, at: Date.now() });
      const body = Buffer.concat(chunks).toString('utf8');
      if (url.pathname === `/${TENANT}/oauth2/v2.0/token` && req.method === 'POST') {
        state.tokenRequests += 1;
        const busy = fault(url.pathname);
        if (busy?.kind === 'throttle') return send(res, 429, { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred. Please try again.' }, busy.retryAfter === undefined ? {} : { 'retry-after': busy.retryAfter });
        if (busy?.kind === 'unavailable') return send(res, 503, { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred. Please try again.' });
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== CLIENT) return send(res, 400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must contain the following parameter: grant_type.' });
        const assertion = form.get('client_assertion');
        if (assertion !== null) {
          void verifyAssertion(assertion, `${state.url}/${TENANT}/oauth2/v2.0/token`, state.certificatePem).then((ok) => {
            if (!ok) return send(res, 401, { error: 'invalid_client', error_description: 'AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.', error_codes: [700027] });
            tokenGeneration += 1;
            send(res, 200, { token_type: 'Bearer', expires_in: state.expiresIn, ext_expires_in: state.expiresIn, access_token: `standin.${tokenGeneration}.sig` });
          });
          return;
        }
        if (form.get('client_secret') !== GOOD_SECRET) {
          return send(res, 401, {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT}'. Trace ID: 0b6a2b1e-6c11-4c44-9a44-4b8d0f1f7d00 Correlation ID: 8e4d Timestamp: 2026-12-07 10:00:00Z`,
            error_codes: [7000215],
            timestamp: '2026-12-07 10:00:00Z',
            trace_id: '0b6a2b1e-6c11-4c44-9a44-4b8d0f1f7d00',
            correlation_id: '8e4d2f7a-3b1c-4d5e-9f60-7a8b9c0d1e2f',
            error_uri: 'https://login.microsoftonline.com/error?code=7000215',
          });
        }
        tokenGeneration += 1;
        return send(res, 200, { token_type: 'Bearer', expires_in: state.expiresIn, ext_expires_in: state.expiresIn, access_token: `standin.${tokenGeneration}.sig` });
      }
      const token = /^Bearer standin\.(\d+)\.sig$/.exec(req.headers.authorization ?? '');
      if (!token || Number(token[1]) < validFrom) {
        return send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.', innerError: { date: '2026-12-07T10:00:00', 'request-id': 'r1' } } });
      }
      const f = fault(url.pathname);
      if (f?.kind === 'hang') return; // never answers
      if (f?.kind === 'throttle') return send(res, 429, { error: { code: 'TooManyRequests', message: 'Too many requests.' } }, f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter });
      if (f?.kind === 'unavailable') return send(res, 503, { error: { code: 'ServiceUnavailable', message: 'Service unavailable.' } });
      if (f?.kind === 'unauthorized') {
        state.revokeTokens();
        return send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } });
      }
      if (f?.kind === 'malformed') return send(res, 200, { '@odata.context': 'x', value: { not: 'an array' } });
      try {
        route(url, req.method ?? 'GET', res, f);
      } catch (error) {
        send(res, 400, { error: { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) } });
      }
    });
  });

  const route = (url: URL, method: string, res: ServerResponse, f: Fault | undefined) => {
    const p = url.pathname;
    if (p === '/v1.0/security/incidents' && method === 'GET') {
      const from = filterFrom(url.searchParams.get('$filter'), 'lastUpdateDateTime');
      let items = state.incidents.filter((i) => !from || new Date(String(i.lastUpdateDateTime)).toISOString() >= from);
      if (url.searchParams.get('$expand') !== 'alerts') items = items.map(({ alerts: _a, ...rest }) => rest);
      if (f?.kind === 'bad-record') items = items.map((i, n) => (n === Number(url.searchParams.get('$skip') ?? 0) + 1 ? { ...i, createdDateTime: 'yesterday' } : i));
      return page(res, url, items, '@odata.nextLink', { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())' });
    }
    if (p === '/v1.0/security/alerts_v2' && method === 'GET') {
      const from = filterFrom(url.searchParams.get('$filter'), 'lastUpdateDateTime');
      return page(res, url, state.alerts.filter((a) => !from || new Date(String(a.lastUpdateDateTime)).toISOString() >= from), '@odata.nextLink', { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2' });
    }
    const ws = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+\/providers\/Microsoft\.SecurityInsights\/incidents(?:\/([^/]+)\/(alerts|entities|comments))?$/.exec(p);
    if (ws) {
      if (!url.searchParams.get('api-version')) return send(res, 400, { error: { code: 'MissingApiVersionParameter', message: "The api-version query parameter (?api-version=) is required for all requests." } });
      const [, id, what] = ws;
      if (!id && method === 'GET') {
        const from = filterFrom(url.searchParams.get('$filter'), 'properties/lastModifiedTimeUtc');
        return page(res, url, state.sentinel.incidents.filter((i) => !from || String((i.properties as Record_).lastModifiedTimeUtc) >= from), 'nextLink');
      }
      if (what === 'alerts' && method === 'POST') return send(res, 200, { value: state.sentinel.alerts.get(id!) ?? [] });
      if (what === 'entities' && method === 'POST') {
        const entities = state.sentinel.entities.get(id!) ?? [];
        return send(res, 200, { entities, metaData: [...new Set(entities.map((e) => String(e.kind)))].map((kind) => ({ count: entities.filter((e) => e.kind === kind).length, entityKind: kind })) });
      }
      if (what === 'comments' && method === 'GET') return page(res, url, state.sentinel.comments.get(id!) ?? [], 'nextLink');
    }
    send(res, 404, { error: { code: 'ResourceNotFound', message: `no route ${method} ${p}` } });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A client assertion as Entra ID checks it: RS256 signed by the registered certificate (x5t its SHA-1 thumbprint), for this token endpoint and client. */
async function verifyAssertion(assertion: string, audience: string, certificatePem: string | undefined): Promise<boolean> {
  if (!certificatePem) return false;
  try {
    const cert = new X509Certificate(certificatePem);
    const header = decodeProtectedHeader(assertion);
    if (header.x5t !== createHash('sha1').update(cert.raw).digest('base64url')) return false;
    const { payload } = await jwtVerify(assertion, await importX509(certificatePem, 'RS256'), { audience, issuer: CLIENT, subject: CLIENT });
    return typeof payload.jti === 'string' && typeof payload.exp === 'number';
  } catch {
    return false;
  }
}

/** A Graph security incident with its alerts, shaped like the v1.0 "List incidents" example. */
export function graphIncident(id: string, updated: string, alerts = 2, over: Record_ = {}): Record_ {
  return {
    '@odata.type': '#microsoft.graph.security.incident',
    id,
    incidentWebUrl: `https://security.microsoft.com/incidents/${id}?tid=${TENANT}`,
    tenantId: TENANT,
    redirectIncidentId: null,
    displayName: `Multi-stage incident involving Initial access & Execution on one endpoint (${id})`,
    createdDateTime: '2026-11-20T08:00:00.0000000Z',
    lastUpdateDateTime: updated,
    assignedTo: null,
    classification: 'unknown',
    determination: 'unknown',
    status: 'active',
    severity: 'medium',
    customTags: ['Demo'],
    systemTags: [],
    description: 'A user opened a malicious attachment.',
    summary: null,
    comments: [],
    alerts: Array.from({ length: alerts }, (_, n) => graphAlert(`da${id}_${n}`, id, updated)),
    ...over,
  };
}

export function graphAlert(id: string, incidentId: string | null, updated: string): Record_ {
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id,
    incidentId,
    status: 'new',
    severity: 'medium',
    classification: null,
    determination: null,
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'antivirus',
    detectorId: 'e0da400f-affd-43ef-b1d5-afc2eb6f2756',
    tenantId: TENANT,
    title: 'Suspicious execution of hidden file',
    description: 'A hidden file has been launched.',
    recommendedActions: 'Collect artifacts and determine scope.',
    category: 'DefenseEvasion',
    assignedTo: null,
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${TENANT}`,
    incidentWebUrl: incidentId ? `https://security.microsoft.com/incidents/${incidentId}?tid=${TENANT}` : null,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    mitreTechniques: ['T1564.001'],
    createdDateTime: '2026-11-20T08:00:00.0000000Z',
    lastUpdateDateTime: updated,
    resolvedDateTime: null,
    firstActivityDateTime: '2026-11-20T07:58:00Z',
    lastActivityDateTime: '2026-11-20T07:59:00Z',
    comments: [],
    evidence: [
      {
        '@odata.type': '#microsoft.graph.security.deviceEvidence',
        createdDateTime: '2026-11-20T08:00:00Z',
        verdict: 'unknown',
        remediationStatus: 'none',
        roles: [],
        tags: [],
        deviceDnsName: 'ws-fin-042.contoso.com',
        mdeDeviceId: '73e7e2de709dff64ef64b1d0c30e67fab63279db',
        osPlatform: 'Windows10',
      },
    ],
  };
}
