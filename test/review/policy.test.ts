import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/index.js';
import { defaultPolicyFile, evaluatePolicy, loadPolicy, parsePolicy, type PolicySubject } from '../../src/review/policy.js';
import { projectRoot } from '../helpers/env.js';

const fixtures = join(projectRoot, 'test', 'fixtures', 'review-workflow');
const subject = (o: Partial<PolicySubject> = {}): PolicySubject => ({ severity: 'low', tags: [], classification: null, determination: null, ...o });

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('the default review policy', () => {
  const { policy, origin, file } = loadPolicy({ env: {} });

  it('is the shipped, readable config file', () => {
    expect(origin).toBe('default');
    expect(file).toBe(defaultPolicyFile());
    expect(readFileSync(file, 'utf8')).toMatch(/^# Hindsight review policy/);
    expect(policy.rules.map((r) => r.name)).toEqual(['customer-impact', 'data-breach', 'high-severity', 'serious-determination']);
  });

  it('requires a review for customer impact and data breach tags, case-insensitively', () => {
    expect(evaluatePolicy(policy, subject({ tags: ['Customer-Impact'] })).matched.map((m) => m.rule)).toEqual(['customer-impact']);
    expect(evaluatePolicy(policy, subject({ tags: ['customer impact'] })).required).toBe(true);
    expect(evaluatePolicy(policy, subject({ tags: ['DATA_BREACH'] })).matched.map((m) => m.rule)).toEqual(['data-breach']);
    expect(evaluatePolicy(policy, subject({ tags: ['breach-drill'] })).required).toBe(false);
  });

  it('requires a review at severity high or above, not below', () => {
    expect(evaluatePolicy(policy, subject({ severity: 'high' })).required).toBe(true);
    expect(evaluatePolicy(policy, subject({ severity: 'critical' })).matched[0]?.reasons).toEqual(['severity critical is high or above']);
    expect(evaluatePolicy(policy, subject({ severity: 'medium' })).required).toBe(false);
    expect(evaluatePolicy(policy, subject({ severity: 'unknown' })).required).toBe(false);
  });

  it('requires a review for a multi-staged attack or a compromised account', () => {
    expect(evaluatePolicy(policy, subject({ determination: 'multiStagedAttack' })).matched.map((m) => m.rule)).toEqual(['serious-determination']);
    expect(evaluatePolicy(policy, subject({ determination: 'CompromisedAccount' })).required).toBe(true);
    expect(evaluatePolicy(policy, subject({ determination: 'phishing' })).required).toBe(false);
  });

  it('lists every rule that matched', () => {
    const d = evaluatePolicy(policy, subject({ severity: 'high', tags: ['data-breach'], determination: 'multiStagedAttack' }));
    expect(d.matched.map((m) => m.rule)).toEqual(['data-breach', 'high-severity', 'serious-determination']);
  });
});

describe('a custom policy', () => {
  it('is read from --policy before HINDSIGHT_POLICY, and ANDs the conditions of a rule', () => {
    const file = join(fixtures, 'policy-custom.yaml');
    const fromEnv = loadPolicy({ env: { HINDSIGHT_POLICY: file } });
    expect(fromEnv.origin).toBe('env');
    const fromOption = loadPolicy({ file, env: { HINDSIGHT_POLICY: '/nowhere.yaml' } });
    expect(fromOption.origin).toBe('option');
    const p = fromOption.policy;
    expect(evaluatePolicy(p, subject({ severity: 'critical', classification: 'truePositive' })).required).toBe(true);
    expect(evaluatePolicy(p, subject({ severity: 'critical', classification: 'falsePositive' })).required).toBe(false);
    expect(evaluatePolicy(p, subject({ severity: 'high' })).required).toBe(false);
    expect(evaluatePolicy(p, subject({ tags: ['regulator'] })).matched.map((m) => m.rule)).toEqual(['regulator']);
  });

  it('names the file, line and field path of an unknown condition', () => {
    const file = join(fixtures, 'policy-bad-key.yaml');
    const e = inputError(() => loadPolicy({ file }));
    expect(e.exitCode).toBe(2);
    expect(e.location).toMatchObject({ file, line: 8, path: 'rules[1].when.sevrity' });
  });

  it('names the field path of a bad value', () => {
    const file = join(fixtures, 'policy-bad-value.yaml');
    const e = inputError(() => loadPolicy({ file }));
    expect(e.location).toMatchObject({ file, line: 5, path: 'rules[0].when.severityAtLeast' });
    expect(e.message).toMatch(/informational|critical/);
  });

  it('refuses broken YAML, an empty rule, a duplicate name and a missing file', () => {
    expect(inputError(() => parsePolicy('version: 1\nrules: [\n', 'p.yaml')).location?.file).toBe('p.yaml');
    expect(inputError(() => parsePolicy('version: 1\nrules:\n  - name: x\n    when: {}\n', 'p.yaml')).location?.path).toBe('rules[0].when');
    expect(inputError(() => parsePolicy('version: 1\nrules:\n  - name: x\n    when: {severityAtLeast: low}\n  - name: x\n    when: {tags: [a]}\n', 'p.yaml')).location).toMatchObject({ line: 5, path: 'rules[1].name' });
    expect(inputError(() => parsePolicy('version: 2\nrules: []\n')).location?.path).toBe('version');
    expect(inputError(() => loadPolicy({ file: join(fixtures, 'missing.yaml') })).message).toMatch(/does not exist/);
  });
});
