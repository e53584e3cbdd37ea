import { describe, expect, it } from 'vitest';
import { generateRemediationPlaybook } from '../../src/playbooks/generate.js';
import { validateCacaoPlaybook } from '../../src/playbooks/validate.js';
import { renderRunbookMarkdown } from '../../src/playbooks/runbook-markdown.js';
import type { CacaoPlaybook, WorkflowStep } from '../../src/playbooks/cacao.js';
import { fakeKnowledgeBase } from '../fixtures/playbooks/kb.js';
import { ransomwareIncident, SHA256 } from '../fixtures/playbooks/incident.js';

const NOW = '2026-03-05T08:00:00.000Z';
const steps = (p: CacaoPlaybook): WorkflowStep[] => Object.values(p.workflow);
const named = (p: CacaoPlaybook, text: string) => steps(p).filter((s) => (s.name ?? '').includes(text));
const commandsOf = (p: CacaoPlaybook) => steps(p).flatMap((s) => s.commands ?? []);

describe('generateRemediationPlaybook', () => {
  const kb = fakeKnowledgeBase();
  const { playbook, techniques, unknownTechniques } = generateRemediationPlaybook(kb, { incident: ransomwareIncident() }, { now: NOW });

  it('produces a playbook that passes the CACAO validator', () => {
    const result = validateCacaoPlaybook(playbook);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(playbook.spec_version).toBe('cacao-2.0');
    expect(playbook.created).toBe(NOW);
    expect(playbook.playbook_types).toEqual(['remediation']);
    expect(techniques).toEqual(['T1078', 'T1486', 'T1490', 'T1566.001']);
    expect(unknownTechniques).toEqual([]);
  });

  it('isolates devices: through the Defender API when the device id is known, manually otherwise; skips clean devices', () => {
    const isolate = commandsOf(playbook).find((c) => c.command?.includes('/isolate'));
    expect(isolate).toMatchObject({ type: 'http-api', command: 'POST /api/machines/7d8a3b1c2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b/isolate HTTP/1.1' });
    expect(JSON.parse(isolate?.content ?? '{}')).toMatchObject({ IsolationType: 'Full' });
    const manual = named(playbook, 'Isolate device SRV-FS-01')[0];
    expect(manual?.commands?.[0]?.type).toBe('manual');
    expect(named(playbook, 'WS-CLEAN')).toHaveLength(0);
  });

  it('disables the user, revokes sessions via Graph and resets the password', () => {
    const cmds = commandsOf(playbook).map((c) => c.command);
    expect(cmds).toContain('POST /v1.0/users/11111111-2222-3333-4444-555555555555/revokeSignInSessions HTTP/1.1');
    expect(cmds).toContain('PATCH /v1.0/users/11111111-2222-3333-4444-555555555555 HTTP/1.1');
    expect(named(playbook, 'Reset password of Jane Doe')).toHaveLength(1);
    expect(named(playbook, 'Recovery: Re-enable Jane Doe')).toHaveLength(1);
  });

  it('blocks the attacker IP and the file hash, not the internal IP; blocks the sender domain and purges the message', () => {
    const indicators = commandsOf(playbook).filter((c) => c.command === 'POST /api/indicators HTTP/1.1').map((c) => JSON.parse(c.content ?? '{}'));
    expect(indicators.map((i) => [i.indicatorType, i.indicatorValue, i.action])).toEqual([
      ['FileSha256', SHA256, 'BlockAndRemediate'],
      ['IpAddress', '198.51.100.23', 'Block'],
    ]);
    expect(commandsOf(playbook).some((c) => c.command?.includes('10.0.0.5'))).toBe(false);
    expect(commandsOf(playbook).find((c) => c.type === 'powershell')?.command).toBe("New-TenantAllowBlockListItems -ListType Sender -Block -Entries 'evil-invoices.example' -NoExpiration");
    expect(named(playbook, 'Purge malicious messages')).toHaveLength(1);
  });

  it('derives eradication from ATT&CK mitigations, recovery from backup for T1486/T1490, and lessons learned', () => {
    expect(named(playbook, 'Eradication: M1053 Data Backup')).toHaveLength(1);
    expect(named(playbook, 'Eradication: M1040 Behavior Prevention on Endpoint')).toHaveLength(1);
    expect(named(playbook, 'Eradication: Remove T1078 Valid Accounts artefacts')).toHaveLength(1);
    expect(named(playbook, 'Recovery: Restore data and systems from backup')).toHaveLength(1);
    expect(named(playbook, 'Recovery: Release device WS-FIN-042')[0]?.commands?.[0]?.command).toContain('/unisolate');
    const detections = named(playbook, 'Update detections')[0];
    expect(detections?.commands?.some((c) => c.command?.includes('DET0001 Detect mass file encryption'))).toBe(true);
    expect(named(playbook, 'Hold the post-incident review')).toHaveLength(1);
    expect(named(playbook, 'Record action items')).toHaveLength(1);
  });

  it('runs containment in parallel, each branch ending at its own end step', () => {
    const parallel = steps(playbook).filter((s) => s.type === 'parallel');
    expect(parallel.map((s) => s.name)).toEqual(expect.arrayContaining(['Containment: run in parallel', 'Eradication: run in parallel']));
    expect(steps(playbook).filter((s) => s.type === 'start')).toHaveLength(1);
  });

  it('names ATT&CK references on every action step and at playbook level', () => {
    for (const s of steps(playbook).filter((x) => x.type === 'action')) {
      expect(s.external_references?.some((r) => r.name === 'mitre-attack' && /^(T|M|DET)\d/.test(r.external_id ?? '')), s.name).toBe(true);
    }
    const ids = playbook.external_references?.map((r) => r.external_id);
    expect(ids).toEqual(expect.arrayContaining(['T1486', 'T1490', 'M1053', 'DET0001']));
  });

  it('is deterministic for the same input and time', () => {
    const again = generateRemediationPlaybook(kb, { incident: ransomwareIncident() }, { now: NOW }).playbook;
    expect(JSON.stringify(again)).toBe(JSON.stringify(playbook));
    const other = generateRemediationPlaybook(kb, { incident: ransomwareIncident() }, { now: NOW, idSeed: 'other' }).playbook;
    expect(other.id).not.toBe(playbook.id);
  });

  it('works from technique IDs alone, reporting unknown ones', () => {
    const r = generateRemediationPlaybook(kb, { techniques: ['T1486', 't1490', 'T9999'] }, { now: NOW });
    expect(validateCacaoPlaybook(r.playbook).errors).toEqual([]);
    expect(r.techniques).toEqual(['T1486', 'T1490']);
    expect(r.unknownTechniques).toEqual(['T9999']);
    expect(named(r.playbook, 'Scope and contain')).toHaveLength(1);
    expect(r.playbook.name).toBe('Remediation: T1486, T1490');
  });

  it('references linked library playbooks as playbook-action steps', () => {
    const lib = generateRemediationPlaybook(kb, { techniques: ['T1486'] }, { now: NOW, idSeed: 'library' }).playbook;
    lib.name = 'Team ransomware procedure';
    const r = generateRemediationPlaybook(kb, { incident: ransomwareIncident() }, { now: NOW, library: [{ playbook: lib, techniques: ['T1486'] }, { playbook: { ...lib, id: 'playbook--00000000-0000-4000-8000-000000000000' }, techniques: ['T1110'] }] });
    const actions = steps(r.playbook).filter((s) => s.type === 'playbook-action');
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ playbook_id: lib.id, playbook_version: lib.modified });
    expect(r.referencedPlaybooks.map((p) => p.id)).toEqual([lib.id]);
    expect(validateCacaoPlaybook(r.playbook, { knownPlaybookIds: [lib.id] }).errors).toEqual([]);
    expect(validateCacaoPlaybook(r.playbook, { knownPlaybookIds: [] }).errors.map((e) => e.message)).toEqual([`playbook "${lib.id}" is not available to resolve`]);
  });
});

describe('renderRunbookMarkdown', () => {
  const { playbook } = generateRemediationPlaybook(fakeKnowledgeBase(), { incident: ransomwareIncident() }, { now: NOW });
  const md = renderRunbookMarkdown(playbook);

  it('numbers the steps under phase headings in workflow order', () => {
    const headings = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['Containment', 'Eradication', 'Recovery', 'Lessons learned']);
    const numbers = [...md.matchAll(/^### (\d+)\. /gm)].map((m) => Number(m[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(md).toContain('- Who: Security operations team (organization)');
    expect(md).toContain('POST /api/machines/7d8a3b1c2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b/isolate HTTP/1.1');
    expect(md).toContain('[T1486 Data Encrypted for Impact](https://attack.mitre.org/techniques/T1486)');
  });

  it('escapes incident text', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('\\*finance\\*');
  });
});
