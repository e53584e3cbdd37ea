/**
 * The response schemas and the types the code returns describe the same shapes, both ways: a field
 * the code returns but the schema lacks would be dropped from every answer (the serializer keeps
 * only what the schema names), and a field the schema names but the code lacks would fail every
 * answer. The compiler checks these (npm run typecheck); the test below only makes the file a test.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { IncidentActors } from '../../src/analysis/attribution/from-incident.js';
import type { ObjectDescription } from '../../src/attack/describe.js';
import type { NavigatorLayer } from '../../src/export/navigator.js';
import type { AttackObjectDescriptionSchema } from '../../src/model/attack-views.js';
import type { IncidentActorsSchema } from '../../src/model/attribution.js';
import type { NavigatorLayerSchema } from '../../src/model/navigator.js';
import type { ReviewReportSchema } from '../../src/model/review-report.js';
import type { ReviewReport } from '../../src/review/report.js';

/** True when A and B are the same type (each assignable to the other, member by member). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Deep<T> = T extends readonly (infer E)[] ? Deep<E>[] : T extends object ? { [K in keyof T]: Deep<T[K]> } : T;
const same = <A, B>(check: Same<Deep<A>, Deep<B>>) => check;

describe('response schemas', () => {
  it('describe exactly what the code returns', () => {
    expect([
      same<z.output<typeof IncidentActorsSchema>, IncidentActors>(true),
      same<z.output<typeof NavigatorLayerSchema>, NavigatorLayer>(true),
      same<z.output<typeof AttackObjectDescriptionSchema>, ObjectDescription>(true),
      same<z.output<typeof ReviewReportSchema>, ReviewReport>(true),
    ]).toEqual([true, true, true, true]);
  });
});
