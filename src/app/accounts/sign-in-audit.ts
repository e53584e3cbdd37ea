/**
 * Sign-ins in the audit trail. A successful sign-in is recorded with its user as the actor; a failed
 * one with the actor `anonymous` (whoever typed it has not proved who they are), the user name as
 * typed and the client address, never the password. So that a flood of wrong passwords cannot
 * flood the hash-chained trail, the route records a user name's first failure in each throttle
 * window and each lockout (with how many failures led to it), not every guess; the throttle bounds
 * how many windows there can be.
 */
import type { OpenedStore } from '../../store/index.js';
import { appendAudit, type AuditedOperation } from '../audit.js';
import type { ThrottleKey } from './sign-in-throttle.js';

/** The actor of entries about someone who has not signed in. */
export const ANONYMOUS_ACTOR = 'anonymous';

export type SignInEvent =
  | { outcome: 'success'; username: string; address: string; via: 'password' | 'oidc' }
  | { outcome: 'failure'; username: string; address: string; via: 'password' | 'oidc'; reason: string }
  | { outcome: 'throttled'; username: string; address: string; via: 'password'; lockedKey: ThrottleKey; failures: number; retryAfterSeconds: number };

const OPERATION: Record<SignInEvent['outcome'], AuditedOperation> = { success: 'auth.sign-in', failure: 'auth.sign-in-failed', throttled: 'auth.sign-in-throttled' };

/** Appends one sign-in entry in its own transaction. */
export async function recordSignIn(store: OpenedStore, event: SignInEvent): Promise<void> {
  // The name as typed can be anything up to the route's limit: kept, but never longer than a user
  // name can be, and with control characters (which PostgreSQL text cannot hold: NUL) replaced.
  // eslint-disable-next-line no-control-regex
  const typed = event.username.slice(0, 64).replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  const { outcome, ...details } = event;
  await store.transaction(async (tx) => {
    await appendAudit(tx, { actor: outcome === 'success' ? typed : ANONYMOUS_ACTOR, operation: OPERATION[outcome] }, { entityId: typed, after: { ...details, username: typed } });
  });
}
