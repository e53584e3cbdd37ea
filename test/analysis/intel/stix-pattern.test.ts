import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateStixPattern } from '../../../src/analysis/intel/stix-evaluate.js';
import { parsePattern, PatternSyntaxError, tokenize } from '../../../src/analysis/intel/stix-pattern.js';

const valueOf = (pattern: string) => evaluateStixPattern(pattern).clauses.map((c) => c.map((t) => t.alternatives.map((a) => `${a.type}:${a.value}`).join('|')));

describe('STIX 2.1 pattern parser', () => {
  it('parses observation and comparison expressions with AND binding tighter than OR', () => {
    const ast = parsePattern("[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8' AND ipv4-addr:value != '9.9.9.9']");
    expect(ast).toMatchObject({ kind: 'observation', comparison: { kind: 'or', items: [{ kind: 'test', operator: '=' }, { kind: 'and', items: [{ kind: 'test' }, { kind: 'test', operator: '!=' }] }] } });
  });

  it('reads object paths with quoted components and list indexes, and every literal type', () => {
    const ast = parsePattern("[file:hashes.'SHA-256' = 'ab' AND email-message:to_refs[*].value = 'a@b.example' AND file:size >= 10 AND x-custom:flag = true AND file:mtime > t'2020-01-01T00:00:00Z' AND artifact:payload_bin = b'aGk=' AND file:magic = h'ff00' AND file:ratio < 1.5]");
    expect(ast.kind).toBe('observation');
    if (ast.kind !== 'observation' || ast.comparison.kind !== 'and') throw new Error('unexpected shape');
    const [hash, to] = ast.comparison.items;
    expect(hash).toMatchObject({ path: { objectType: 'file', steps: ['hashes', 'SHA-256'] } });
    expect(to).toMatchObject({ path: { objectType: 'email-message', steps: ['to_refs', '*', 'value'] } });
  });

  it('unescapes \\\' and \\\\ in strings and refuses other escapes', () => {
    const ast = parsePattern("[file:name = 'it\\'s \\\\ here']");
    expect(ast).toMatchObject({ comparison: { value: { type: 'string', value: "it's \\ here" } } });
    expect(() => parsePattern("[file:name = 'bad \\n escape']")).toThrow(PatternSyntaxError);
  });

  it('parses IN, LIKE, MATCHES, ISSUBSET, NOT, EXISTS, FOLLOWEDBY and qualifiers', () => {
    expect(() => parsePattern("[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2')]")).not.toThrow();
    expect(() => parsePattern("[domain-name:value LIKE '%.example']")).not.toThrow();
    expect(() => parsePattern("[process:command_line NOT MATCHES '^cmd']")).not.toThrow();
    expect(() => parsePattern("[ipv4-addr:value ISSUBSET '10.0.0.0/8']")).not.toThrow();
    expect(() => parsePattern('[EXISTS windows-registry-key:values]')).not.toThrow();
    const seq = parsePattern("([ipv4-addr:value = '1.1.1.1'] FOLLOWEDBY [domain-name:value = 'a.example']) WITHIN 300 SECONDS REPEATS 2 TIMES START t'2020-01-01T00:00:00Z' STOP t'2020-02-01T00:00:00Z'");
    expect(seq).toMatchObject({ kind: 'followedby', qualifiers: [{ kind: 'within', seconds: 300 }, { kind: 'repeats', times: 2 }, { kind: 'start-stop' }] });
  });

  it('refuses invalid patterns with the column of the fault', () => {
    const cases: [string, RegExp][] = [
      ["ipv4-addr:value = '1.2.3.4'", /expected '\['.*column 1/],
      ["[ipv4-addr:value = '1.2.3.4'", /']' closing.*column 29/],
      ["[ipv4-addr:value '1.2.3.4']", /comparison operator/],
      ["[ipv4-addr:value = '1.2.3.4]", /not closed/],
      ["[:value = 'x']", /object type/],
      ["[ipv4-addr:value = '1.2.3.4'] WITHIN -5 SECONDS", /positive number/],
      ["[file:mtime > t'yesterday']", /timestamp/],
      ["[a-b:c = 1] [x-y:z = 2]", /unexpected '\['/],
      ["[file:name = 'a'] AND", /expected '\['/],
      ['[file:name = @]', /unexpected character/],
    ];
    for (const [pattern, message] of cases) expect(() => parsePattern(pattern), pattern).toThrow(message);
  });

  it('stays cheap on hostile input: deep nesting and long patterns are refused, never overflow the stack', () => {
    expect(() => parsePattern(`${'('.repeat(10_000)}[a-b:c = 1]${')'.repeat(10_000)}`)).toThrow(/nesting deeper/);
    expect(() => parsePattern(`[a-b:c = '${'x'.repeat(70_000)}']`)).toThrow(/longer than/);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parsePattern(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PatternSyntaxError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('tokenizes == and <> as = and !=', () => {
    expect(tokenize("a == 'b' <> c").filter((t) => t.type === 'op').map((t) => t.text)).toEqual(['=', '!=']);
  });
});

describe('what Hindsight evaluates of a pattern', () => {
  it('evaluates = and IN on the observable paths, AND as one clause and OR as alternatives', () => {
    expect(valueOf("[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8']")).toEqual([['ipv4:1.2.3.4'], ['ipv4:5.6.7.8']]);
    expect(valueOf(`[file:hashes.'SHA-256' = 'AB${'c'.repeat(62)}' AND file:name = 'x.exe']`)).toEqual([[`sha256:ab${'c'.repeat(62)}`, 'file-name:x.exe']]);
    expect(valueOf(`[file:hashes.MD5 = '${'A'.repeat(32)}']`)).toEqual([[`md5:${'a'.repeat(32)}`]]);
    expect(valueOf(`[file:hashes.'SHA-1' = '${'b'.repeat(40)}']`)).toEqual([[`sha1:${'b'.repeat(40)}`]]);
    expect(valueOf("[domain-name:value = 'EVIL.Example.']")).toEqual([['domain:evil.example|host:evil.example']]);
    expect(valueOf("[url:value = 'HTTP://Evil.Example:80/a/../b']")).toEqual([['url:http://evil.example/b']]);
    expect(valueOf("[email-addr:value = 'Bob@Evil.Example']")).toEqual([['email:bob@evil.example']]);
    expect(valueOf("[user-account:account_login = 'CORP\\\\Bob']")).toEqual([['user-account:corp\\bob']]);
    expect(valueOf("[windows-registry-key:key = 'HKLM\\\\Software\\\\Run']")).toEqual([['registry-key:HKEY_LOCAL_MACHINE\\Software\\Run']]);
    expect(valueOf("[process:command_line = 'cmd.exe /c whoami']")).toEqual([['process-command-line:cmd.exe /c whoami']]);
    expect(valueOf("[ipv6-addr:value IN ('2001:DB8:0:0:0:0:0:1', '2001:db8::2/128')]")).toEqual([['ipv6:2001:db8::1'], ['ipv6:2001:db8::2']]);
    expect(valueOf("[network-traffic:dst_ref.value = '203.0.113.9']")).toEqual([['ipv4:203.0.113.9']]);
    expect(valueOf("[ipv4-addr:value = '1.1.1.1'] OR [ipv4-addr:value = '2.2.2.2']")).toEqual([['ipv4:1.1.1.1'], ['ipv4:2.2.2.2']]);
    expect(evaluateStixPattern("[ipv4-addr:value = '1.2.3.4']").evaluation).toBe('evaluable');
  });

  it('expands AND of ORs into clauses', () => {
    expect(valueOf(`[file:name = 'a' AND (file:hashes.MD5 = '${'1'.repeat(32)}' OR file:hashes.MD5 = '${'2'.repeat(32)}')]`)).toEqual([
      ['file-name:a', `md5:${'1'.repeat(32)}`],
      ['file-name:a', `md5:${'2'.repeat(32)}`],
    ]);
  });

  it('reports what it cannot evaluate, and keeps the evaluable OR branches (partial)', () => {
    const partial = evaluateStixPattern("[ipv4-addr:value = '1.2.3.4' OR domain-name:value LIKE '%.example']");
    expect(partial.evaluation).toBe('partial');
    expect(partial.reasons).toEqual(['operator LIKE on domain-name:value']);
    const cases: [string, RegExp][] = [
      ["[process:command_line MATCHES '^powershell']", /operator MATCHES/],
      ["[ipv4-addr:value != '1.2.3.4']", /operator !=/],
      ["[ipv4-addr:value NOT = '1.2.3.4']", /NOT =/],
      ["[ipv4-addr:value = '10.0.0.0/8']", /network range/],
      ["[ipv4-addr:value = '1.1.1.1'] AND [ipv4-addr:value = '2.2.2.2']", /joined by AND/],
      ["[ipv4-addr:value = '1.1.1.1'] FOLLOWEDBY [ipv4-addr:value = '2.2.2.2']", /FOLLOWEDBY/],
      ["[ipv4-addr:value = '1.1.1.1'] REPEATS 3 TIMES", /qualifier REPEATS/],
      ["[ipv4-addr:value = '1.1.1.1' AND file:name = 'a']", /different object types/],
      ["[mac-addr:value = 'aa:bb:cc:dd:ee:ff']", /no observable type/],
      ["[file:hashes.'SSDEEP' = '3:a:b']", /hash algorithm SSDEEP/],
      ["[ipv4-addr:value = 'not-an-ip']", /not an IP address/],
      ['[EXISTS file:name]', /EXISTS/],
      ['[ipv4-addr:value = ', /does not parse/],
    ];
    for (const [pattern, reason] of cases) {
      const result = evaluateStixPattern(pattern);
      expect(result.evaluation, pattern).toBe('unevaluable');
      expect(result.reasons.join(' '), pattern).toMatch(reason);
    }
  });
});
