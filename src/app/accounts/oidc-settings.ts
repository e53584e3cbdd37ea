/**
 * The single sign-on configuration of the team server (`hindsight serve --oidc-*` or the
 * HINDSIGHT_OIDC_* variables), checked once at start: a wrong setting stops the server with one
 * line naming it, rather than failing sign-ins later.
 */
import { isIP } from 'node:net';
import { UsageError } from '../../model/errors.js';
import { isRole, ROLES, roleAllows, type Role } from '../../model/roles.js';

export interface OidcSettings {
  /** The issuer as the provider names itself (discovery: `<issuer>/.well-known/openid-configuration`). */
  issuer: URL;
  clientId: string;
  /** Absent: a public client (PKCE alone). */
  clientSecret?: string;
  /** Where the team reaches the server: the callback is `<publicUrl>/api/auth/oidc/callback`. */
  publicUrl: URL;
  /** The claim that carries the groups or roles to map (default `groups`). */
  roleClaim: string;
  /** Claim value -> Hindsight role; the highest mapped role wins. */
  roleMap: ReadonlyMap<string, Role>;
  /** Claims tried in order for the user name (default `preferred_username`, then `email`). */
  usernameClaims: readonly string[];
  /** The scopes asked for (default `openid profile email`). */
  scopes: string;
  /** The button's label: "Sign in with <providerName>". */
  providerName: string;
  /** Password sign-in is turned off (the command line on the server stays the way in). */
  only: boolean;
}

/** The flags of `hindsight serve`, each of which falls back to its HINDSIGHT_* variable. */
export interface OidcFlags {
  oidcIssuer?: string;
  oidcClientId?: string;
  publicUrl?: string;
  oidcRoleClaim?: string;
  oidcRoleMap?: string;
  oidcOnly?: boolean;
  oidcUsernameClaim?: string;
  oidcProviderName?: string;
}

/** True for `localhost`, 127.0.0.0/8 and ::1: the only hosts a plain-http issuer may be on. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function urlOf(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${what} must be an https:// URL, not ${url.protocol}`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw new UsageError(`${what} must use https:// (plain http is allowed on loopback only, for development): ${text}`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`${what} must not carry a query, fragment or credentials: ${text}`);
  return url;
}

/** `sec-analysts=analyst,sec-leads=reviewer`: a claim value may contain anything but `,`; the role is one of Hindsight's. */
export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.lastIndexOf('=');
    const value = at > 0 ? part.slice(0, at).trim() : '';
    const role = at > 0 ? part.slice(at + 1).trim() : '';
    if (!value || !role) throw new UsageError(`--oidc-role-map: "${part}" is not CLAIM-VALUE=ROLE`);
    if (!isRole(role)) throw new UsageError(`--oidc-role-map: "${role}" in "${part}" is not a role (${ROLES.join(', ')})`);
    if (map.has(value) && map.get(value) !== role) throw new UsageError(`--oidc-role-map: "${value}" is mapped twice`);
    map.set(value, role);
  }
  if (map.size === 0) throw new UsageError('--oidc-role-map maps no claim value to a role: give e.g. sec-analysts=analyst,sec-admins=admin');
  return map;
}

/** The highest role the claim's values map to; undefined when none maps (the person gets no access). */
export function mappedRole(claim: unknown, roleMap: ReadonlyMap<string, Role>): Role | undefined {
  const values = Array.isArray(claim) ? claim : claim === undefined || claim === null ? [] : [claim];
  let best: Role | undefined;
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const role = roleMap.get(String(value));
    if (role && (!best || roleAllows(role, best))) best = role;
  }
  return best;
}

function flagOrEnv(flag: string | undefined, env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = flag ?? env[name];
  return value?.trim() || undefined;
}

function truthy(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new UsageError(`${name} must be true or false, not "${value}"`);
}

/** The settings from the flags and environment; undefined when no issuer is configured (SSO off). */
export function oidcSettingsFrom(flags: OidcFlags, env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuerText = flagOrEnv(flags.oidcIssuer, env, 'HINDSIGHT_OIDC_ISSUER');
  const only = flags.oidcOnly === true || truthy(env.HINDSIGHT_OIDC_ONLY?.trim(), 'HINDSIGHT_OIDC_ONLY');
  if (!issuerText) {
    if (only) throw new UsageError('--oidc-only needs --oidc-issuer (HINDSIGHT_OIDC_ISSUER): with no single sign-on nobody could sign in');
    return undefined;
  }
  const issuer = urlOf(issuerText, '--oidc-issuer');
  const clientId = flagOrEnv(flags.oidcClientId, env, 'HINDSIGHT_OIDC_CLIENT_ID');
  if (!clientId) throw new UsageError('--oidc-issuer needs --oidc-client-id (HINDSIGHT_OIDC_CLIENT_ID)');
  const publicUrlText = flagOrEnv(flags.publicUrl, env, 'HINDSIGHT_PUBLIC_URL');
  if (!publicUrlText) throw new UsageError('--oidc-issuer needs --public-url (HINDSIGHT_PUBLIC_URL): the address the team reaches the server at, for the callback');
  const publicUrl = urlOf(publicUrlText, '--public-url');
  const roleMapText = flagOrEnv(flags.oidcRoleMap, env, 'HINDSIGHT_OIDC_ROLE_MAP');
  if (!roleMapText) throw new UsageError('--oidc-issuer needs --oidc-role-map (HINDSIGHT_OIDC_ROLE_MAP), e.g. sec-analysts=analyst,sec-leads=reviewer,sec-admins=admin: without it nobody would get a role');
  const usernameClaim = flagOrEnv(flags.oidcUsernameClaim, env, 'HINDSIGHT_OIDC_USERNAME_CLAIM');
  return {
    issuer,
    clientId,
    clientSecret: env.HINDSIGHT_OIDC_CLIENT_SECRET?.trim() || undefined,
    publicUrl,
    roleClaim: flagOrEnv(flags.oidcRoleClaim, env, 'HINDSIGHT_OIDC_ROLE_CLAIM') ?? 'groups',
    roleMap: parseRoleMap(roleMapText),
    usernameClaims: usernameClaim ? [usernameClaim] : ['preferred_username', 'email'],
    scopes: env.HINDSIGHT_OIDC_SCOPES?.trim() || 'openid profile email',
    providerName: flagOrEnv(flags.oidcProviderName, env, 'HINDSIGHT_OIDC_PROVIDER_NAME') ?? issuer.hostname,
    only,
  };
}

/** The redirect URI registered at the provider. */
export function callbackUrlOf(settings: Pick<OidcSettings, 'publicUrl'>): URL {
  return new URL('api/auth/oidc/callback', settings.publicUrl.href.endsWith('/') ? settings.publicUrl : new URL(`${settings.publicUrl.href}/`));
}
