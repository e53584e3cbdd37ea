import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { actorOf, userOf, type RouteContext, type TypedApp } from '../app.js';
import { HttpError } from '../errors.js';
import { queryIncidents } from '../queries.js';
import { IncidentParams, listParam, reviewRepo, visibleIncident } from './common.js';

const IncidentListQuery = z.object({
  status: listParam.describe('incident status, comma-separated (new, active, resolved, ...)'),
  severity: listParam.describe('severity, comma-separated (informational, low, medium, high)'),
  reviewState: listParam.describe('review state, comma-separated (not-required, required, draft, in-review, approved, waived)'),
  from: z.iso.date().or(z.iso.datetime({ offset: true })).optional().describe('created on or after (YYYY-MM-DD or ISO time)'),
  to: z.iso.date().or(z.iso.datetime({ offset: true })).optional().describe('created on or before (YYYY-MM-DD: that whole day)'),
  q: z.string().max(200).optional().describe('words in the title, or an incident id'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const ReportQuery = z.object({ format: z.enum(['md', 'html', 'pdf', 'json']).default('html') });
const AccessBody = z.object({ users: z.array(z.string().min(1).max(64)).max(200).describe('user names; an empty list lifts the restriction') });

export async function registerIncidentRoutes(app: TypedApp, ctx: RouteContext): Promise<void> {
  app.get('/api/incidents', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'Incidents, newest first, filtered and searched', querystring: IncidentListQuery } }, async (request) => {
    const q = request.query;
    const user = userOf(request);
    return queryIncidents(ctx.store.db, user, { status: q.status, severity: q.severity, reviewState: q.reviewState, from: q.from, to: q.to, q: q.q, limit: q.limit, offset: q.offset }, await ctx.auth.hiddenIncidents(user));
  });

  app.get('/api/incidents/:id', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'The incident and its full review (timeline, techniques, entities, findings, actions, questions, completeness)', params: IncidentParams } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    const content = await reviewRepo(ctx).loadContent(incident.id);
    const report = await ctx.reports.get(incident, content);
    const restrictedTo = await ctx.auth.accessList(incident.id);
    return { report, review: content.review, restrictedTo, manualEvents: content.manualEvents, annotations: content.annotations };
  });

  app.get('/api/incidents/:id/report', { config: { access: 'viewer' }, schema: { tags: ['incidents'], summary: 'Download the review report (Markdown, HTML, PDF or JSON)', params: IncidentParams, querystring: ReportQuery } }, async (request, reply) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    const report = await ctx.reports.get(incident, await reviewRepo(ctx).loadContent(incident.id));
    const name = `review-${incident.id}`;
    const format = request.query.format;
    if (format === 'json') return reply.header('content-disposition', `attachment; filename="${name}.json"`).type('application/json').send(JSON.stringify(report, null, 2));
    const { workflowHtmlSections, workflowMarkdownSections } = await import('../../export/review-workflow-sections.js');
    if (format === 'md') {
      const md = (await import('../../export/review-markdown.js')).renderReviewMarkdown(report, workflowMarkdownSections(report));
      return reply.header('content-disposition', `attachment; filename="${name}.md"`).type('text/markdown; charset=utf-8').send(md);
    }
    const html = (await import('../../export/review-html.js')).renderReviewHtml(report, workflowHtmlSections(report));
    if (format === 'html') return reply.header('content-disposition', `attachment; filename="${name}.html"`).type('text/html; charset=utf-8').send(html);
    const pdf = await (await import('../../export/review-pdf.js')).renderPdf(html, { footerLabel: incident.title });
    return reply.header('content-disposition', `attachment; filename="${name}.pdf"`).type('application/pdf').send(pdf);
  });

  app.get('/api/incidents/:id/layer', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: "ATT&CK Navigator layer (4.5) of the incident's techniques", params: IncidentParams } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    return incidentLayer(ctx, [incident]);
  });

  app.get('/api/layers/observed', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: 'Navigator layer of techniques observed across all incidents (score = alerts)' } }, async () => {
    const counts = await ctx.store.techniqueCounts();
    const { buildNavigatorLayer } = await import('../../export/navigator.js');
    return buildNavigatorLayer(ctx.kb, {
      name: 'Observed techniques',
      description: 'Techniques observed across all stored incidents; score = number of alerts.',
      entries: counts.flatMap((c) => {
        const t = ctx.kb.technique(c.techniqueId);
        return t ? [{ techniqueId: t.object.id, score: c.alerts, comment: `${c.alerts} alert(s) in ${c.incidents} incident(s)` }] : [];
      }),
    });
  });

  let coverage: { at: number; value: Promise<{ available: boolean; rules: number; layers: unknown[]; reason?: string }> } | undefined;
  app.get('/api/layers/coverage', { config: { access: 'viewer' }, schema: { tags: ['layers'], summary: 'Detection coverage, threat relevance and gap layers (Navigator 4.5) from the rules the server was started with' } }, async () => {
    const rules = ctx.options.rules ?? [];
    if (rules.length === 0) return { available: false, rules: 0, layers: [], reason: 'the server was started without detection rules: hindsight serve --rules PATH' };
    if (!coverage || Date.now() - coverage.at > 5 * 60_000) {
      const value = (async () => {
        const { importRules } = await import('../../rules/index.js');
        const { computeCoverage } = await import('../../analysis/coverage/compute.js');
        const { coverageAggregate } = await import('../../store/confirmed-techniques.js');
        const { buildCoverageLayers } = await import('../../export/coverage-layers.js');
        const inventory = await importRules(rules, { format: 'auto' });
        const result = computeCoverage(ctx.kb, inventory.rules, await coverageAggregate(ctx.store.db), { kind: 'prevalence' }, { includeDeprecated: false });
        return { available: true, rules: result.rulesCounted, layers: buildCoverageLayers(ctx.kb, result, { rulesLabel: `${result.rulesCounted} rules` }) };
      })();
      coverage = { at: Date.now(), value };
      value.catch(() => (coverage = undefined));
    }
    return coverage.value;
  });

  app.get('/api/incidents/:id/attribution', { config: { access: 'viewer' }, schema: { tags: ['analysis'], summary: 'Who probably did it: ranked ATT&CK groups and campaigns with the reasons', params: IncidentParams } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    const { attributeIncident } = await import('../../analysis/attribution/from-incident.js');
    return { incident: incident.id, ...attributeIncident(incident, ctx.kb, 5) };
  });

  app.get('/api/incidents/:id/history', { config: { access: 'viewer' }, schema: { tags: ['review'], summary: 'Change history of the review', params: IncidentParams } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    return { changes: await reviewRepo(ctx).history(incident.id) };
  });

  app.post('/api/incidents/import', { config: { access: 'analyst' }, schema: { tags: ['incidents'], summary: 'Upload incident files (multipart/form-data, field "files"); all or nothing', consumes: ['multipart/form-data'] } }, async (request) => {
    if (!request.isMultipart()) throw new HttpError(415, 'unsupported-media-type', 'send the files as multipart/form-data');
    const dir = await mkdtemp(join(tmpdir(), 'hindsight-upload-'));
    try {
      const files: string[] = [];
      const names: string[] = [];
      for await (const part of request.files()) {
        const name = basename(part.filename || `upload-${files.length + 1}.json`).replace(/[^\w.-]/g, '_');
        const path = join(dir, `${files.length}-${name}`);
        await writeFile(path, await part.toBuffer());
        files.push(path);
        names.push(name);
      }
      if (!files.length) throw new HttpError(400, 'invalid-input', 'no files in the upload');
      const { importFiles } = await import('../../services/import-files.js');
      let result;
      try {
        result = await importFiles(ctx.store, files, { env: ctx.options.env, policyFile: ctx.options.policyFile, audit: { actor: actorOf(request), files: names } });
      } catch (error) {
        // Name the uploaded file, not the temporary path.
        if (error instanceof Error) error.message = error.message.split(dir).join('');
        if (error && typeof error === 'object' && 'location' in error) {
          const loc = (error as { location?: { file?: string } }).location;
          if (loc?.file) loc.file = basename(loc.file).replace(/^\d+-/, '');
        }
        throw error;
      }
      return { summary: result.summary, results: result.results, reviews: result.reviews ?? [], files: result.files.map((f, i) => ({ ...f, file: names[i] ?? f.file })) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/api/incidents/:id/access', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Who may see a restricted incident (empty: everyone signed in)', params: IncidentParams } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    return { incident: incident.id, restrictedTo: await ctx.auth.accessList(incident.id) };
  });

  app.put('/api/incidents/:id/access', { config: { access: 'admin' }, schema: { tags: ['admin'], summary: 'Restrict an incident to named people; to anyone else it does not exist', params: IncidentParams, body: AccessBody } }, async (request) => {
    const incident = await visibleIncident(ctx, request, request.params.id);
    return { incident: incident.id, restrictedTo: await ctx.auth.restrictIncident(incident.id, request.body.users, actorOf(request)) };
  });
}

async function incidentLayer(ctx: RouteContext, incidents: import('../../model/index.js').StoredIncident[]) {
  const { incidentLayerEntries } = await import('../../analysis/incident-layer.js');
  const { buildNavigatorLayer } = await import('../../export/navigator.js');
  const single = incidents[0];
  return buildNavigatorLayer(ctx.kb, {
    name: single ? `${single.sourceId}: ${single.title}`.slice(0, 120) : 'Incidents',
    description: single ? `Techniques observed in incident ${single.id} (${single.source} ${single.sourceId}); score = number of alerts.` : 'Techniques observed; score = number of alerts.',
    entries: incidentLayerEntries(incidents, ctx.kb),
  });
}
