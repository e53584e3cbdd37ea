import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { StoredIncident } from '../../model/index.js';
import { findIncident } from '../../app/incidents.js';
import type { RouteContext } from '../context.js';
import { userOf } from '../request-user.js';
import { notFound } from '../errors.js';

export const IncidentParams = z.object({ id: z.string().min(1).max(200).describe("Hindsight's incident id (inc_...) or the source's own id") });

/** Comma-separated or repeated query values. */
export const listParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? undefined : [v].flat().flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)));

/** A comma-separated or repeated query parameter whose every value must be one of `values` (else 400 naming it). */
export function enumListParam<const T extends readonly [string, ...string[]]>(values: T) {
  return listParam.pipe(z.array(z.enum(values)).optional());
}

/**
 * The incident a request names, if the user may see it. A restricted incident the user is not
 * named on answers exactly like one that does not exist.
 */
export async function visibleIncident(ctx: RouteContext, request: FastifyRequest, ref: string): Promise<StoredIncident> {
  return (await visibleIncidentAndAccess(ctx, request, ref)).incident;
}

/** The incident a request names, if the user may see it, and who it is restricted to (empty: nobody in particular). */
export async function visibleIncidentAndAccess(ctx: RouteContext, request: FastifyRequest, ref: string): Promise<{ incident: StoredIncident; restrictedTo: string[] }> {
  // Access is filtered in the query that resolves the reference: restricted and unknown take this
  // one path to the one not-found, in the same time. Only a visible incident is then loaded (without
  // the source's own JSON, which no route shows).
  const id = await ctx.auth.visibleIncidentId(userOf(request), ref);
  const incident = id ? await findIncident(ctx.store, id, { raw: false }) : undefined;
  if (!id || !incident) throw notFound(`no incident "${ref}"`);
  return { incident, restrictedTo: await ctx.auth.accessList(id) };
}
