import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeIncident, observationFromIncident, type IncidentActors } from '../analysis/attribution/from-incident.js';
import type { KnowledgeBase } from '../attack/types.js';
import { canonicalJson } from '../model/canonical-json.js';
import type { StoredIncident } from '../model/index.js';
import type { OpenedStore } from '../store/index.js';
import { readAttribution, staleAttributions, writeAttribution, type IncidentCursor } from '../store/incidents/index.js';

/** Candidates the review's "Actors" part lists (buildReviewReport's default). */
const REVIEW_TOP = 3;

/**
 * The attribution of each incident for its review, computed once per content of the incident,
 * ATT&CK version and attribution code, and stored: ranking every ATT&CK group and campaign against
 * an incident is most of the CPU a review costs to build, and the answer only changes when one of
 * those does.
 *
 * A stored answer is used when its model matches and its input key equals the digest of the
 * incident's observation as `observationFromIncident` reads it now (techniques per alert, the
 * software named in the evidence and how, the activity window): `attributeIncident` is a function
 * of that observation alone, so the stored answer is exactly what computing it again would give.
 * A re-import that changes the incident changes the digest; new ATT&CK data or changed attribution
 * code change the model. Anything else is computed and stored.
 */
export class AttributionCache {
  readonly model: string;

  constructor(
    private readonly store: OpenedStore,
    private readonly kb: KnowledgeBase,
  ) {
    this.model = attributionModel(kb);
  }

  /** The review's attribution of the incident, stored when current, else computed and stored. */
  async actorsFor(incident: StoredIncident): Promise<IncidentActors> {
    const { currentVersion, stored } = await readAttribution(this.store.db, incident.id);
    const inputKey = observationKey(incident, this.kb);
    // A store that cannot be written (read-only, or the incident was removed meanwhile) still answers.
    const save = (actors: string) =>
      currentVersion === null ? Promise.resolve() : writeAttribution(this.store.db, { incidentId: incident.id, incidentVersion: currentVersion, inputKey, model: this.model, actors }).catch(() => undefined);
    if (stored && stored.model === this.model && stored.inputKey === inputKey) {
      // The same observation under a new row version (a re-import that changed nothing attribution reads).
      if (currentVersion !== null && stored.incidentVersion !== currentVersion) await save(stored.actors);
      // Written by this class from the same type; read back as it was written.
      return JSON.parse(stored.actors) as IncidentActors;
    }
    const actors = attributeIncident(incident, this.kb, REVIEW_TOP);
    await save(JSON.stringify(actors));
    return actors;
  }

  /** Incidents whose stored attribution is missing or stale, newest first, after `after` (a cursor). */
  staleIncidents(limit: number, after?: IncidentCursor): Promise<IncidentCursor[]> {
    return staleAttributions(this.store.db, this.model, limit, after);
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
 * Fills the stored attribution in the background, newest incidents first, one incident at a time
 * and only while `busy` says the process is idle (each incident costs a few milliseconds of CPU),
 * each incident once per run; `run` again after an import. Never throws: an incident that fails is
 * skipped until the next run.
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
    let after: IncidentCursor | undefined;
    for (;;) {
      let batch: IncidentCursor[];
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
