/**
 * Four eyes through the API: whoever submitted a review, or wrote all of it, cannot approve it
 * (403 four-eyes) unless the policy file says the team is too small; an incomplete review is
 * approved only with a real reason, and the approval is flagged in the Markdown, HTML and JSON
 * reports (the PDF is printed from the HTML). On SQLite and PostgreSQL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL four-eyes tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_4eyes');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('four-eyes API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

const REASON = 'Lessons-learned answers follow at the next team meeting';

describe.runIf(run).each(targets)('four eyes through the API on $name', ({ open }) => {
  let h: Harness;
  const as = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });
  const post = (role: Role, path: string, payload: object) => h.app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}${path}`, headers: as(role), payload });
  afterAll(async () => {
    await h?.app.close();
    await h?.store.close();
  });

  it('refuses the submitter (403 four-eyes), a trivial override reason (409), and flags the approval in every report', async () => {
    h = await startHarness(await open(), bundle.path as string);
    expect((await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/sections/takeaways`, headers: as('analyst'), payload: { body: 'Backups held.' } })).statusCode).toBe(200);
    expect((await post('reviewer', '/review/submit', {})).statusCode).toBe(200);

    const own = await post('reviewer', '/review/approve', { sufficiency: 'sufficient', overrideIncomplete: REASON });
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ error: { code: 'four-eyes', message: expect.stringMatching(/reviewer submitted this review/) } });
    for (const reason of ['', '   ', 'because']) {
      const trivial = await post('admin', '/review/approve', { sufficiency: 'sufficient', overrideIncomplete: reason });
      expect(trivial.statusCode, reason).toBe(409);
    }
    const approved = await post('admin', '/review/approve', { sufficiency: 'sufficient', overrideIncomplete: REASON });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', approvedBy: 'admin', submittedBy: 'reviewer', completenessOverride: REASON });

    const report = (format: string) => h.app.inject({ url: `/api/incidents/${h.incidentId}/report?format=${format}`, headers: as('viewer') });
    const md = (await report('md')).body;
    expect(md).toMatch(/> \*\*WARNING: Approved while incomplete \(\d+% complete\) by admin at .*\.\*\* Reason given: Lessons-learned answers follow/);
    expect(md.indexOf('WARNING')).toBeLessThan(md.indexOf('## Summary'));
    const html = (await report('html')).body;
    expect(html).toMatch(/<p class="approval-flag"[^>]*>Warning: Approved while incomplete \(\d+% complete\) by admin/);
    const json = (await report('json')).json() as { approvedIncomplete: { reason: string; approvedBy: string; completenessScore: number } };
    expect(json.approvedIncomplete).toMatchObject({ reason: REASON, approvedBy: 'admin' });
    expect(json.approvedIncomplete.completenessScore).toBeLessThan(100);
  });

  it('lets the submitter approve when the policy file says the team is too small (approval.fourEyes: false)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-4eyes-'));
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, 'version: 1\nrules: []\napproval:\n  fourEyes: false\n  overrideReasonMinLength: 30\n');
    await h.app.close();
    await h.store.close();
    h = await startHarness(await open(), bundle.path as string, { policyFile });
    expect((await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/sections/takeaways`, headers: as('reviewer'), payload: { body: 'Backups held.' } })).statusCode).toBe(200);
    expect((await post('reviewer', '/review/submit', {})).json()).toMatchObject({ state: 'in-review' });
    const short = await post('reviewer', '/review/approve', { sufficiency: 'sufficient', overrideIncomplete: 'twenty-five characters ok' });
    expect(short.statusCode).toBe(409);
    expect(short.json()).toMatchObject({ error: { message: expect.stringMatching(/at least 30 characters/) } });
    const own = await post('reviewer', '/review/approve', { sufficiency: 'sufficient', overrideIncomplete: REASON });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ approvedBy: 'reviewer', submittedBy: 'reviewer' });
  });
});
