/**
 * Accounts, sign-in, API tokens, incident access and the audit log: the use cases, and the same
 * bound to one store for a front end that holds one (the server's `auth`).
 */
import type { OpenedStore } from '../../store/index.js';
import { auditLogForReader, auditPageForReader, verifyAuditTrail } from './audit-log.js';
import { accessList, canSee, canSeeActionItem, canSeeFinding, hiddenIncidents, incidentAccess, restrictIncident, visibleIncidentId } from './incident-access.js';
import { createSession, endSession, userOfSession } from './sessions.js';
import { createToken, listTokens, revokeToken, tokenInfo, userOfToken } from './tokens.js';
import { addUser, countUsers, listUsers, updateUser, verifySignIn } from './users.js';

export * from './audit-log.js';
export * from './incident-access.js';
export * from './sessions.js';
export * from './tokens.js';
export * from './users.js';
export { generatePassword } from './passwords.js';

/** A use case with its store already given. */
type Bound<F> = F extends (store: OpenedStore, ...args: infer A) => infer R ? (...args: A) => R : never;

export interface Accounts {
  addUser: Bound<typeof addUser>;
  listUsers: Bound<typeof listUsers>;
  countUsers: Bound<typeof countUsers>;
  updateUser: Bound<typeof updateUser>;
  verifySignIn: Bound<typeof verifySignIn>;
  createSession: Bound<typeof createSession>;
  userOfSession: Bound<typeof userOfSession>;
  endSession: Bound<typeof endSession>;
  createToken: Bound<typeof createToken>;
  listTokens: Bound<typeof listTokens>;
  revokeToken: Bound<typeof revokeToken>;
  tokenInfo: Bound<typeof tokenInfo>;
  userOfToken: Bound<typeof userOfToken>;
  restrictIncident: Bound<typeof restrictIncident>;
  accessList: Bound<typeof accessList>;
  canSee: Bound<typeof canSee>;
  /** Whether the reader may see the incident, and its access list (see incidentAccess). */
  access: Bound<typeof incidentAccess>;
  hiddenIncidents: Bound<typeof hiddenIncidents>;
  visibleIncidentId: Bound<typeof visibleIncidentId>;
  canSeeFinding: Bound<typeof canSeeFinding>;
  canSeeActionItem: Bound<typeof canSeeActionItem>;
  auditLogForReader: Bound<typeof auditLogForReader>;
  auditPageForReader: Bound<typeof auditPageForReader>;
  verifyAuditTrail: Bound<typeof verifyAuditTrail>;
}

/** The account use cases over one store. */
export function accountsOf(store: OpenedStore): Accounts {
  return {
    addUser: (input, actor) => addUser(store, input, actor),
    listUsers: () => listUsers(store),
    countUsers: () => countUsers(store),
    updateUser: (username, change, actor) => updateUser(store, username, change, actor),
    verifySignIn: (username, password) => verifySignIn(store, username, password),
    createSession: (user) => createSession(store, user),
    userOfSession: (cookie) => userOfSession(store, cookie),
    endSession: (cookie) => endSession(store, cookie),
    createToken: (username, name, actor, options) => createToken(store, username, name, actor, options),
    listTokens: (username) => listTokens(store, username),
    revokeToken: (id, actor) => revokeToken(store, id, actor),
    tokenInfo: (id) => tokenInfo(store, id),
    userOfToken: (token) => userOfToken(store, token),
    restrictIncident: (incidentId, usernames, actor) => restrictIncident(store, incidentId, usernames, actor),
    accessList: (incidentId) => accessList(store, incidentId),
    canSee: (reader, incidentId) => canSee(store, reader, incidentId),
    access: (reader, incidentId) => incidentAccess(store, reader, incidentId),
    hiddenIncidents: (reader) => hiddenIncidents(store, reader),
    visibleIncidentId: (reader, ref) => visibleIncidentId(store, reader, ref),
    canSeeFinding: (reader, id) => canSeeFinding(store, reader, id),
    canSeeActionItem: (reader, id) => canSeeActionItem(store, reader, id),
    auditLogForReader: (reader, query) => auditLogForReader(store, reader, query),
    auditPageForReader: (reader, query) => auditPageForReader(store, reader, query),
    verifyAuditTrail: () => verifyAuditTrail(store),
  };
}
