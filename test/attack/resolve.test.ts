import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedBundlePath, indexPathFor } from '../../src/attack/cache.js';
import { loadKnowledgeBase } from '../../src/attack/resolve.js';
import { attackDataUrl, updateAttackCache } from '../../src/attack/update.js';
import { InputError, UsageError } from '../../src/model/errors.js';
import { miniBundlePath } from './mini.js';

let dir: string;
let server: Server;
let baseUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hindsight-attack-'));
  const bytes = await readFile(miniBundlePath);
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/enterprise-attack/enterprise-attack.json' || req.url === '/enterprise-attack/enterprise-attack-18.1.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(bytes);
    } else if (req.url === '/gz/bundle') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(gzipSync(bytes));
    } else if (req.url === '/broken.json') {
      res.writeHead(200).end('{"type": "bundle", "objects": [');
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const envFor = (name: string): NodeJS.ProcessEnv => ({ HINDSIGHT_CACHE_DIR: join(dir, name), HOME: join(dir, 'home') });

describe('loadKnowledgeBase', () => {
  it('says exactly what to run when there is no data anywhere', async () => {
    const error = await loadKnowledgeBase({ env: envFor('empty') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain('hindsight attack update');
    expect((error as Error).message).toContain('HINDSIGHT_ATTACK_DATA');
  });

  it('uses the cache directory from XDG_CACHE_HOME, then HOME', async () => {
    const error = await loadKnowledgeBase({ env: { XDG_CACHE_HOME: join(dir, 'xdg') } }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(join(dir, 'xdg', 'hindsight'));
    const error2 = await loadKnowledgeBase({ env: { HOME: join(dir, 'home') } }).catch((e: unknown) => e);
    expect((error2 as Error).message).toContain(join(dir, 'home', '.cache', 'hindsight'));
  });

  it('loads gzip by its magic bytes, whatever the name', async () => {
    const path = join(dir, 'looks-plain.json');
    await writeFile(path, gzipSync(await readFile(miniBundlePath)));
    const kb = await loadKnowledgeBase({ attack: path, env: envFor('gz') });
    expect(kb.counts().techniques).toBe(4);
  });

  it('takes HINDSIGHT_ATTACK_DATA when --attack is absent, and --attack over it', async () => {
    const kb = await loadKnowledgeBase({ env: { ...envFor('envdata'), HINDSIGHT_ATTACK_DATA: miniBundlePath } });
    expect(kb.meta.source).toBe(miniBundlePath);
    const error = await loadKnowledgeBase({ attack: join(dir, 'missing.json'), env: { ...envFor('envdata'), HINDSIGHT_ATTACK_DATA: miniBundlePath } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.file).toBe(join(dir, 'missing.json'));
  });

  it('loads from an http URL, gzip or not', async () => {
    const kb = await loadKnowledgeBase({ attack: `${baseUrl}/enterprise-attack/enterprise-attack.json`, env: envFor('url') });
    expect(kb.counts().groups).toBe(1);
    const gz = await loadKnowledgeBase({ attack: `${baseUrl}/gz/bundle`, env: envFor('url') });
    expect(gz.technique('T1086')?.object.id).toBe('T1059.001');
    await expect(loadKnowledgeBase({ attack: `${baseUrl}/nope.json`, env: envFor('url') })).rejects.toThrow(/HTTP 404/);
  });

  it('names the line and column of broken JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{\n  "type": "bundle",\n  "objects": [,]\n}\n');
    const error = await loadKnowledgeBase({ attack: path, env: envFor('broken') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toMatchObject({ file: path, line: 3 });
  });

  it('writes a compact index, reuses it, and rebuilds it when the bundle changes or the index is unreadable', async () => {
    const env = envFor('index');
    const path = join(dir, 'indexed.json');
    const original = await readFile(miniBundlePath, 'utf8');
    await writeFile(path, original);
    const first = await loadKnowledgeBase({ attack: path, env });
    expect(first.group('G0001')?.object.name).toBe('Alpha Bear');
    const indexPath = indexPathFor(join(dir, 'index'), path, false);
    const built = await stat(indexPath);
    expect(built.size).toBeGreaterThan(0);

    // Unchanged bundle: the index is reused (its mtime does not move).
    await loadKnowledgeBase({ attack: path, env });
    expect((await stat(indexPath)).mtimeMs).toBe(built.mtimeMs);

    // Changed bundle (size and mtime differ): rebuilt, the new name shows.
    await writeFile(path, original.replace('"Alpha Bear"', '"Alpha Bear Renamed"'));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const second = await loadKnowledgeBase({ attack: path, env });
    expect(second.group('G0001')?.object.name).toBe('Alpha Bear Renamed');

    // Corrupt index: rebuilt, not an error.
    await writeFile(indexPath, 'garbage');
    const third = await loadKnowledgeBase({ attack: path, env });
    expect(third.group('G0001')?.object.name).toBe('Alpha Bear Renamed');
    expect((await readFile(indexPath)).toString()).not.toBe('garbage');
  });
});

describe('attack update', () => {
  it('builds attack-stix-data URLs', () => {
    expect(attackDataUrl('enterprise-attack', undefined)).toBe('https://raw.githubusercontent.com/mitre-attack/attack-stix-data/master/enterprise-attack/enterprise-attack.json');
    expect(attackDataUrl('ics-attack', '18.1', 'http://mirror/x/')).toBe('http://mirror/x/ics-attack/ics-attack-18.1.json');
    expect(() => attackDataUrl('mobile-attack', 'latest')).toThrow(UsageError);
  });

  it('downloads into the cache, then loads from the cache without --attack', async () => {
    const env = { ...envFor('update'), HINDSIGHT_ATTACK_BASE_URL: baseUrl };
    const result = await updateAttackCache({ env, version: '18.1' });
    expect(requests).toContain('/enterprise-attack/enterprise-attack-18.1.json');
    expect(result).toMatchObject({ domain: 'enterprise-attack', version: '18.1', path: cachedBundlePath(join(dir, 'update'), 'enterprise-attack') });
    expect(result.counts.techniques).toBe(4);
    const kb = await loadKnowledgeBase({ env });
    expect(kb.meta).toMatchObject({ domain: 'enterprise-attack', version: '18.1', source: result.path });
    expect(kb.technique('T1086')?.object.id).toBe('T1059.001');
  });

  it('keeps the cached copy when the new download does not load', async () => {
    const env = { ...envFor('keep'), HINDSIGHT_ATTACK_BASE_URL: baseUrl };
    const good = await updateAttackCache({ env });
    const before = await readFile(good.path);
    await expect(updateAttackCache({ env, from: `${baseUrl}/broken.json` })).rejects.toBeInstanceOf(InputError);
    await expect(updateAttackCache({ env, domain: 'mobile', from: miniBundlePath })).rejects.toThrow(/not mobile-attack/);
    expect((await readFile(good.path)).equals(before)).toBe(true);
    expect((await loadKnowledgeBase({ env })).counts().techniques).toBe(4);
  });

  it('installs --from a local gzip file', async () => {
    const env = envFor('from');
    const path = join(dir, 'enterprise-attack-18.1.json.gz');
    await writeFile(path, gzipSync(await readFile(miniBundlePath)));
    const result = await updateAttackCache({ env, from: path });
    expect(result.source).toBe(path);
    expect((await loadKnowledgeBase({ env })).counts().subtechniques).toBe(1);
  });
});
