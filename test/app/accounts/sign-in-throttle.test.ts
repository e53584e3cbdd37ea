import { describe, expect, it } from 'vitest';
import { SignInThrottle, type ThrottleLimits } from '../../../src/app/accounts/sign-in-throttle.js';

const LIMITS: ThrottleLimits = { perUsername: 3, perAddress: 5, global: 8, windowMs: 60_000, baseLockMs: 60_000, maxLockMs: 4 * 60_000 };

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('sign-in throttle', () => {
  it('locks a user name out after its limit, with lockouts doubling up to the maximum', () => {
    const c = clock();
    const t = new SignInThrottle(LIMITS, c.now);
    const locks: number[] = [];
    for (let round = 0; round < 5; round++) {
      // Each round from a fresh address, so only the user name counts.
      const address = `10.0.0.${round}`;
      expect(t.check(address, 'Alice')).toEqual({ allowed: true });
      const results = [t.fail(address, 'alice'), t.fail(address, 'ALICE '), t.fail(address, 'alice')];
      expect(results.map((r) => r.firstInWindow)).toEqual([true, false, false]);
      const lockout = results[2]?.lockouts.find((l) => l.key === 'username');
      expect(lockout).toBeDefined();
      locks.push(lockout?.retryAfterMs ?? 0);
      const decision = t.check('192.0.2.1', 'alice');
      expect(decision).toMatchObject({ allowed: false, key: 'username' });
      c.advance(lockout?.retryAfterMs ?? 0);
      expect(t.check('192.0.2.1', 'alice')).toEqual({ allowed: true });
      c.advance(61_000);
    }
    expect(locks).toEqual([60_000, 120_000, 240_000, 240_000, 240_000]);
  });

  it('counts an address over many user names, and the server over many addresses', () => {
    const c = clock();
    const t = new SignInThrottle(LIMITS, c.now);
    for (let i = 0; i < 4; i++) expect(t.fail('198.51.100.7', `user${i}`).lockouts).toEqual([]);
    expect(t.fail('198.51.100.7', 'user4').lockouts).toEqual([{ key: 'address', retryAfterMs: 60_000, failures: 5 }]);
    // Any user name from that address is refused; another address is not.
    expect(t.check('198.51.100.7', 'someone-else')).toMatchObject({ allowed: false, key: 'address' });
    expect(t.check('198.51.100.8', 'someone-else')).toEqual({ allowed: true });
    // Three more failures anywhere reach the global limit of 8: everyone waits.
    t.fail('203.0.113.1', 'x1');
    t.fail('203.0.113.2', 'x2');
    expect(t.fail('203.0.113.3', 'x3').lockouts.map((l) => l.key)).toEqual(['global']);
    expect(t.check('203.0.113.99', 'bob')).toMatchObject({ allowed: false, key: 'global' });
  });

  it('forgives a user name its failures on success, but never the address', () => {
    const c = clock();
    const t = new SignInThrottle(LIMITS, c.now);
    t.fail('10.1.1.1', 'alice');
    t.fail('10.1.1.1', 'alice');
    t.succeed('alice');
    expect(t.fail('10.1.1.1', 'alice')).toEqual({ lockouts: [], firstInWindow: true });
    t.fail('10.1.1.1', 'bob');
    // Five failures from the address in the window, whatever the successes between them.
    expect(t.fail('10.1.1.1', 'carol').lockouts.map((l) => l.key)).toEqual(['address']);
  });

  it('starts a new window after the window has passed', () => {
    const c = clock();
    const t = new SignInThrottle(LIMITS, c.now);
    t.fail('10.2.2.2', 'dave');
    t.fail('10.2.2.2', 'dave');
    c.advance(60_000);
    expect(t.fail('10.2.2.2', 'dave')).toEqual({ lockouts: [], firstInWindow: true });
    expect(t.check('10.2.2.2', 'dave')).toEqual({ allowed: true });
  });
});
