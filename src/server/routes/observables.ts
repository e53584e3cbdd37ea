import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importIntel, intelSightings, listIndicators } from '../../app/intel.js';
import { addObservable, getObservable, incidentTlp, listObservables, markObservable, observablesOfIncident, setIncidentTlp, visibleIncidentId } from '../../app/observables.js';
import { ObservableAddSchema, ObservableMarkSchema, ObservableSchema, ObservableTypeSchema, TlpLevelSchema } from '../../model/observables.js';
import type { RouteContext } from '../context.js';
import { HttpError } from '../errors.js';
import { userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import { IncidentObservablesSchema, IncidentTlpSchema, IndicatorPageSchema, IntelImportAnswerSchema, IntelSightingsSchema, ObservablePageSchema } from '../schemas/observables.js';
import { IncidentParams } from './common.js';

const ObservableListQuery = z.object({
  value: z.string().min(1).max(32_768).optional().describe('an observable value (normalised; matched under every type it is valid for unless type is given)'),
  type: ObservableTypeSchema.optional(),
  ioc: z.enum(['true', 'false']).optional().describe('only observables marked (true) or not marked (false) as IOC'),
  incident: z.string().min(1).max(200).optional().describe("only observables seen in this incident (Hindsight's id or the source's own)"),
  contains: z.string().min(1).max(200).optional().describe('only values containing this text'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const ObservableParams = z.object({ observableId: z.string().regex(/^obs_[0-9a-f]{16}$/).describe("the observable's id (obs_...)") });
const IndicatorQuery = z.object({
  evaluation: z.enum(['evaluable', 'partial', 'unevaluable']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Largest intelligence upload (all files together). */
const MAX_INTEL_UPLOAD = 50 * 1024 * 1024;

/** Observables across incidents, an incident's observables and TLP, and shared intelligence (indicators in, sightings out). */
export const observableRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/api/observables', { config: { access: 'viewer' }, schema: { tags: ['observables'], summary: 'Observables across the incidents you may see, most recently seen first', querystring: ObservableListQuery, response: { 200: ObservablePageSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const q = request.query;
    return listObservables(ctx.store, { ...(q.value !== undefined ? { value: q.value } : {}), ...(q.type ? { type: q.type } : {}), ...(q.ioc ? { ioc: q.ioc === 'true' } : {}), ...(q.incident ? { incident: q.incident } : {}), ...(q.contains ? { contains: q.contains } : {}), limit: q.limit, offset: q.offset }, userOf(request));
  });

  app.get('/api/observables/:observableId', { config: { access: 'viewer' }, schema: { tags: ['observables'], summary: 'One observable, with where it was seen', params: ObservableParams, response: { 200: ObservableSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    return getObservable(ctx.store, request.params.observableId, userOf(request));
  });

  app.patch('/api/observables/:observableId', { config: { access: 'analyst' }, schema: { tags: ['observables'], summary: "Change an observable's marks: tags, IOC flag, its own TLP (null: inherit the incidents')", params: ObservableParams, body: ObservableMarkSchema, response: { 200: ObservableSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
    return markObservable(ctx.store, request.params.observableId, request.body, userOf(request));
  });

  app.get('/api/incidents/:id/observables', { config: { access: 'viewer' }, schema: { tags: ['observables'], summary: "The incident's observables, each with where else it was seen", params: IncidentParams, response: { 200: IncidentObservablesSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const user = userOf(request);
    const observables = await observablesOfIncident(ctx.store, request.params.id, user);
    const incidentId = await visibleIncidentId(ctx.store, request.params.id, user);
    return { incidentId, tlp: await incidentTlp(ctx.store, incidentId), observables };
  });

  app.post('/api/incidents/:id/observables', { config: { access: 'analyst' }, schema: { tags: ['observables'], summary: 'Add an observable to the incident by hand (audited)', params: IncidentParams, body: ObservableAddSchema, response: { 200: ObservableSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
    return addObservable(ctx.store, request.params.id, request.body, userOf(request));
  });

  app.get('/api/incidents/:id/tlp', { config: { access: 'viewer' }, schema: { tags: ['observables'], summary: "The incident's TLP marking (AMBER unless set)", params: IncidentParams, response: { 200: IncidentTlpSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const incidentId = await visibleIncidentId(ctx.store, request.params.id, userOf(request));
    return { incidentId, tlp: await incidentTlp(ctx.store, incidentId) };
  });

  app.put('/api/incidents/:id/tlp', { config: { access: 'analyst' }, schema: { tags: ['observables'], summary: "Set the incident's TLP marking (audited)", params: IncidentParams, body: z.object({ tlp: TlpLevelSchema }), response: { 200: IncidentTlpSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
    return setIncidentTlp(ctx.store, request.params.id, request.body.tlp, userOf(request));
  });

  app.get('/api/intel/indicators', { config: { access: 'viewer' }, schema: { tags: ['intel'], summary: 'Indicators imported from STIX bundles and MISP events, newest import first', querystring: IndicatorQuery, response: { 200: IndicatorPageSchema, ...errorResponses(400, 401) } } }, async (request) => {
    const q = request.query;
    return listIndicators(ctx.store, { ...(q.evaluation ? { evaluation: q.evaluation } : {}), limit: q.limit, offset: q.offset });
  });

  app.get('/api/intel/sightings', { config: { access: 'viewer' }, schema: { tags: ['intel'], summary: 'Every stored indicator seen in an incident you may see, with those incidents', response: { 200: IntelSightingsSchema, ...errorResponses(401) } } }, async (request) => {
    return { sightings: await intelSightings(ctx.store, userOf(request)) };
  });

  app.post('/api/intel/import', { config: { access: 'analyst' }, schema: { tags: ['intel'], summary: 'Upload STIX 2.1 bundles or MISP events (multipart/form-data, field "files"); all or nothing, idempotent', consumes: ['multipart/form-data'], response: { 200: IntelImportAnswerSchema, ...errorResponses(400, 401, 403, 413, 415) } } }, async (request) => {
    if (!request.isMultipart()) throw new HttpError(415, 'unsupported-media-type', 'send the files as multipart/form-data');
    const documents: { name: string; text: string }[] = [];
    let size = 0;
    for await (const part of request.files()) {
      const buffer = await part.toBuffer();
      size += buffer.length;
      if (size > MAX_INTEL_UPLOAD) throw new HttpError(413, 'too-large', `the upload is larger than ${MAX_INTEL_UPLOAD / 1024 / 1024} MB`);
      documents.push({ name: (part.filename || `upload-${documents.length + 1}.json`).replace(/[^\w.-]/g, '_').slice(0, 200), text: buffer.toString('utf8') });
    }
    if (!documents.length) throw new HttpError(400, 'invalid-input', 'no files in the upload');
    return importIntel(ctx.store, documents, userOf(request));
  });
};
