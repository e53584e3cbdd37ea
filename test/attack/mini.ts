/** The handwritten mini ATT&CK bundle and helpers shared by the attack tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKnowledgeBaseData } from '../../src/attack/build.js';
import { AttackKnowledgeBase } from '../../src/attack/knowledge-base.js';

export const miniBundlePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'attack', 'mini-bundle.json');

export interface MiniBundle {
  type: string;
  id: string;
  objects: Record<string, unknown>[];
}

export function miniBundle(): MiniBundle {
  return JSON.parse(readFileSync(miniBundlePath, 'utf8')) as MiniBundle;
}

export function miniKb(bundle: MiniBundle = miniBundle()): AttackKnowledgeBase {
  return new AttackKnowledgeBase(buildKnowledgeBaseData(bundle, { source: miniBundlePath }));
}

/** The mini bundle as ATT&CK v19 would have it: Defense Evasion split into Stealth and Defense Impairment. */
export function miniV19Kb(): AttackKnowledgeBase {
  const bundle = miniBundle();
  for (const o of bundle.objects) {
    if (o.type === 'x-mitre-collection') o.x_mitre_version = '19.0';
    if (o.type === 'x-mitre-tactic' && o.x_mitre_shortname === 'defense-evasion') {
      o.x_mitre_shortname = 'stealth';
      o.name = 'Stealth';
    }
    if (Array.isArray(o.kill_chain_phases)) {
      for (const p of o.kill_chain_phases as { phase_name: string }[]) if (p.phase_name === 'defense-evasion') p.phase_name = 'stealth';
    }
  }
  const impairment = {
    type: 'x-mitre-tactic',
    id: 'x-mitre-tactic--00000000-0000-4000-8000-000000000777',
    spec_version: '2.1',
    name: 'Defense Impairment',
    description: 'The adversary is trying to impair your defenses.',
    x_mitre_shortname: 'defense-impairment',
    external_references: [{ source_name: 'mitre-attack', external_id: 'TA0112', url: 'https://attack.mitre.org/tactics/TA0112' }],
  };
  bundle.objects.push(impairment);
  const matrix = bundle.objects.find((o) => o.type === 'x-mitre-matrix') as { tactic_refs: string[] };
  matrix.tactic_refs.push(impairment.id);
  return miniKb(bundle);
}
