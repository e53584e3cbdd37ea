import { join } from 'node:path';
import { projectRoot } from '../helpers/env.js';
import type { DetectionRule } from '../../src/rules/index.js';

export const fixtures = join(projectRoot, 'test', 'fixtures', 'rules');

export function byId(rules: DetectionRule[], id: string): DetectionRule {
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id} among ${rules.map((r) => r.id).join(', ')}`);
  return rule;
}
