import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateCacaoPlaybook } from '../../src/playbooks/validate.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const VALID: Doc = JSON.parse(readFileSync(new URL('../fixtures/playbooks/valid-playbook.json', import.meta.url), 'utf8'));
const S = 'start--11111111-1111-4111-8111-111111111111';
const P = 'parallel--22222222-2222-4222-8222-222222222222';
const A1 = 'action--33333333-3333-4333-8333-333333333333';
const A2 = 'action--44444444-4444-4444-8444-444444444444';
const IF = 'if-condition--55555555-5555-4555-8555-555555555555';
const E1 = 'end--88888888-8888-4888-8888-888888888881';
const E2 = 'end--88888888-8888-4888-8888-888888888882';
const MAIN_END = 'end--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function broken(change: (d: Doc) => void) {
  const d: Doc = structuredClone(VALID);
  change(d);
  return validateCacaoPlaybook(d).errors;
}

describe('validateCacaoPlaybook', () => {
  it('accepts the hand-written playbook', () => {
    expect(validateCacaoPlaybook(VALID)).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('warns about playbook and command types outside the CACAO vocabularies, and still accepts them', () => {
    const d: Doc = structuredClone(VALID);
    d.playbook_types = ['remediaton', 'mitigation'];
    const step = Object.values(d.workflow as Record<string, Doc>).find((s) => s.type === 'action' && s.commands?.[0]?.type === 'manual') as Doc;
    step.commands[0].type = 'teams-message';
    const stepId = Object.entries(d.workflow as Record<string, Doc>).find(([, s]) => s === step)?.[0] as string;
    const result = validateCacaoPlaybook(d);
    expect(result.valid).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: '$.playbook_types[0]', message: expect.stringMatching(/^"remediaton" is not in the CACAO playbook-type-ov vocabulary \(notification, detection, .*remediation, attack\)/) },
      { path: `$.workflow["${stepId}"].commands[0].type`, message: expect.stringMatching(/^"teams-message" is not in the CACAO command-type-ov vocabulary \(manual, bash, .*yara\)/) },
    ]);
  });

  it.each([
    ['not an object', () => [] as unknown as Doc, [{ path: '$', message: 'a CACAO playbook must be a JSON object' }]],
  ])('rejects %s', (_name, make, expected) => {
    expect(validateCacaoPlaybook(make()).errors).toEqual(expected);
  });

  const cases: [string, (d: Doc) => void, { path: string; message: string }[]][] = [
    ['a missing name', (d) => delete d.name, [{ path: '$.name', message: 'required property "name" is missing' }]],
    ['a wrong type', (d) => (d.type = 'bundle'), [{ path: '$.type', message: 'must be "playbook", not "bundle"' }]],
    ['a wrong spec_version', (d) => (d.spec_version = 'cacao-1.0'), [{ path: '$.spec_version', message: 'must be "cacao-2.0", not "cacao-1.0"' }]],
    ['a bad playbook id', (d) => (d.id = 'playbook--123'), [{ path: '$.id', message: '"playbook--123" is not an identifier of the form playbook--<RFC 4122 UUID>' }]],
    ['created_by that is not an identity', (d) => (d.created_by = 'organization--5b9c3a2e-1d4f-4e6a-8b7c-9d0e1f2a3b4c'), [{ path: '$.created_by', message: '"organization--5b9c3a2e-1d4f-4e6a-8b7c-9d0e1f2a3b4c" must be a identity--<uuid> identifier' }]],
    ['a timestamp without milliseconds', (d) => (d.created = '2026-03-01T10:00:00Z'), [{ path: '$.created', message: '"2026-03-01T10:00:00Z" is not a timestamp in UTC to the millisecond (e.g. 2026-03-04T10:15:00.000Z)' }]],
    ['modified before created', (d) => (d.modified = '2026-02-01T10:00:00.000Z'), [{ path: '$.modified', message: 'must be later than or equal to created' }]],
    ['priority out of range', (d) => (d.priority = 101), [{ path: '$.priority', message: 'must be a whole number from 0 to 100' }]],
    ['workflow_start that is not a start step', (d) => (d.workflow_start = A1), [{ path: '$.workflow_start', message: `step "${A1}" is not a start step` }]],
    ['workflow_start naming a missing step', (d) => (d.workflow_start = 'start--00000000-0000-4000-8000-000000000000'), [{ path: '$.workflow_start', message: 'step "start--00000000-0000-4000-8000-000000000000" is not in the workflow' }]],
    ['an unknown step type', (d) => (d.workflow[A2].type = 'single'), [
      { path: `$.workflow["${A2}"].type`, message: 'unknown workflow step type "single" (expected one of start, end, action, playbook-action, parallel, if-condition, while-condition, switch-condition)' },
      { path: `$.workflow["${E2}"]`, message: `step "${E2}" is not reachable from the start step` },
    ]],
    ['a step key that does not match its type', (d) => (d.workflow[A2].type = 'end', delete d.workflow[A2].commands, delete d.workflow[A2].agent, delete d.workflow[A2].on_completion), [
      { path: `$.workflow["${A2}"]`, message: `step key "${A2}" must start with "end--" to match the step type` },
      { path: `$.workflow["${E2}"]`, message: `step "${E2}" is not reachable from the start step` },
    ]],
    ['an action without commands', (d) => delete d.workflow[A2].commands, [{ path: `$.workflow["${A2}"].commands`, message: 'required property "commands" is missing' }]],
    ['a command without command text', (d) => delete d.workflow[A2].commands[0].command, [{ path: `$.workflow["${A2}"].commands[0]`, message: 'a command needs "command" or "command_b64"' }]],
    ['an undefined agent', (d) => (d.workflow[A2].agent = 'individual--12121212-1212-4121-8121-121212121212'), [{ path: `$.workflow["${A2}"].agent`, message: 'agent "individual--12121212-1212-4121-8121-121212121212" is not defined in agent_definitions' }]],
    ['an undefined target', (d) => (d.workflow[A1].targets = ['http-api--13131313-1313-4131-8131-131313131313']), [{ path: `$.workflow["${A1}"].targets[0]`, message: 'target "http-api--13131313-1313-4131-8131-131313131313" is not defined in target_definitions' }]],
    ['an agent key that does not match its type', (d) => (d.agent_definitions['organization--99999999-9999-4999-8999-999999999999'].type = 'individual'), [{ path: '$.agent_definitions["organization--99999999-9999-4999-8999-999999999999"]', message: 'key "organization--99999999-9999-4999-8999-999999999999" must start with "individual--" to match the object\'s type' }]],
    ['an http-api target without address', (d) => delete d.target_definitions['http-api--77777777-7777-4777-8777-777777777777'].address, [{ path: '$.target_definitions["http-api--77777777-7777-4777-8777-777777777777"].address', message: 'a http-api agent or target needs an address dictionary' }]],
    ['an on_completion to a missing step', (d) => (d.workflow[A2].on_completion = 'end--00000000-0000-4000-8000-000000000000'), [
      { path: `$.workflow["${A2}"].on_completion`, message: 'step "end--00000000-0000-4000-8000-000000000000" is not in the workflow' },
      { path: `$.workflow["${E2}"]`, message: `step "${E2}" is not reachable from the start step` },
    ]],
    ['on_completion together with on_success', (d) => (d.workflow[A2].on_success = E2), [{ path: `$.workflow["${A2}"].on_completion`, message: 'on_completion must not be used together with on_success or on_failure' }]],
    ['on_success on the start step', (d) => (d.workflow[S].on_success = P, delete d.workflow[S].on_completion), [{ path: `$.workflow["${S}"].on_success`, message: 'a start step must not use on_success or on_failure' }]],
    ['an end step with a next step', (d) => (d.workflow[E1].on_completion = E2), [{ path: `$.workflow["${E1}"].on_completion`, message: 'an end step must not have a next step' }]],
    ['two start steps', (d) => (d.workflow['start--12345678-1234-4234-8234-123456789012'] = { type: 'start', on_completion: P }), [
      { path: '$.workflow', message: `the workflow has 2 start steps (${S}, start--12345678-1234-4234-8234-123456789012); exactly one is allowed` },
      { path: '$.workflow["start--12345678-1234-4234-8234-123456789012"]', message: 'step "start--12345678-1234-4234-8234-123456789012" is not reachable from the start step' },
    ]],
    ['an unreachable step', (d) => (d.workflow['action--14141414-1414-4141-8141-141414141414'] = { type: 'action', commands: [{ type: 'manual', command: 'x' }], on_completion: MAIN_END }), [
      { path: '$.workflow["action--14141414-1414-4141-8141-141414141414"]', message: 'step "action--14141414-1414-4141-8141-141414141414" is not reachable from the start step' },
    ]],
    ['a step that cannot reach an end', (d) => (d.workflow[A2].on_completion = A2), [
      { path: `$.workflow["${E2}"]`, message: `step "${E2}" is not reachable from the start step` },
      { path: `$.workflow["${A2}"]`, message: `no end step can be reached from step "${A2}"` },
    ]],
    ['a parallel step with one branch', (d) => (d.workflow[P].next_steps = [A1]), [
      { path: `$.workflow["${P}"].next_steps`, message: 'must list two or more step identifiers (a parallel step with one branch must not be used)' },
      ...[A1, A2, E1, E2].map((id) => ({ path: `$.workflow["${id}"]`, message: `step "${id}" is not reachable from the start step` })),
    ]],
    ['parallel branches sharing an end step', (d) => (d.workflow[A2].on_completion = E1, delete d.workflow[E2]), [{ path: `$.workflow["${P}"].next_steps[1]`, message: `branches 0 and 1 of the parallel step share the end step "${E1}"; each branch must terminate at its own end step` }]],
    ['an if-condition without on_true', (d) => delete d.workflow[IF].on_true, [
      { path: `$.workflow["${IF}"].on_true`, message: 'required property "on_true" is missing' },
      { path: '$.workflow["action--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"]', message: 'step "action--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" is not reachable from the start step' },
      { path: '$.workflow["end--88888888-8888-4888-8888-888888888883"]', message: 'step "end--88888888-8888-4888-8888-888888888883" is not reachable from the start step' },
    ]],
    ['an undefined variable in a command', (d) => (d.workflow[A1].commands[0].command = 'POST /api/machines/__missing__:value/isolate HTTP/1.1'), [{ path: `$.workflow["${A1}"].commands[0].command`, message: 'variable "__missing__" is not defined in step_variables or playbook_variables' }]],
    ['a badly named variable', (d) => (d.playbook_variables = { device: { type: 'string' }, __device_id__: { type: 'string' } }), [{ path: '$.playbook_variables["device"]', message: 'variable name "device" must have the form __name__' }]],
    ['an external reference without detail', (d) => (d.workflow[A2].external_references = [{ name: 'mitre-attack' }]), [{ path: `$.workflow["${A2}"].external_references[0]`, message: 'an external reference needs at least one of description, source, url or external_id' }]],
    ['a property a step type does not define', (d) => (d.workflow[A2].next_steps = [A1, E1]), [{ path: `$.workflow["${A2}"].next_steps`, message: 'property "next_steps" is not defined for action steps' }]],
    ['a playbook-action without playbook_id', (d) => (d.workflow[A2] = { type: 'playbook-action', on_completion: E2 }, d.workflow['playbook-action--44444444-4444-4444-8444-444444444444'] = d.workflow[A2], delete d.workflow[A2], d.workflow[P].next_steps[1] = 'playbook-action--44444444-4444-4444-8444-444444444444'), [
      { path: '$.workflow["playbook-action--44444444-4444-4444-8444-444444444444"].playbook_id', message: 'required property "playbook_id" is missing' },
    ]],
  ];
  it.each(cases)('reports %s precisely', (_name, change, expected) => {
    expect(broken(change)).toEqual(expected);
  });
});
