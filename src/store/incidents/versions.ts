import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** What the store holds of one incident: its content hash, its source's update time and its review state. */
export interface StoredIncidentVersion {
  contentHash: string;
  updatedAt: string;
  reviewState: string | null;
}

const CHUNK = 500;

/** The stored version of each of these incidents that exists (read inside an import's transaction, for its audit entry). */
export async function storedIncidentVersions(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, StoredIncidentVersion>> {
  const out = new Map<string, StoredIncidentVersion>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom('incidents as i')
      .leftJoin('reviews as r', 'r.incidentId', 'i.id')
      .select(['i.id', 'i.contentHash', 'i.updatedAt', 'r.state'])
      .where('i.id', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.id, { contentHash: r.contentHash, updatedAt: r.updatedAt, reviewState: r.state ?? null });
  }
  return out;
}
