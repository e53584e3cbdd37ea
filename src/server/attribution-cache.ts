import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { attributeIncident, observationFromIncident, type IncidentActors } from '../analysis/attribution/from-incident.js';
import type { KnowledgeBase } from '../attack/types.js';
import { canonicalJson } from '../auth/audit.js';
import type { StoredIncident } from '../model/index.js';
import type { Database } from '../store/schema.js';

/** Table of migration 0008. */
interface IncidentAttributionTable {
  incident_id: string;
  /** `content_hash:imported_at` of the incident row the attribution was computed for. */
  incident_version: string;
  /** Digest of everything attribution reads from the incident (its observation). */
  input_key: string;
  /** ATT&CK domain, version and spec, and a digest of the attribution code. */
  model: string;
  /** The IncidentActors, JSON. */
  actors: string;
  computed_at: string;
}
type DB = Database & { incident_attribution: IncidentAttributionTable };

/** Candidates the review's "Actors" part lists (buildReviewReport's default). */
const REVIEW_TOP = 3;

/**
 * The attribution of each incident for its review, computed once per content of the incident,
 * ATT&CK version and attribution code, and kept in `incident_attribution`: ranking every ATT&CK
 * group and campaign against an incident is most of the CPU a review costs to build, and the answer
 * only changes when one of those does.
 *
 * A stored answer is used when its model matches and its `input_key` equals the digest of the
 * incident's observation as `observationFromIncident` reads it now (techniques per alert, the
 * software named in the evidence and how, the activity window): `attributeIncident` is a function
 * of that observation alone, so the stored answer is exactly what computing it again would give.
 * A re-import that changes the incident changes the digest; new ATT&CK data or changed attribution
 * code change the model. Anything else is computed and stored.
 */
export class AttributionCache {
  readonly model: string;
  private readonly db: Kysely<DB>;

  constructor(
    db: Kysely<Database>,
    private readonly kb: KnowledgeBase,
  ) {
    this.db = db.withTables<{ incident_attribution: IncidentAttributionTable }>();
    this.model = attributionModel(kb);
  }

  /** The review's attribution of the incident, from the table when current, else computed and stored. */
  async actorsFor(incident: StoredIncident): Promise<IncidentActors> {
    const row = await this.db
      .selectFrom('incidents as i')
      .leftJoin('incident_attribution as a', 'a.incident_id', 'i.id')
      .select(['i.content_hash', 'i.imported_at', 'a.input_key', 'a.model', 'a.actors', 'a.incident_version'])
      .where('i.id', '=', incident.id)
      .executeTakeFirst();
    const inputKey = observationKey(incident, this.kb);
    const version = row ? `${row.content_hash}:${row.imported_at}` : null;
    if (row?.actors && row.model === this.model && row.input_key === inputKey) {
      if (version !== null && row.incident_version !== version) await this.store(incident.id, version, inputKey, row.actors).catch(() => undefined);
      return JSON.parse(row.actors) as IncidentActors;
    }
    const actors = attributeIncident(incident, this.kb, REVIEW_TOP);
    // A store that cannot be written (read-only, or the incident was removed meanwhile) still answers.
    if (version !== null) await this.store(incident.id, version, inputKey, JSON.stringify(actors)).catch(() => undefined);
    return actors;
  }

  /** Incidents whose stored attribution is missing or stale, newest first, after `after` (a cursor). */
  async staleIncidents(limit: number, after?: { createdAt: string; id: string }): Promise<{ id: string; createdAt: string }[]> {
    let q = this.db
      .selectFrom('incidents as i')
      .leftJoin('incident_attribution as a', 'a.incident_id', 'i.id')
      .select(['i.id', 'i.created_at'])
      .where((eb) => eb.or([eb('a.incident_id', 'is', null), eb('a.model', '<>', this.model), eb('a.incident_version', '<>', sql<string>`i.content_hash || ':' || i.imported_at`)]));
    if (after) q = q.where((eb) => eb.or([eb('i.created_at', '<', after.createdAt), eb.and([eb('i.created_at', '=', after.createdAt), eb('i.id', '>', after.id)])]));
    const rows = await q.orderBy('i.created_at', 'desc').orderBy('i.id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, createdAt: r.created_at }));
  }

  private async store(incidentId: string, version: string, inputKey: string, actors: string): Promise<void> {
    const row: IncidentAttributionTable = { incident_id: incidentId, incident_version: version, input_key: inputKey, model: this.model, actors, computed_at: new Date().toISOString() };
    await this.db
      .insertInto('incident_attribution')
      .values(row)
      .onConflict((oc) => oc.column('incident_id').doUpdateSet({ incident_version: version, input_key: inputKey, model: this.model, actors, computed_at: row.computed_at }))
      .execute();
  }
}

/** Digest of everything attribution reads from the incident. */
export function observationKey(incident: StoredIncident, kb: KnowledgeBase): string {
  return createHash('sha256').update(canonicalJson(observationFromIncident(incident, kb))).update(`top=${REVIEW_TOP}`).digest('base64url');
}

let codeDigest: string | undefined;

/**
 * The ATT&CK data (domain, version, STIX spec) and a digest of the attribution code (the files of
 * analysis/attribution, as built), so that new data or changed code recompute every answer.
 */
export function attributionModel(kb: KnowledgeBase): string {
  if (codeDigest === undefined) {
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'analysis', 'attribution');
    const hash = createHash('sha256');
    for (const file of readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort()) hash.update(file).update(readFileSync(join(dir, file)));
    codeDigest = hash.digest('base64url').slice(0, 16);
  }
  return `${kb.meta.domain}@${kb.meta.version}/${kb.meta.specVersion}#${codeDigest}`;
}

/**
 * Fills the table in the background, newest incidents first, one incident at a time and only while
 * the server is idle (`busy` says when not; each incident costs a few milliseconds of CPU), each incident
 * once per run; `run` again after an import. Never throws: an incident that fails is skipped until
 * the next run.
 */
export class AttributionWarmer {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly cache: AttributionCache,
    private readonly load: (id: string) => Promise<StoredIncident | undefined>,
    private readonly busy: () => boolean,
  ) {}

  /** Starts a run (or, when one is under way, another right after it). */
  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.run();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      let batch: { id: string; createdAt: string }[];
      try {
        batch = await this.cache.staleIncidents(100, after);
      } catch {
        return;
      }
      if (batch.length === 0) return;
      for (const { id } of batch) {
        while (this.busy() && !this.stopped) await new Promise((r) => setTimeout(r, 50));
        if (this.stopped) return;
        try {
          const incident = await this.load(id);
          if (incident) await this.cache.actorsFor(incident);
        } catch {
          // Skipped until the next run.
        }
        await new Promise((r) => setImmediate(r));
      }
      after = batch[batch.length - 1];
    }
  }
}
