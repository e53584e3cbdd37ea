/**
 * Throttling of password sign-ins, kept in the server's memory: failed attempts are counted per
 * client address, per user name (as typed, lower-cased) and over the whole server, each in a sliding
 * window. A counter that reaches its limit locks its key out; each lockout of the same key lasts
 * twice the one before (1 minute, 2, 4... up to an hour), and a key that stays quiet for a day
 * starts over. The route asks `check` before any password is hashed, so a locked-out attempt costs
 * nothing but a map lookup. A successful sign-in clears its user name's counter, never its
 * address's: one valid account does not reset a spray from the same address.
 */

export type ThrottleKey = 'address' | 'username' | 'global';

export interface ThrottleLimits {
  /** Failed attempts per user name in a window (default 5). */
  perUsername: number;
  /** Failed attempts from one address in a window, whatever the user names (default 20). */
  perAddress: number;
  /** Failed attempts over the whole server in a window (default 300). */
  global: number;
  /** The counting window (default one minute). */
  windowMs: number;
  /** The first lockout (default one minute); each next one doubles. */
  baseLockMs: number;
  /** The longest lockout (default one hour). */
  maxLockMs: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = { perUsername: 5, perAddress: 20, global: 300, windowMs: 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 };

/** Limits scaled from one number (failed attempts per user name per minute), as `loginAttemptsPerMinute` gives them. */
export function limitsFromAttemptsPerMinute(perUsername: number): ThrottleLimits {
  return { ...DEFAULT_THROTTLE_LIMITS, perUsername, perAddress: Math.max(DEFAULT_THROTTLE_LIMITS.perAddress, perUsername * 4), global: Math.max(DEFAULT_THROTTLE_LIMITS.global, perUsername * 60) };
}

interface Counter {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  lockouts: number;
  lastFailure: number;
}

/** A lockout that began with this failure. */
export interface Lockout {
  key: ThrottleKey;
  retryAfterMs: number;
  failures: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; key: ThrottleKey; retryAfterMs: number };

/** Lockout counts are forgotten after a quiet day. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Beyond this many tracked keys, idle ones are swept (a spray over millions of names stays bounded). */
const SWEEP_ABOVE = 50_000;

export class SignInThrottle {
  private readonly counters = new Map<string, Counter>();

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private keysOf(address: string, username: string): [ThrottleKey, string, number][] {
    return [
      ['global', 'g', this.limits.global],
      ['address', `a:${address}`, this.limits.perAddress],
      ['username', `u:${username.trim().toLowerCase()}`, this.limits.perUsername],
    ];
  }

  /** Whether an attempt may go on to the password check; the longest lockout in force wins. */
  check(address: string, username: string): ThrottleDecision {
    const now = this.now();
    let worst: { key: ThrottleKey; retryAfterMs: number } | undefined;
    for (const [key, id] of this.keysOf(address, username)) {
      const counter = this.counters.get(id);
      if (counter && counter.lockedUntil > now && (!worst || counter.lockedUntil - now > worst.retryAfterMs)) worst = { key, retryAfterMs: counter.lockedUntil - now };
    }
    return worst ? { allowed: false, ...worst } : { allowed: true };
  }

  /**
   * Counts a failed attempt; returns the lockouts it started (none, usually) and whether it is the
   * user name's first failure in its window (the audit trail records that one and the lockouts, not
   * every guess).
   */
  fail(address: string, username: string): { lockouts: Lockout[]; firstInWindow: boolean } {
    const now = this.now();
    if (this.counters.size > SWEEP_ABOVE) this.sweep(now);
    const started: Lockout[] = [];
    let firstInWindow = false;
    for (const [key, id, limit] of this.keysOf(address, username)) {
      let counter = this.counters.get(id);
      if (!counter || now - counter.lastFailure > FORGET_AFTER_MS) {
        counter = { failures: 0, windowStart: now, lockedUntil: 0, lockouts: 0, lastFailure: now };
        this.counters.set(id, counter);
      }
      if (now - counter.windowStart >= this.limits.windowMs) {
        counter.windowStart = now;
        counter.failures = 0;
      }
      counter.failures += 1;
      counter.lastFailure = now;
      if (key === 'username') firstInWindow = counter.failures === 1;
      if (counter.failures >= limit && counter.lockedUntil <= now) {
        const lockMs = Math.min(this.limits.baseLockMs * 2 ** counter.lockouts, this.limits.maxLockMs);
        counter.lockedUntil = now + lockMs;
        counter.lockouts += 1;
        started.push({ key, retryAfterMs: lockMs, failures: counter.failures });
        counter.failures = 0;
        counter.windowStart = now;
      }
    }
    return { lockouts: started, firstInWindow };
  }

  /** A correct password: the user name's failures are forgiven (the address's and the server's are not). */
  succeed(username: string): void {
    this.counters.delete(`u:${username.trim().toLowerCase()}`);
  }

  /** Keys that are neither locked nor counting in the current window. */
  private sweep(now: number): void {
    for (const [id, counter] of this.counters) {
      if (counter.lockedUntil <= now && now - counter.windowStart >= this.limits.windowMs && now - counter.lastFailure > this.limits.maxLockMs) this.counters.delete(id);
    }
  }
}
