import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractObservables } from '../../../src/model/observable-extract.js';
import { ipObservable, normaliseObservable, observableId, observableIdsOfValue } from '../../../src/model/observable-values.js';
import { OBSERVABLE_TYPES, parseTlp, tlpAllows, type ObservableType } from '../../../src/model/observables.js';

const norm = (type: ObservableType, value: string) => {
  const r = normaliseObservable(type, value);
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('observable normalisation', () => {
  it('gives one spelling per value', () => {
    expect(norm('ipv4', ' 203.0.113.66 ')).toBe('203.0.113.66');
    expect(norm('ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(norm('ipv6', '[2001:db8::1]')).toBe('2001:db8::1');
    expect(norm('domain', 'Bücher.Example.')).toBe('xn--bcher-kva.example');
    expect(norm('domain', 'WWW.Example.COM')).toBe('www.example.com');
    expect(norm('url', 'HTTPS://Example.COM:443/a/./b/../c?q=1#f')).toBe('https://example.com/a/c?q=1#f');
    expect(norm('url', 'http://bücher.example/pfad mit leer')).toBe('http://xn--bcher-kva.example/pfad%20mit%20leer');
    expect(norm('sha256', 'A'.repeat(64))).toBe('a'.repeat(64));
    expect(norm('md5', 'D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(norm('email', 'Bob.Smith@Bücher.Example')).toBe('bob.smith@xn--bcher-kva.example');
    expect(norm('user-account', 'CORP\\JDoe')).toBe('corp\\jdoe');
    expect(norm('host', 'WS-FIN-042')).toBe('ws-fin-042');
    expect(norm('registry-key', 'hklm\\SOFTWARE\\Run\\')).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\Run');
    expect(norm('registry-key', '\\REGISTRY\\MACHINE\\SOFTWARE\\X')).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\X');
    expect(norm('cloud-resource', '/subscriptions/0000/ResourceGroups/RG')).toBe('/subscriptions/0000/resourcegroups/rg');
    expect(norm('cloud-resource', 'arn:aws:s3:::My-Bucket')).toBe('arn:aws:s3:::My-Bucket');
    expect(norm('process-command-line', '  powershell.exe -enc AAA\n ')).toBe('powershell.exe -enc AAA');
    expect(norm('file-name', 'Invoice.DOCM')).toBe('Invoice.DOCM');
  });

  it('refuses values not of their type with a clear reason', () => {
    expect(norm('ipv4', '999.1.1.1')).toMatch(/not an IPv4 address/);
    expect(norm('ipv4', '010.0.0.1')).toMatch(/not an IPv4 address/);
    expect(norm('ipv6', 'fe80::1%eth0')).toMatch(/not an IPv6 address/);
    expect(norm('domain', 'localhost')).toMatch(/needs a dot/);
    expect(norm('domain', '1.2.3.4')).toMatch(/an IP address/);
    expect(norm('domain', 'bad_-.exa mple')).toMatch(/not a domain name/);
    expect(norm('url', '/relative/path')).toMatch(/not an absolute URL/);
    expect(norm('url', 'mailto:a@b.example')).toMatch(/with a host/);
    expect(norm('sha1', 'xyz')).toMatch(/40 hexadecimal digits/);
    expect(norm('file-name', 'C:\\Windows\\evil.exe')).toMatch(/not a path/);
    expect(norm('email', 'no-at-sign')).toMatch(/not an e-mail address/);
    expect(norm('host', 'evil\u001b[31m')).toMatch(/control character/);
    expect(norm('file-name', 'a\u0000b')).toMatch(/control character/);
    expect(norm('file-name', 'lone \ud800 surrogate')).toMatch(/well-formed/);
    expect(norm('domain', '')).toMatch(/empty/);
    expect(norm('url', `http://x.example/${'a'.repeat(9000)}`)).toMatch(/longer than/);
  });

  it('is idempotent and its ids are stable (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBSERVABLE_TYPES), fc.string({ maxLength: 80 }), (type, text) => {
        const once = normaliseObservable(type, text);
        if (!once.ok) return;
        const twice = normaliseObservable(type, once.value);
        expect(twice).toEqual(once);
        expect(observableIdsOfValue(once.value, type)).toEqual([observableId(type, once.value)]);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const r = normaliseObservable('ipv6', ip);
        expect(r.ok).toBe(true);
        if (r.ok) expect(normaliseObservable('ipv6', r.value.toUpperCase())).toEqual(r);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normaliseObservable('ipv4', ip)).toEqual({ ok: true, value: ip });
      }),
    );
    fc.assert(
      fc.property(fc.domain(), (d) => {
        const r = normaliseObservable('domain', d.toUpperCase());
        if (r.ok) expect(r.value).toBe(r.value.toLowerCase());
      }),
    );
    fc.assert(
      fc.property(fc.webUrl(), (u) => {
        const r = normaliseObservable('url', u);
        if (r.ok) expect(normaliseObservable('url', r.value)).toEqual(r);
      }),
    );
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(ipObservable('::ffff:192.0.2.1')).toEqual({ type: 'ipv4', value: '192.0.2.1' });
    expect(ipObservable('2001:DB8::1')).toEqual({ type: 'ipv6', value: '2001:db8::1' });
    expect(ipObservable('nope')).toBeUndefined();
  });

  it('orders TLP levels and reads their spellings', () => {
    expect(tlpAllows('GREEN', 'AMBER')).toBe(true);
    expect(tlpAllows('AMBER+STRICT', 'AMBER')).toBe(false);
    expect(tlpAllows('RED', 'RED')).toBe(true);
    expect(parseTlp('tlp:amber+strict')).toBe('AMBER+STRICT');
    expect(parseTlp('TLP:WHITE')).toBe('CLEAR');
    expect(parseTlp('purple')).toBeUndefined();
  });
});

describe('observables of an entity', () => {
  const entity = (kind: Parameters<typeof extractObservables>[0]['kind'], attributes: Record<string, string | number | null>, key = 'k', displayName = 'd') => extractObservables({ kind, key, displayName, attributes });
  const pairs = (list: { type: string; value: string }[]) => list.map((o) => `${o.type} ${o.value}`).sort();

  it('reads the identifying attributes every mapper keeps, whatever the source', () => {
    expect(pairs(entity('file', { 'fileDetails.sha256': 'A'.repeat(64), 'fileDetails.sha1': 'B'.repeat(40), 'fileDetails.fileName': 'x.docm', 'fileDetails.filePath': 'C:\\Users' }))).toEqual([`file-name x.docm`, `sha1 ${'b'.repeat(40)}`, `sha256 ${'a'.repeat(64)}`]);
    expect(pairs(entity('networkConnection', { 'sourceAddress.ipAddress': '192.0.2.17', 'destinationAddress.ipAddress': '203.0.113.66', destinationPort: 443 }))).toEqual(['ipv4 192.0.2.17', 'ipv4 203.0.113.66']);
    expect(pairs(entity('process', { cmd_line: 'C:\\Windows\\PSEXESVC.exe', 'imageFile.fileName': 'PSEXESVC.exe' }))).toEqual(['file-name PSEXESVC.exe', 'process-command-line C:\\Windows\\PSEXESVC.exe']);
    expect(pairs(entity('url', { url: 'https://evil.example/x' }))).toEqual(['domain evil.example', 'url https://evil.example/x']);
    expect(pairs(entity('url', { url: 'down.esales360.example' }))).toEqual(['domain down.esales360.example']);
    expect(pairs(entity('registryValue', { registryHive: 'HKEY_LOCAL_MACHINE', registryKey: 'SOFTWARE\\Run', registryValueName: 'x' }))).toEqual(['registry-key HKEY_LOCAL_MACHINE\\SOFTWARE\\Run']);
    expect(pairs(entity('user', { name: 'svc', domain: 'CORP' }, 'corp\\svc'))).toEqual(['user-account corp\\svc']);
    expect(pairs(entity('device', { mdeDeviceId: 'f'.repeat(40), deviceDnsName: 'WS-1.contoso.com' }, 'f'.repeat(40)))).toEqual(['host ws-1.contoso.com']);
    expect(pairs(entity('ip', { dataType: 'ip', data: '185.220.101.47' }, '185.220.101.47'))).toEqual(['ipv4 185.220.101.47']);
    expect(pairs(entity('other', { uid: 'arn:aws:ec2:eu-central-1:111122223333:instance/i-0f2e', type: 'AwsEc2Instance' }))).toEqual(['cloud-resource arn:aws:ec2:eu-central-1:111122223333:instance/i-0f2e']);
  });

  it('keeps nothing that is not valid for its type, and at most 24 per entity', () => {
    expect(entity('ip', { ipAddress: 'not an ip' }, 'not an ip', 'not an ip')).toEqual([]);
    const many: Record<string, string> = {};
    for (let i = 0; i < 100; i++) many[`h${i}.sha256`] = i.toString(16).padStart(64, '0');
    expect(entity('file', many).length).toBe(24);
  });
});
