import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';
import { PASSWORD, startHarness, type Harness } from '../server/harness.js';
import { params, runs } from './fuzz-config.js';
import { hostileValue, toText } from './hostile-json.js';

/**
 * Every API route that takes a JSON body (found in the server's own OpenAPI document, so a new
 * route is fuzzed without a line here) gets arbitrary bodies: JSON of any shape, text that is not
 * JSON, and objects shaped by the route's body schema with hostile values. Each answer must be 2xx
 * or 4xx, never 5xx, and a 4xx must leave the store as it was.
 */
const bundle = attackBundle();
const run = requireOrSkip('API fuzz (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  minLength?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface Route {
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  schema: JsonSchema;
  parameters: { name: string; schema?: JsonSchema }[];
}

/** Plausible values for a schema (so bodies reach the handlers), mixed with hostile ones at every level. */
function bodyOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const hostile = hostileValue;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => bodyOf(s, depth + 1)), hostile);
  let valid: fc.Arbitrary<unknown>;
  if (schema.enum) valid = fc.constantFrom(...schema.enum);
  else if (schema.type === 'object' && schema.properties && depth < 4) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [key, s] of Object.entries(schema.properties)) shape[key] = bodyOf(s, depth + 1);
    valid = fc.record(shape, { requiredKeys: (schema.required ?? []).filter((k) => k in shape) });
  } else if (schema.type === 'array') valid = fc.array(schema.items ? bodyOf(schema.items, depth + 1) : hostile, { maxLength: 3 });
  else if (schema.type === 'string') {
    valid =
      schema.format === 'date-time'
        ? fc.constantFrom('2026-03-01T10:00:00Z', '2026-02-30T10:00:00Z', '2026-03-01T10:00:00.123+02:00')
        : schema.pattern?.includes('\\d{4}-\\d{2}-\\d{2}')
          ? fc.constantFrom('2026-04-01', '2026-02-30', '1999-12-31')
          : fc.oneof(fc.string({ minLength: schema.minLength ?? 0, maxLength: 30 }), fc.constantFrom('a\u0000b', '\ud800', 'x'.repeat(5000), 'T1059.001', 'inc_000000000000', 'a-long-test-password'));
  } else if (schema.type === 'integer' || schema.type === 'number') valid = fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double());
  else if (schema.type === 'boolean') valid = fc.boolean();
  else valid = hostile;
  const withNull = schema.nullable ? fc.oneof(valid, fc.constant(null)) : valid;
  return fc.oneof({ arbitrary: withNull, weight: 9 }, { arbitrary: hostile, weight: 1 });
}

/** The routes with a JSON body in the server's OpenAPI document. */
function routesOf(spec: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: JsonSchema }> }; parameters?: Route['parameters'] }>> }): Route[] {
  const out: Route[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema || !['post', 'patch', 'put'].includes(method)) continue;
      out.push({ method: method.toUpperCase() as Route['method'], path, schema, parameters: op.parameters ?? [] });
    }
  }
  return out;
}

/** Every table's rows (sessions and tokens aside: they note when they were last used), as one text. */
async function snapshot(store: OpenedStore): Promise<string> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('sessions', 'api_tokens', 'kysely_migration', 'kysely_migration_lock') order by name`.execute(store.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    // A refused sign-in is recorded in the audit trail by design (see docs/audit.md): that entry is not a change of the store's data.
    const rows = await sql.raw(`select * from "${name}"${name === 'audit_log' ? " where entity_type <> 'sign-in'" : ''}`).execute(store.db);
    parts.push(name, ...rows.rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort());
  }
  return parts.join('\n');
}

describe.runIf(run)('fuzz: every API body', () => {
  let h: Harness;
  const answers: Record<string, number> = {};
  afterAll(async () => {
    console.info(`[fuzz] API: ${Object.values(answers).reduce((a, b) => a + b, 0)} requests, by status: ${JSON.stringify(answers)}`);
    await h?.store.close();
  });

  it(`answers 2xx or 4xx to arbitrary bodies on every POST/PATCH/PUT route, the store unchanged on 4xx (${runs(12)} runs a route)`, async () => {
    h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string, { loginAttemptsPerMinute: 1_000_000 });
    const admin = { authorization: `Bearer ${h.tokens.admin}` };
    const post = async (url: string, payload: unknown) => {
      const res = await h.app.inject({ method: 'POST', url, payload: payload as object, headers: admin });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json() as { id: string };
    };
    // Things the routes' path parameters name.
    const finding = await post(`/api/incidents/${h.incidentId}/findings`, { category: 'technical-lapse', title: 'fuzz finding' });
    const item = await post(`/api/incidents/${h.incidentId}/action-items`, { type: 'fix', title: 'fuzz item' });
    const event = await post(`/api/incidents/${h.incidentId}/timeline`, { at: '2026-03-01T10:00:00Z', title: 'fuzz event' });
    await post('/api/users', { username: 'fuzzee', role: 'viewer', password: PASSWORD });
    const spec = (await h.app.inject({ url: '/api/openapi.json' })).json() as Parameters<typeof routesOf>[0];
    const routes = routesOf(spec);
    expect(routes.length).toBeGreaterThan(20);

    const paramValue = (route: Route, name: string): string => {
      const declared = route.parameters.find((p) => p.name === name)?.schema?.enum;
      if (declared) return String(declared[0]);
      if (name === 'id') return route.path.startsWith('/api/findings') ? finding.id : route.path.startsWith('/api/action-items') ? item.id : h.incidentId;
      if (name === 'eventId') return event.id;
      if (name === 'username') return 'fuzzee';
      return 'x';
    };

    for (const route of routes) {
      const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(paramValue(route, name)));
      const bodies = fc.oneof(
        { arbitrary: bodyOf(route.schema).map((v) => toText(v)), weight: 4 },
        { arbitrary: hostileValue.map(toText), weight: 1 },
        { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
      );
      // Bodies nested 100,000 deep, as a whole and inside a field the route knows.
      const firstField = Object.keys(route.schema.properties ?? {})[0] ?? 'x';
      for (const body of [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, `{"${firstField}":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`]) {
        const before = await snapshot(h.store);
        const res = await h.app.inject({ method: route.method, url, payload: body, headers: { ...admin, 'content-type': 'application/json' } });
        answers[res.statusCode] = (answers[res.statusCode] ?? 0) + 1;
        expect(res.statusCode, `${route.method} ${url} deep body -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(await snapshot(h.store)).toBe(before);
      }
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const before = await snapshot(h.store);
          const res = await h.app.inject({ method: route.method, url, payload: body, headers: { ...admin, 'content-type': 'application/json' } });
          answers[res.statusCode] = (answers[res.statusCode] ?? 0) + 1;
          expect(res.statusCode, `${route.method} ${url} ${body.slice(0, 200)} -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) expect(await snapshot(h.store), `${route.method} ${url} changed the store and answered ${res.statusCode}`).toBe(before);
        }),
        params(12),
      );
    }
  }, 120_000);
});
