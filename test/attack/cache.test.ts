import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleKey, readCompactIndex, writeCompactIndex } from '../../src/attack/cache.js';
import { AttackKnowledgeBase } from '../../src/attack/knowledge-base.js';
import { loadKnowledgeBaseData } from '../../src/attack/resolve.js';
import { miniBundlePath } from './mini.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hindsight-attack-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compact ATT&CK index', () => {
  it('gives back exactly the data it was written from, uses relationships included', async () => {
    const data = await loadKnowledgeBaseData(miniBundlePath);
    expect(data.uses.length).toBeGreaterThan(0);
    const key = await bundleKey(miniBundlePath);
    const indexPath = join(dir, 'mini.v8');
    await writeCompactIndex(indexPath, key, data);
    const read = await readCompactIndex(indexPath, key);
    expect(read).toStrictEqual(data);
    expect(new AttackKnowledgeBase(read!).usesRelationships()).toStrictEqual(new AttackKnowledgeBase(data).usesRelationships());
  });

  it('rejects an index written in the earlier layout or for another bundle state', async () => {
    const data = await loadKnowledgeBaseData(miniBundlePath);
    const key = await bundleKey(miniBundlePath);
    const old = join(dir, 'old.v8');
    await writeFile(old, serialize({ key, data }));
    expect(await readCompactIndex(old, key)).toBeUndefined();
    const current = join(dir, 'current.v8');
    await writeCompactIndex(current, key, data);
    expect(await readCompactIndex(current, { ...key, size: key.size + 1 })).toBeUndefined();
  });
});
