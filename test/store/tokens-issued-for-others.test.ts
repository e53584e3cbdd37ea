/**
 * The upgrade to scoped tokens (migration 0014-tokens-and-sign-ins) revokes the tokens an admin
 * made through the API for another person, and only those: tokens made by their owner, by the
 * operator's command line, or for a service account stay. On SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createToken, listTokens } from '../../src/app/accounts/tokens.js';
import { addUser } from '../../src/app/accounts/users.js';
import { revokeTokensIssuedForOthers } from '../../src/store/migrations/0014-tokens-and-sign-ins.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL token upgrade tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_tokup');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

describe.each(targets)('tokens issued for another person on $name', ({ open }) => {
  it('are revoked by the upgrade; the owner\'s, the operator\'s and service accounts\' are kept', async () => {
    const store = await open();
    try {
      await addUser(store, { username: 'root', role: 'admin', password: 'Quartz-Meadow-Falcon-97' }, 'cli:ops');
      await addUser(store, { username: 'alice', role: 'analyst', password: 'Cobalt-Heron-Lantern-42' }, 'cli:ops');
      await addUser(store, { username: 'robot', role: 'analyst', kind: 'service' }, 'root');
      // As the API allowed before: the admin makes a token for alice.
      const impersonation = await createToken(store, 'alice', 'impersonation', 'root');
      const own = await createToken(store, 'alice', 'own', 'alice');
      const operator = await createToken(store, 'alice', 'operator', 'cli:ops');
      const service = await createToken(store, 'robot', 'pipeline', 'root');
      const revoked = await revokeTokensIssuedForOthers(store.db as unknown as Kysely<unknown>, new Date().toISOString());
      expect(revoked).toBe(1);
      const byName = new Map((await listTokens(store)).map((t) => [t.name, t]));
      expect(byName.get(impersonation.info.name)).toMatchObject({ revokedReason: 'issued-for-another' });
      expect(byName.get(impersonation.info.name)?.revokedAt).not.toBeNull();
      for (const kept of [own, operator, service]) expect(byName.get(kept.info.name)?.revokedAt, kept.info.name).toBeNull();
      // Run again: nothing more to do.
      expect(await revokeTokensIssuedForOthers(store.db as unknown as Kysely<unknown>, new Date().toISOString())).toBe(0);
    } finally {
      await store.close();
    }
  });
});
