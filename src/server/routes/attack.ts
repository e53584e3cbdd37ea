import { z } from 'zod';
import type { RouteContext, TypedApp } from '../app.js';
import { notFound } from '../errors.js';

export interface MatrixColumn {
  id: string;
  shortname: string;
  name: string;
  techniques: { id: string; name: string; subtechniques: { id: string; name: string }[] }[];
}

export async function registerAttackRoutes(app: TypedApp, ctx: RouteContext): Promise<void> {
  let matrix: { version: string; domain: string; tactics: MatrixColumn[] } | undefined;
  app.get('/api/attack/matrix', { config: { access: 'viewer' }, schema: { tags: ['attack'], summary: 'The ATT&CK matrix: tactics in order, their techniques and sub-techniques' } }, async () => {
    if (!matrix) {
      const live = ctx.kb.techniques().filter((t) => !t.deprecated);
      const byId = new Map(live.map((t) => [t.id, t]));
      matrix = {
        version: ctx.kb.meta.version,
        domain: ctx.kb.meta.domain,
        tactics: [...ctx.kb.tactics()]
          .filter((t) => !t.deprecated)
          .sort((a, b) => a.order - b.order)
          .map((tactic) => ({
            id: tactic.id,
            shortname: tactic.shortname,
            name: tactic.name,
            techniques: live
              .filter((t) => !t.isSubtechnique && t.tactics.includes(tactic.shortname))
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((t) => ({ id: t.id, name: t.name, subtechniques: t.subtechniqueIds.flatMap((s) => (byId.has(s) ? [{ id: s, name: byId.get(s)?.name ?? s }] : [])) })),
          })),
      };
    }
    return matrix;
  });

  app.get('/api/attack/:ref', { config: { access: 'viewer' }, schema: { tags: ['attack'], summary: 'Look up an ATT&CK object by ID or name (with the description, mitigations, detections)', params: z.object({ ref: z.string().min(1).max(200) }) } }, async (request) => {
    const resolved = ctx.kb.lookup(request.params.ref);
    if (!resolved) throw notFound(`no ATT&CK object "${request.params.ref}" in ATT&CK ${ctx.kb.meta.version}`);
    const { describeObject } = await import('../../attack/describe.js');
    return describeObject(ctx.kb, resolved);
  });
}
