import { z } from 'zod';

/**
 * Names a schema for the OpenAPI document: it is listed once under `components.schemas` (and in the
 * generated web types as `components['schemas'][id]`) and referenced wherever it is used; every
 * other schema is written out in place. zod's global registry is the one the document is built
 * from (it also holds the descriptions of `.describe()`), so the name joins what it already has.
 * Each module of `schemas/` names the schemas it owns once, when it is loaded.
 */
export function nameSchema(schema: z.ZodType, id: string, description?: string): void {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id, ...(description ? { description } : {}) });
}
