import { strictestTlp, tlpRank, type ShareDocument, type ShareTlp } from './share-document.js';
import { observablesOfStep } from './attack-story.js';
import { stableId, stixTime, laterTime } from './stix-ids.js';
import { observableSco, type StixSco } from './stix-observables.js';
import { dropAboveTlp, type StixObject } from './stix-tlp-filter.js';
import { TLP_MARKING_IDS, tlpMarkingDefinition } from './tlp-markings.js';

/**
 * The incident's sequence of events as an Attack Flow 2.0 document (the Center for
 * Threat-Informed Defense's STIX 2.1 extension), loadable in the Attack Flow Builder: one
 * `attack-flow`, one `attack-action` per technique step in time order chained by `effect_refs`,
 * `attack-asset`s for the hosts and accounts the steps touched, and the observables involved as
 * SCOs related to their steps (a command line as the step's `command_ref`). Built from the same
 * steps, assets and observables as the attack story the web app and the report draw.
 */

/** The Attack Flow extension definition, as the project publishes it (stix/attack-flow-extension-2.0.0.json). */
export const ATTACK_FLOW_EXTENSION_ID = 'extension-definition--fb9c968a-745b-4ade-9b25-c324172197f4';
const ATTACK_FLOW_EXTENSION_AUTHOR = 'identity--d673f8cb-c168-42da-8ed4-0cb26725f86c';
const EXTENSION_OBJECTS: StixObject[] = [
  {
    type: 'extension-definition',
    id: ATTACK_FLOW_EXTENSION_ID,
    spec_version: '2.1',
    name: 'Attack Flow',
    description: 'Extends STIX 2.1 with features to create Attack Flows.',
    created: '2022-08-02T19:34:35.143Z',
    modified: '2022-08-02T19:34:35.143Z',
    created_by_ref: ATTACK_FLOW_EXTENSION_AUTHOR,
    schema: 'https://center-for-threat-informed-defense.github.io/attack-flow/stix/attack-flow-schema-2.0.0.json',
    version: '2.0.0',
    extension_types: ['new-sdo'],
    external_references: [
      { source_name: 'Documentation', description: 'Documentation for Attack Flow', url: 'https://center-for-threat-informed-defense.github.io/attack-flow' },
      { source_name: 'GitHub', description: 'Source code repository for Attack Flow', url: 'https://github.com/center-for-threat-informed-defense/attack-flow' },
    ],
  },
  {
    type: 'identity',
    spec_version: '2.1',
    id: ATTACK_FLOW_EXTENSION_AUTHOR,
    created_by_ref: ATTACK_FLOW_EXTENSION_AUTHOR,
    created: '2022-08-02T19:34:35.143Z',
    modified: '2022-08-02T19:34:35.143Z',
    name: 'MITRE Center for Threat-Informed Defense',
    identity_class: 'organization',
  },
];
const NEW_SDO = { extensions: { [ATTACK_FLOW_EXTENSION_ID]: { extension_type: 'new-sdo' } } };

export interface AttackFlowBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export function renderAttackFlow(doc: ShareDocument, options: { tlpMax?: ShareTlp } = {}): AttackFlowBundle {
  const inc = doc.incident;
  const created = stixTime(inc.createdAt);
  const modified = laterTime(inc.updatedAt, inc.createdAt);
  const identityId = stableId('identity', 'team', doc.team.name);
  const objects: StixObject[] = [];
  const levels = new Map<string, ShareTlp>();
  const add = (object: StixObject, tlp: ShareTlp) => {
    levels.set(object.id, tlp);
    objects.push({ ...object, object_marking_refs: [TLP_MARKING_IDS[tlp]] });
  };
  // As in the project's own examples, only the flow names its author: the Builder draws every
  // reference as a line, and one from each step to the team would bury the story.
  const sdo = (type: string, id: string) => ({ type, spec_version: '2.1', id, created, modified });

  add({ type: 'identity', spec_version: '2.1', id: identityId, created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', name: doc.team.name, identity_class: 'organization' }, 'clear');

  const actionId = (key: string) => stableId('attack-action', inc.id, key);
  const assetId = (key: string) => stableId('attack-asset', inc.id, key);
  const techniques = new Map(doc.techniques.map((t) => [t.id, t]));
  const scos = new Map<string, StixSco>();
  const scoOf = (o: ShareDocument['observables'][number]) => {
    const sco = observableSco(o, [TLP_MARKING_IDS[o.tlp]]);
    if (sco && !scos.has(sco.id)) {
      scos.set(sco.id, sco);
      levels.set(sco.id, o.tlp);
    }
    return sco;
  };

  // Accounts are assets with a user-account behind them; hosts are named assets.
  const assetsUsed = new Set<string>();
  for (const asset of doc.assets) {
    if (!doc.steps.some((s) => s.alertIds.some((a) => asset.alertIds.includes(a)))) continue;
    assetsUsed.add(asset.key);
    const account = asset.kind === 'account' ? observableSco({ id: asset.key, type: 'user-account', value: asset.name, ioc: false, tlp: inc.tlp, tags: [], firstSeen: null, lastSeen: null, alertIds: [] }, [TLP_MARKING_IDS[inc.tlp]]) : null;
    if (account && !scos.has(account.id)) {
      scos.set(account.id, account);
      levels.set(account.id, inc.tlp);
    }
    add(
      {
        ...sdo('attack-asset', assetId(asset.key)),
        name: asset.name,
        description: asset.detail ? `${asset.kind === 'host' ? 'Host' : 'Account'}: ${asset.detail}` : asset.kind === 'host' ? 'Host' : 'Account',
        ...(account ? { object_ref: account.id } : {}),
        ...NEW_SDO,
      },
      inc.tlp,
    );
  }

  const relationships: StixObject[] = [];
  doc.steps.forEach((step, i) => {
    const technique = techniques.get(step.techniqueId);
    // The same observables the attack story draws for the step; its command line from all of them.
    const involved = observablesOfStep(doc.observables, step.alertIds);
    const command = [...involved, ...observablesOfStep(doc.observables, step.alertIds, Number.MAX_SAFE_INTEGER)].find((o) => observableSco(o, [])?.type === 'process');
    const commandSco = command ? scoOf(command) : null;
    const next = doc.steps[i + 1];
    const assets = doc.assets.filter((a) => assetsUsed.has(a.key) && a.alertIds.some((x) => step.alertIds.includes(x)));
    const id = actionId(step.key);
    add(
      {
        ...sdo('attack-action', id),
        name: technique?.name ?? step.techniqueId,
        technique_id: step.techniqueId,
        tactic_id: step.tactic.id,
        description: step.events.length ? step.events.join('\n') : `${step.techniqueId} under ${step.tactic.name}.`,
        execution_start: stixTime(step.start),
        execution_end: laterTime(step.end, step.start),
        ...(commandSco ? { command_ref: commandSco.id } : {}),
        ...(assets.length ? { asset_refs: assets.map((a) => assetId(a.key)) } : {}),
        ...(next ? { effect_refs: [actionId(next.key)] } : {}),
        ...NEW_SDO,
      },
      inc.tlp,
    );
    for (const o of involved) {
      const sco = scoOf(o);
      if (!sco || sco.id === commandSco?.id) continue;
      const relId = stableId('relationship', inc.id, id, 'related-to', sco.id);
      if (relationships.some((r) => r.id === relId)) continue;
      relationships.push({ ...sdo('relationship', relId), relationship_type: 'related-to', source_ref: id, target_ref: sco.id });
      levels.set(relId, strictestTlp(inc.tlp, o.tlp));
    }
  });

  const first = doc.steps[0];
  const flowId = stableId('attack-flow', inc.id);
  if (first) {
    add(
      {
        ...sdo('attack-flow', flowId),
        created_by_ref: identityId,
        name: inc.title,
        description: doc.summary || `The sequence of events of incident ${inc.id}.`,
        scope: 'incident',
        start_refs: [actionId(first.key)],
        external_references: [{ source_name: 'hindsight', external_id: inc.id, description: `${inc.source} ${inc.sourceId}` }],
        ...NEW_SDO,
      },
      inc.tlp,
    );
  }
  for (const sco of scos.values()) objects.push(sco);
  for (const r of relationships) objects.push({ ...r, object_marking_refs: [TLP_MARKING_IDS[levels.get(r.id) ?? inc.tlp]] });

  const kept = options.tlpMax ? dropAboveTlp(objects, levels, options.tlpMax) : objects;
  const used = new Set(kept.flatMap((o) => (Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as string[]) : [])));
  const markings = (Object.keys(TLP_MARKING_IDS) as ShareTlp[])
    .filter((level) => used.has(TLP_MARKING_IDS[level]))
    .sort((a, b) => tlpRank(a) - tlpRank(b))
    .map((level) => tlpMarkingDefinition(level) as unknown as StixObject);
  return { type: 'bundle', id: stableId('bundle', inc.id, 'attack-flow', options.tlpMax ?? 'all', doc.generatedAt), objects: [...EXTENSION_OBJECTS, ...markings, ...kept] };
}
