/** A share document written by hand for the export tests: every kind of part, with text chosen to break careless writers. */
import type { ShareDocument, ShareObservable, ShareTlp } from '../../src/export/share-document.js';

export const HOSTILE = `Quote " apostrophe ' backslash \\ </script><script>alert(1)</script> ]' OR [x:y = 'z' \u0000\u0007\u001b ctrl, line\nbreak\ttab, unicode ünïcødé 漢字 \u202e rtl 😀 \ud800 lone surrogate & <b>tags</b>`;

const obs = (id: string, type: string, value: string, extra: Partial<ShareObservable> = {}): ShareObservable => ({
  id,
  type,
  value,
  ioc: true,
  tlp: 'amber',
  tags: ['ransomware'],
  firstSeen: '2026-02-10T08:01:00Z',
  lastSeen: '2026-02-10T09:00:00.5Z',
  alertIds: ['a1'],
  ...extra,
});

export function shareFixture(text = 'plain', incidentTlp: ShareTlp = 'amber'): ShareDocument {
  const t = (s: string) => (text === 'plain' ? s : `${s} ${HOSTILE}`);
  return {
    generatedAt: '2026-03-01T12:00:00.000Z',
    team: { name: t('Blue Team') },
    attack: { domain: 'enterprise-attack', version: '18.1' },
    incident: {
      id: 'inc_0123456789ab',
      source: 'graph',
      sourceId: t('41873'),
      title: t('Ransomware on finance'),
      severity: 'high',
      status: 'resolved',
      classification: t('truePositive'),
      determination: null,
      createdAt: '2026-02-10T08:15:30.2Z',
      updatedAt: '2026-02-12T10:20:00Z',
      resolvedAt: '2026-02-12T10:20:00Z',
      tlp: incidentTlp,
    },
    summary: t('The review summary.'),
    techniques: [
      { id: 'T1566.001', name: t('Spearphishing Attachment'), stixId: 'attack-pattern--232b7f21-adf9-4b42-b936-b9d6f7df856e', url: 'https://attack.mitre.org/techniques/T1566/001', description: t('Phishing.'), tactics: [{ id: 'TA0001', shortname: 'initial-access', name: 'Initial Access' }] },
      { id: 'T1059.001', name: t('PowerShell'), stixId: null, url: null, description: '', tactics: [{ id: 'TA0002', shortname: 'execution', name: 'Execution' }] },
      { id: 'T1486', name: 'Data Encrypted for Impact', stixId: null, url: 'https://attack.mitre.org/techniques/T1486', description: 'x', tactics: [{ id: 'TA0040', shortname: 'impact', name: 'Impact' }] },
    ],
    steps: [
      { key: 'T1566.001@initial-access', techniqueId: 'T1566.001', tactic: { id: 'TA0001', shortname: 'initial-access', name: 'Initial Access' }, start: '2026-02-10T08:01:00Z', end: '2026-02-10T08:02:00Z', events: [t('Activity began')], alertIds: ['a1'] },
      { key: 'T1059.001@execution', techniqueId: 'T1059.001', tactic: { id: 'TA0002', shortname: 'execution', name: 'Execution' }, start: '2026-02-10T08:03:00Z', end: '2026-02-10T08:03:00Z', events: [], alertIds: ['a1', 'a2'] },
      { key: 'T1486@impact', techniqueId: 'T1486', tactic: { id: 'TA0040', shortname: 'impact', name: 'Impact' }, start: '2026-02-11T01:00:00Z', end: '2026-02-11T02:00:00Z', events: ['Encryption'], alertIds: ['a3'] },
    ],
    assets: [
      { key: 'host:ws-1', kind: 'host', name: t('ws-hr-017'), detail: 'Windows11', alertIds: ['a1', 'a2'] },
      { key: 'account:jdoe', kind: 'account', name: t('jdoe@contoso.com'), detail: null, alertIds: ['a1'] },
      { key: 'host:unused', kind: 'host', name: 'never-touched', detail: null, alertIds: ['zz'] },
    ],
    observables: [
      obs('o-ip', 'ipv4', '203.0.113.66', { tlp: 'green' }),
      obs('o-ip6', 'ipv6', '2001:db8::1', { alertIds: ['a2'] }),
      obs('o-dom', 'domain', 'evil.example.com', { tlp: 'clear' }),
      obs('o-host', 'host', 'ws-hr-017', { ioc: false }),
      obs('o-fqdn', 'host', 'c2.evil.example.com'),
      obs('o-url', 'url', text === 'plain' ? 'http://evil.example.com/a?b=1' : new URL(`http://evil.example.com/'\\"</script>?q=${HOSTILE}`).href),
      obs('o-md5', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'),
      obs('o-sha1', 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
      obs('o-sha256', 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', { tlp: 'red' }),
      obs('o-name', 'file-name', t("svchelper'.exe")),
      obs('o-mail', 'email', 'attacker@evil.example.com', { alertIds: [] }),
      obs('o-user', 'user-account', t('CONTOSO\\svc-backup'), { ioc: false }),
      obs('o-cmd', 'process-command-line', t('powershell.exe -enc "AAA\' \\\\server\\share"'), { alertIds: ['a2'] }),
      obs('o-reg', 'registry-key', t('HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'), { tlp: 'amber+strict' }),
      obs('o-cloud', 'cloud-resource', t('/subscriptions/x/resourceGroups/y'), { ioc: false }),
    ],
    actions: [
      { id: 'act_1', title: t('Block macros from the internet'), description: t('GPO.'), status: 'done', techniqueIds: ['T1566.001'] },
      { id: 'act_2', title: 'Detect encoded PowerShell', description: null, status: 'open', techniqueIds: [] },
    ],
    attribution: [{ id: 'G0034', name: t('Sandworm Team'), type: 'intrusion-set', stixId: null, aliases: [t('ELECTRUM')], url: 'https://attack.mitre.org/groups/G0034', confidence: 62, confidenceLabel: 'medium' }],
    groups: [
      { kind: 'file', observableIds: ['o-md5', 'o-sha1', 'o-name'] },
      { kind: 'domain-ip', observableIds: ['o-fqdn', 'o-ip', 'o-host'] },
    ],
  };
}
