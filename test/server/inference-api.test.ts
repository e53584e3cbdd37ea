import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';
import { startHarness } from './harness.js';

const bundle = attackBundle();
const run = requireOrSkip('inference API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

describe.runIf(run)('GET /api/incidents/:id/inference and the inferred layer', () => {
  it('answers the inference of a visible incident, refuses bad input, and hides unknown incidents', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string);
    try {
      const auth = { authorization: `Bearer ${h.tokens.viewer}` };
      const res = await h.app.inject({ url: `/api/incidents/${h.incidentId}/inference?top=5`, headers: auth });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { attackVersion: string; observed: string[]; techniques: { id: string; because: unknown[]; rules: number }[]; incident: { id: string } };
      expect(body.attackVersion).toBe('18.1');
      expect(body.incident.id).toBe(h.incidentId);
      expect(body.techniques).toHaveLength(5);
      for (const t of body.techniques) expect(body.observed).not.toContain(t.id);
      expect((await h.app.inject({ url: `/api/incidents/${h.incidentId}/inference?top=0`, headers: auth })).statusCode).toBe(400);
      expect((await h.app.inject({ url: '/api/incidents/no-such-incident/inference', headers: auth })).statusCode).toBe(404);
      expect((await h.app.inject({ url: `/api/incidents/${h.incidentId}/inference` })).statusCode).toBe(401);
      // A viewer may not decide; an analyst may not dismiss a technique ATT&CK does not know.
      expect((await h.app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/inference/dismiss`, headers: auth, payload: { techniques: ['T1016'] } })).statusCode).toBe(403);
      const bad = await h.app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/inference/dismiss`, headers: { authorization: `Bearer ${h.tokens.analyst}` }, payload: { techniques: ['T9999'] } });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('T9999');

      const layer = await h.app.inject({ url: `/api/layers/inferred?incident=${h.incidentId}`, headers: auth });
      expect(layer.statusCode).toBe(200);
      const ids = (layer.json() as { techniques: { techniqueID: string }[] }).techniques.map((t) => t.techniqueID);
      expect(ids).toContain(body.techniques[0]!.id);
      const across = await h.app.inject({ url: '/api/layers/inferred', headers: auth });
      expect(across.statusCode).toBe(200);
      expect((across.json() as { name: string }).name).toMatch(/across incidents/);
      const history = await h.app.inject({ url: '/api/rules/history', headers: auth });
      expect(history.json()).toEqual({ imports: [] });
    } finally {
      await h.store.close();
    }
  }, 60_000);
});
