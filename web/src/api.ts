/** The API client: JSON in and out, the CSRF header on writes, errors as ApiError with the server's code and message. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
export function setCsrf(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `${res.status} ${res.statusText}`);
  }
  return data as T;
}

export type Role = 'viewer' | 'analyst' | 'reviewer' | 'admin';
const ORDER: Role[] = ['viewer', 'analyst', 'reviewer', 'admin'];
export function can(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && ORDER.indexOf(role) >= ORDER.indexOf(minimum);
}

export interface User {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface IncidentRow {
  id: string;
  source: string;
  sourceId: string;
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  reviewState: string;
  alertCount: number;
}

export interface TimelineEvent {
  id: string;
  at: string;
  kind: string;
  title: string;
  detail: string | null;
  techniques: string[];
  origin: 'data' | 'manual';
  phase: string | null;
  keyMoment: boolean;
  version?: number;
  hidden?: boolean;
  note?: string | null;
}

export interface Finding {
  id: string;
  incidentId: string;
  category: string;
  title: string;
  description: string;
  severity: string;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export interface ActionItem {
  id: string;
  incidentId: string;
  type: string;
  title: string;
  owner: string | null;
  dueDate: string | null;
  priority: string;
  status: string;
  overdue: boolean;
  version: number;
  findingId: string | null;
}

export interface ReviewRecord {
  incidentId: string;
  state: string;
  version: number;
  approvedBy: string | null;
  approvedAt: string | null;
  sufficiency: string | null;
  waiverReason: string | null;
  submittedBy: string | null;
}

export interface ReviewReport {
  incident: { id: string; sourceId: string; source: string; title: string; description: string | null; severity: string; status: string; classification: string | null; determination: string | null; assignedTo: string | null; createdAt: string; resolvedAt: string | null; alertCount: number; tags: string[] };
  summary: string;
  timeline: TimelineEvent[];
  techniques: { attackVersion: string; tactics: { id: string; shortname: string; name: string; techniques: { id: string; name: string; alertIds: string[] }[] }[]; techniqueIds: string[] };
  entities: { kind: string; key: string; displayName: string; roles: string[]; verdicts: string[]; alertIds: string[] }[];
  state?: ReviewRecord;
  sections?: { key: string; title: string; body: string; source: string; version: number; updatedBy: string | null; updatedAt: string | null }[];
  questions?: { id: string; number: number; text: string; answer: string | null; version: number; answeredBy?: string | null }[];
  findings?: Finding[];
  actions?: ActionItem[];
  completeness?: { score: number; complete: boolean; parts: { id: string; label: string; done: number; total: number; missing: string[] }[] };
}

export interface MatrixData {
  version: string;
  tactics: { id: string; shortname: string; name: string; techniques: { id: string; name: string; subtechniques: { id: string; name: string }[] }[] }[];
}

export interface NavigatorLayer {
  name: string;
  techniques: { techniqueID: string; tactic?: string; score?: number; comment?: string }[];
}

/** Uploads files as multipart/form-data (field `files`), with the CSRF header. */
export async function upload<T>(path: string, files: FileList | File[]): Promise<T> {
  const body = new FormData();
  for (const f of Array.from(files)) body.append('files', f, f.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method: 'POST', headers, body, credentials: 'same-origin' });
  const data = (await res.json()) as unknown;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `${res.status}`);
  }
  return data as T;
}
