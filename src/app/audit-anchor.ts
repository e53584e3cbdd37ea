/**
 * Anchors of the audit trail, and the rotation of its key. An anchor is the head of the trail (last
 * seq and its MAC) written somewhere outside the database: a later `audit verify --anchor` finds
 * entries removed from the end (or all of them) and a chain rewritten behind the anchored entry,
 * which the chain alone cannot show to someone who can delete rows.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { AuditAnchorSchema, type AuditAnchor } from '../model/audit.js';
import { InputError, UsageError } from '../model/errors.js';
import { appendAuditEntry, auditHead, GENESIS_HASH } from '../store/audit/chain.js';
import { currentKey, loadOrCreateKeyring, newKey, rotateKeyring } from '../store/audit/keyring.js';
import type { OpenedStore } from '../store/index.js';
import { AUDITED_OPERATIONS } from './audit.js';

/** The head of the trail now, as an anchor. */
export async function auditAnchor(store: OpenedStore, now: Date = new Date()): Promise<AuditAnchor> {
  const head = await auditHead(store.db);
  return { anchor: 'hindsight-audit', seq: head?.seq ?? 0, mac: head?.hash ?? GENESIS_HASH, keyId: head?.keyId ?? null, at: now.toISOString() };
}

/** Writes the anchor as one JSON document (`-o FILE`), replacing the file. */
export async function writeAnchorFile(file: string, anchor: AuditAnchor): Promise<void> {
  await writeFile(file, `${JSON.stringify(anchor)}\n`);
}

/** Appends the anchor as one line (the server's periodic anchors build up a history in one file). */
export async function appendAnchorLine(file: string, anchor: AuditAnchor): Promise<void> {
  await appendFile(file, `${JSON.stringify(anchor)}\n`);
}

/**
 * The anchors of a file: one JSON document, or one per line (the server's anchor log). Every one
 * is checked: a line that is not an anchor is refused naming the file and line.
 */
export function parseAnchors(text: string, file: string): AuditAnchor[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError('the anchor file is empty', { file });
  const docs: { value: unknown; line: number }[] = [];
  try {
    docs.push({ value: JSON.parse(trimmed) as unknown, line: 1 });
  } catch {
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        docs.push({ value: JSON.parse(raw) as unknown, line: i + 1 });
      } catch (error) {
        throw new InputError(`not JSON: ${error instanceof Error ? error.message : String(error)}`, { file, line: i + 1 });
      }
    });
  }
  return docs.map(({ value, line }) => {
    const parsed = AuditAnchorSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new InputError(`not an audit anchor: ${issue?.path.join('.') || '(document)'}: ${issue?.message ?? 'invalid'}`, { file, line });
  });
}

export async function readAnchorFile(file: string): Promise<AuditAnchor[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the anchor file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseAnchors(text, file);
}

/**
 * Rotates the audit key: the rotation is recorded in the trail, sealed with the old key (whoever
 * rotates could seal with it), and the new key is added to the key file, where the old ones stay so
 * older entries still verify. The key file is written inside the transaction, before it commits: a
 * failed write of the file leaves the trail as it was.
 */
export async function rotateAuditKey(store: OpenedStore, actor: string): Promise<{ previousKeyId: string; keyId: string; keyFile: string }> {
  return store.transaction(async (tx) => {
    const keyring = loadOrCreateKeyring(tx.auditKeyFile);
    const previous = currentKey(keyring);
    const next = newKey();
    const operation = 'audit.rotate-key';
    await appendAuditEntry(tx.db, { actor, action: operation, entityType: AUDITED_OPERATIONS[operation], entityId: next.id, before: { keyId: previous.id }, after: { keyId: next.id } }, previous);
    rotateKeyring(keyring, next);
    return { previousKeyId: previous.id, keyId: next.id, keyFile: keyring.file };
  });
}

/**
 * Appends an anchor line to `file` every `intervalMs` while the trail grows (and once at start), for
 * the team server. Returns the function that stops it. A failed write is reported, not fatal.
 */
export function publishAnchorsPeriodically(store: OpenedStore, file: string, intervalMs: number, onError: (message: string) => void): () => void {
  let lastSeq = -1;
  const publish = async () => {
    try {
      const anchor = await auditAnchor(store);
      if (anchor.seq === lastSeq) return;
      await appendAnchorLine(file, anchor);
      lastSeq = anchor.seq;
    } catch (error) {
      onError(`cannot write the audit anchor to ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  void publish();
  const timer = setInterval(() => void publish(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
