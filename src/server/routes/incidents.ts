import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentLayer, observedLayerOf } from '../../app/layers.js';
import { storedReviewInputs } from '../../app/review-document.js';
import { renderReview } from '../../app/review-formats.js';
import { attackStoryOf, teamNameOf } from '../../app/share-export.js';
import { reviewHistory } from '../../app/review/index.js';
import type { NavigatorLayer } from '../../export/navigator.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { incidentDetailSerializer } from '../report-serializer.js';
import { saveUploadedFiles } from '../upload-files.js';
import { actorOf, userOf } from '../request-user.js';
import { errorResponses } from '../schemas/errors.js';
import {
  CoverageLayersSchema,
  ImportAnswerSchema,
  ImportQuery,
  IncidentAccessSchema,
  IncidentAttributionSchema,
  IncidentDetailSchema,
  IncidentPageSchema,
  NavigatorLayerSchema,
  ReportDownloadResponse,
} from '../schemas/incidents.js';
import { ReviewHistorySchema } from '../schemas/review.js';
import { incidentIdOf, incidentPage } from '../../app/incidents.js';
import { REVIEW_STATES } from '../../model/review.js';
import { enumListParam, IncidentParams, listParam, visibleIncident, visibleIncidentAndAccess } from './common.js';

const IncidentListQuery = z.object({
  status: listParam.describe('incident status, comma-separated (new, active, resolved, ...)'),
  severity: listParam.describe('severity, comma-separated (informational, low, medium, high)'),
  reviewState: enumListParam(REVIEW_STATES).describe('review state, comma-separated (not-required, required, draft, in-review, approved, waived)'),
  from: z.iso.date().or(z.iso.datetime({ offset: true })).optional().describe('created on or after (YYYY-MM-DD or ISO time)'),
  to: z.iso.date().or(z.iso.datetime({ offset: true })).optional().describe('created on or before (YYYY-MM-DD: that whole day)'),
  q: z.string().max(200).optional().describe('words in the title, an incident id, or an observable value seen in the incident'),
  observable: z.string().min(1).max(2048).optional().describe('only incidents in which this observable value was seen (normalised; e.g. 203.0.113.66)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const ReportQuery = z.object({ format: z.enum(['md', 'html', 'pdf', 'json']).default('html') });
const AccessBody = z.object({ users: z.array(z.string().min(1).max(64)).max(200).describe('user names; an empty list lifts the restriction') });

/** Incidents: the list, the full review, its report and layers, attribution, history, imports and access lists. */
export const incidentRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, ctx) => {
  app.get('/api/incidents', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'Incidents, newest first, filtered and searched', querystring: IncidentListQuery, response: { 200: IncidentPageSchema, ...errorResponses(400, 401) } } }, async (request) => {
    const q = request.query;
    const user = userOf(request);
    return incidentPage(ctx.store, { status: q.status, severity: q.severity, reviewState: q.reviewState, from: q.from, to: q.to, q: q.q, ...(q.observable !== undefined ? { observable: q.observable } : {}), limit: q.limit, offset: q.offset }, await ctx.auth.hiddenIncidents(user));
  });

  app.get('/api/incidents/:id', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'The incident and its full review (timeline, techniques, entities, findings, actions, questions, completeness)', params: IncidentParams, response: { 200: IncidentDetailSchema, ...errorResponses(400, 401, 404) } }, serializerCompiler: incidentDetailSerializer }, async (request) => {
    const { incident, restrictedTo } = await visibleIncidentAndAccess(ctx, request, request.params.id);
    const inputs = await storedReviewInputs(ctx.store, incident.id, await ctx.rules.index());
    const report = await ctx.reports.get(incident, inputs);
    const { content } = inputs;
    return { report, review: content.review, restrictedTo, manualEvents: content.manualEvents, annotations: content.annotations };
  });

  app.get('/api/incidents/:id/report', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'Download the review report (Markdown, HTML, PDF or JSON)', params: IncidentParams, querystring: ReportQuery, response: { 200: ReportDownloadResponse, ...errorResponses(400, 401, 404, 503) } } }, async (request, reply) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    const report = await ctx.reports.get(incident, await storedReviewInputs(ctx.store, incident.id, await ctx.rules.index()));
    const format = request.query.format;
    // The HTML and PDF documents draw the attack story (the Attack Flow export's steps, assets and observables).
    const story = format === 'html' || format === 'pdf' ? await attackStoryOf(ctx.store, ctx.kb, incident, userOf(request), { team: teamNameOf(ctx.options.env ?? process.env), report }) : undefined;
    const rendered = await renderReview(report, format, { printer: ctx.pdf, ...(story ? { story } : {}) });
    return reply.header('content-disposition', `attachment; filename="review-${incident.id}.${rendered.extension}"`).type(rendered.contentType).send(rendered.body);
  });

  app.get('/api/incidents/:id/layer', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: "ATT&CK Navigator layer (4.5) of the incident's techniques", params: IncidentParams, response: { 200: NavigatorLayerSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    return incidentLayer(ctx.kb, await visibleIncident(ctx, request, request.params.id));
  });

  app.get('/api/layers/observed', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: 'Navigator layer of techniques observed across the incidents you may see (score = alerts)', response: { 200: NavigatorLayerSchema, ...errorResponses(401) } } }, async (request) => {
    const hidden = await ctx.auth.hiddenIncidents(userOf(request));
    return (await observedLayerOf(ctx.store, ctx.kb, hidden)).layer;
  });

  // The rules are read once every 5 minutes; the layers are computed per set of incidents hidden
  // from the reader (most readers share one: every restricted incident), so a restricted incident
  // never counts in the coverage someone not named on it sees.
  type CoverageAnswer = { available: boolean; rules: number; layers: NavigatorLayer[]; reason?: string };
  /** The read of the rules the cached layers were computed from. */
  let coverageOf = 0;
  const coverage = new Map<string, { at: number; value: Promise<CoverageAnswer> }>();
  app.get('/api/layers/coverage', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: 'Detection coverage, threat relevance and gap layers (Navigator 4.5) from the rules the server was started with, over the incidents you may see', response: { 200: CoverageLayersSchema, ...errorResponses(401) } } }, async (request) => {
    const read = await ctx.rules.get();
    if (!read) return { available: false, rules: 0, layers: [], reason: 'the server was started without detection rules: hindsight serve --rules PATH' };
    // Layers computed from an earlier read of the rules are dropped when the rules are read again.
    if (read.readAt !== coverageOf) {
      coverage.clear();
      coverageOf = read.readAt;
    }
    const now = Date.now();
    const hidden = await ctx.auth.hiddenIncidents(userOf(request));
    const key = [...hidden].sort().join(',');
    let entry = coverage.get(key);
    if (!entry || now - entry.at > 5 * 60_000) {
      const value = (async (): Promise<CoverageAnswer> => {
        const { computeCoverage } = await import('../../analysis/coverage/compute.js');
        const { incidentCoverageAggregate } = await import('../../app/coverage.js');
        const { buildCoverageLayers } = await import('../../export/coverage-layers.js');
        const result = computeCoverage(ctx.kb, read.inventory.rules, await incidentCoverageAggregate(ctx.store, hidden), { kind: 'prevalence' }, { includeDeprecated: false });
        return { available: true, rules: result.rulesCounted, layers: buildCoverageLayers(ctx.kb, result, { rulesLabel: `${result.rulesCounted} rules` }) };
      })();
      if (coverage.size >= 20) coverage.delete(coverage.keys().next().value as string);
      entry = { at: now, value };
      coverage.set(key, entry);
      value.catch(() => coverage.delete(key));
    }
    return entry.value;
  });

  app.get('/api/incidents/:id/attribution', { config: { access: 'viewer' }, schema: { tags: ['analysis'], summary: 'Who probably did it: ranked ATT&CK groups and campaigns with the reasons', params: IncidentParams, response: { 200: IncidentAttributionSchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    const { attributeIncident } = await import('../../analysis/attribution/from-incident.js');
    return { incident: incident.id, ...attributeIncident(incident, ctx.kb, 5) };
  });

  app.get('/api/incidents/:id/history', { config: { access: 'viewer' }, schema: { tags: ['review'], summary: 'Change history of the review', params: IncidentParams, response: { 200: ReviewHistorySchema, ...errorResponses(400, 401, 404) } } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    return { changes: await reviewHistory(ctx.store, incident.id) };
  });

  app.post('/api/incidents/import', { config: { access: 'analyst' }, schema: { tags: ['incidents'], summary: 'Upload incident files (multipart/form-data, field "files"); all or nothing', consumes: ['multipart/form-data'], querystring: ImportQuery, response: { 200: ImportAnswerSchema, ...errorResponses(400, 401, 403, 413, 415) } } }, async (request) => {
    if (!request.isMultipart()) throw new HttpError(415, 'unsupported-media-type', 'send the files as multipart/form-data');
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-upload-'));
    try {
      const { paths: files, names } = await saveUploadedFiles(request, dir, ctx.uploadLimits);
      if (!files.length) throw new HttpError(400, 'invalid-input', 'no files in the upload');
      const { importFiles, importGrouping } = await import('../../app/import.js');
      const { format, ...groupingWords } = request.query;
      const grouping = importGrouping(groupingWords);
      let result;
      try {
        const hidden = await ctx.auth.hiddenIncidents(userOf(request));
        result = await importFiles(ctx.store, files, {
          format,
          grouping,
          kb: ctx.kb,
          env: ctx.options.env,
          policyFile: ctx.options.policyFile,
          audit: { actor: actorOf(request), files: names },
          // An upload may not change an incident restricted to other people (nor learn more of it than it already holds).
          checkIncidents: (ids) => {
            if (ids.some((id) => hidden.has(id))) throw new HttpError(403, 'forbidden', 'the upload would change an incident restricted to other people; nothing was imported');
          },
        });
      } catch (error) {
        // Name the uploaded file, not the temporary path.
        if (error instanceof Error) error.message = error.message.split(dir).join('');
        if (error && typeof error === 'object' && 'location' in error) {
          const loc = (error as { location?: { file?: string } }).location;
          if (loc?.file) loc.file = basename(loc.file).replace(/^\d+-/, '');
        }
        throw error;
      }
      if (result.summary.created + result.summary.updated > 0) ctx.afterImport();
      // Warnings name the uploaded file, not the temporary path.
      const uploaded = (text: string) => files.reduce((t, path, i) => t.split(path).join(names[i] ?? ''), text).split(dir).join('');
      return {
        summary: result.summary,
        results: result.results,
        reviews: result.reviews,
        files: result.files.map((f, i) => ({ ...f, file: names[i] ?? f.file })),
        techniques: result.techniques,
        warnings: result.warnings.map(uploaded),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Managing the access list is the one thing an admin may do to an incident restricted to others:
  // these routes name the incident and its list, never its content.
  const managedIncident = async (ref: string) => {
    const id = await incidentIdOf(ctx.store, ref);
    if (!id) throw notFound(`no incident "${ref}"`);
    return id;
  };
  app.get('/api/incidents/:id/access', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Who may see a restricted incident (empty: everyone signed in)', params: IncidentParams, response: { 200: IncidentAccessSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
    const id = await managedIncident(request.params.id);
    return { incident: id, restrictedTo: await ctx.auth.accessList(id) };
  });

  app.put('/api/incidents/:id/access', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Restrict an incident to named people (admins included); to anyone else it does not exist', params: IncidentParams, body: AccessBody, response: { 200: IncidentAccessSchema, ...errorResponses(400, 401, 403, 404) } } }, async (request) => {
    const id = await managedIncident(request.params.id);
    return { incident: id, restrictedTo: await ctx.auth.restrictIncident(id, request.body.users, actorOf(request)) };
  });
};
