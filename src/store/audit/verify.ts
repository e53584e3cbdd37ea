/** Verification of the audit trail's hash chain. */
import type { Kysely } from 'kysely';
import type { AuditVerification } from '../../model/audit.js';
import type { Database } from '../database.js';
import { auditHash, GENESIS_HASH } from './chain.js';

/** Rows read at a time: a long trail never has to fit in memory. */
const PAGE_SIZE = 1000;

/**
 * Walks the whole chain in order and reports the first entry whose stored hash does not match
 * its content, whose `prevHash` is not the previous entry's hash, or whose seq skips (a deleted
 * entry).
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const rows = await db.selectFrom('auditLog').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(PAGE_SIZE).execute();
    if (rows.length === 0) break;
    for (const stored of rows) {
      // Number(): a driver may hand an integer column back as a string.
      const row = { ...stored, seq: Number(stored.seq) };
      const broken = (seq: number, reason: string): AuditVerification => ({ ok: false, entries, firstBroken: { seq, reason }, lastHash: prevHash });
      if (row.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing (next is ${row.seq})`);
      if (row.prevHash !== prevHash) return broken(row.seq, `prev_hash does not match the hash of entry ${row.seq - 1}`);
      if (auditHash(row) !== row.hash) return broken(row.seq, 'the entry was altered: its content does not match its hash');
      prevHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
  return { ok: true, entries, lastHash: prevHash };
}
