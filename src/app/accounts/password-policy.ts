/**
 * What a password must be: at least 12 characters, not the user name nor containing it, and not
 * guessable: zxcvbn (with its list of common and breached passwords and keyboard patterns) must
 * score it 3 or more out of 4, and the whole password must not be one common password (in any
 * case, reversed or in l33t). Passphrases of ordinary words pass when they are long enough.
 */
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { UsageError } from '../../model/errors.js';

export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn's score (0-4) a password needs: 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_PASSWORD_SCORE = 3;

let checker: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  checker ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return checker;
}

/** zxcvbn's warnings (keys, without a translation package) in words. */
const WARNINGS: Record<string, string> = {
  straightRow: 'a straight row of keys',
  keyPattern: 'a short keyboard pattern',
  simpleRepeat: 'repeated characters',
  extendedRepeat: 'repeated character patterns',
  sequences: 'a common character sequence',
  recentYears: 'a recent year',
  dates: 'a date',
  topTen: 'one of the ten most used passwords',
  topHundred: 'one of the hundred most used passwords',
  common: 'a commonly used password',
  similarToCommon: 'close to a commonly used password',
  wordByItself: 'a single word',
  namesByThemselves: 'a name',
  commonNames: 'a common name',
  userInputs: 'your own name or address',
  pwned: 'a password found in data breaches',
};

/** Who the password is for: their name, display name and address count as guessable. */
export interface PasswordOwner {
  username: string;
  displayName?: string | null;
  email?: string | null;
}

/** Why the password is refused, in one sentence; undefined when it is acceptable. */
export function passwordProblem(password: string, owner: PasswordOwner): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  const lower = password.toLowerCase();
  const name = owner.username.toLowerCase();
  if (lower === name) return 'the password must not be the user name';
  if (name.length >= 3 && lower.includes(name)) return 'the password must not contain the user name';
  const inputs = [owner.username, owner.displayName ?? '', owner.email ?? '', owner.email?.split('@')[0] ?? ''].filter((s) => s.length >= 3);
  const result = zxcvbn().check(password.slice(0, 256), inputs);
  if (wholeCommonPassword(result)) return 'the password is a commonly used one (it is on the list of common and breached passwords)';
  if (result.score < MIN_PASSWORD_SCORE) {
    const warning = result.feedback.warning ? WARNINGS[result.feedback.warning] : undefined;
    const hint = warning ? ` (${warning})` : '';
    return `the password is too easy to guess${hint}: use a longer passphrase or more varied characters`;
  }
  return undefined;
}

/** Refuses a password that fails the policy with a UsageError naming why. */
export function checkPasswordPolicy(password: string, owner: PasswordOwner): void {
  const problem = passwordProblem(password, owner);
  if (problem) throw new UsageError(problem);
}

/** The whole password is one dictionary entry: a common password, a name or a word, however disguised. */
function wholeCommonPassword(result: ZxcvbnResult): boolean {
  const [only, ...rest] = result.sequence;
  return rest.length === 0 && only?.pattern === 'dictionary';
}
