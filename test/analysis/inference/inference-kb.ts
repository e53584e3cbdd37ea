import { miniBundle, miniKb } from '../../attack/mini.js';

/** The mini bundle with a few more groups, so that techniques co-occur as they do in ATT&CK. */
export function inferenceKb() {
  const bundle = miniBundle();
  const stixOf = new Map<string, string>();
  for (const o of bundle.objects) {
    const ref = (o.external_references as { source_name: string; external_id?: string }[] | undefined)?.find((r) => r.source_name === 'mitre-attack');
    if (ref?.external_id && o.revoked !== true) stixOf.set(ref.external_id, o.id as string);
  }
  const groups: Record<string, string[]> = { G0101: ['T1562', 'T1036', 'T1059.001'], G0102: ['T1562', 'T1036'], G0103: ['T1547', 'T1059'], G0104: ['T1562', 'T1036', 'T1547'] };
  let n = 0;
  for (const [id, techniques] of Object.entries(groups)) {
    const stixId = `intrusion-set--00000000-0000-4000-8000-0000000101${String(++n).padStart(2, '0')}`;
    bundle.objects.push({ type: 'intrusion-set', id: stixId, spec_version: '2.1', name: `Group ${id}`, created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', external_references: [{ source_name: 'mitre-attack', external_id: id, url: `https://attack.mitre.org/groups/${id}` }] });
    techniques.forEach((t, i) =>
      bundle.objects.push({ type: 'relationship', id: `relationship--00000000-0000-4000-8000-0000002${String(n).padStart(2, '0')}${String(i).padStart(3, '0')}`, spec_version: '2.1', relationship_type: 'uses', source_ref: stixId, target_ref: stixOf.get(t), created: '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z' }),
    );
  }
  return miniKb(bundle);
}

