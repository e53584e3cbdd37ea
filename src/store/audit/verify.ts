/** Verification of the audit trail's chain of MACs, against the anchors kept outside the database. */
import type { Kysely } from 'kysely';
import type { AuditAnchor, AuditVerification } from '../../model/audit.js';
import type { Database } from '../database.js';
import type { AuditLogTable } from '../tables/accounts.js';
import { auditHash, auditMac, GENESIS_HASH } from './chain.js';
import { keyById, type AuditKeyring } from './keyring.js';

/** Rows read at a time: a long trail never has to fit in memory. */
const PAGE_SIZE = 1000;

/**
 * Walks the whole chain in order and reports the first entry that is missing, does not link to the
 * previous entry, or whose MAC does not match its content under its key; then checks that every
 * anchor's entry is still there with the anchored MAC. Entries from before keyed MACs (no key id)
 * are accepted only before the first keyed one: an unkeyed entry after it was added without the key.
 */
export async function verifyAuditChain(db: Kysely<Database>, keyring: AuditKeyring | undefined, anchors: readonly AuditAnchor[] = []): Promise<AuditVerification> {
  const anchorAt = new Map<number, AuditAnchor>();
  for (const anchor of anchors) if (anchor.seq > 0) anchorAt.set(anchor.seq, anchor);
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  let unkeyed = 0;
  let keyedSeen = false;
  const broken = (seq: number, reason: string): AuditVerification => ({ ok: false, entries, firstBroken: { seq, reason }, lastHash: prevHash, unkeyed, anchors: anchors.length });
  for (;;) {
    const rows = await db.selectFrom('auditLog').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(PAGE_SIZE).execute();
    if (rows.length === 0) break;
    for (const stored of rows) {
      // Number(): a driver may hand an integer column back as a string.
      const row: AuditLogTable = { ...stored, seq: Number(stored.seq) };
      if (row.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing (next is ${row.seq})`);
      if (row.prevHash !== prevHash) return broken(row.seq, `entry ${row.seq} does not link to entry ${row.seq - 1} (prev_hash differs): entries were removed, reordered or rewritten`);
      const problem = sealProblem(row, keyring, keyedSeen);
      if (problem) return broken(row.seq, problem);
      if (row.keyId === null) unkeyed += 1;
      else keyedSeen = true;
      const anchor = anchorAt.get(row.seq);
      if (anchor && anchor.mac !== row.hash) return broken(row.seq, `entry ${row.seq} is not the one anchored at ${anchor.at}: the chain was rewritten from here or before`);
      prevHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
  const lastSeq = expectedSeq - 1;
  const beyond = anchors.filter((a) => a.seq > lastSeq).sort((a, b) => b.seq - a.seq)[0];
  if (beyond) {
    const what = lastSeq === 0 ? 'every entry was removed' : beyond.seq === lastSeq + 1 ? `entry ${beyond.seq} was removed` : `entries ${lastSeq + 1} to ${beyond.seq} were removed`;
    return broken(lastSeq + 1, `the trail ends at entry ${lastSeq} but the anchor of ${beyond.at} names entry ${beyond.seq}: ${what}`);
  }
  return { ok: true, entries, lastHash: prevHash, unkeyed, anchors: anchors.length };
}

/** Why the entry's seal does not hold, or undefined when it does. */
function sealProblem(row: AuditLogTable, keyring: AuditKeyring | undefined, keyedSeen: boolean): string | undefined {
  if (row.keyId === null) {
    if (keyedSeen) return `entry ${row.seq} has no MAC but follows keyed entries: it was added without the audit key`;
    return auditHash(row) === row.hash ? undefined : `entry ${row.seq} was altered: its content does not match its hash`;
  }
  const key = keyById(keyring, row.keyId);
  if (!key) {
    const where = keyring ? `is not in ${keyring.file}` : 'cannot be read: there is no audit key file';
    return `entry ${row.seq} is sealed with audit key ${row.keyId}, which ${where} (the key file is missing or was replaced): the entry cannot be verified`;
  }
  return auditMac(row, key) === row.hash ? undefined : `entry ${row.seq} was altered or forged: its MAC does not match its content under key ${row.keyId}`;
}
