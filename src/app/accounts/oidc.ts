/**
 * Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256), `state` and
 * `nonce`, the provider found by discovery from its issuer. openid-client checks the answer
 * (state, the `iss` of the response, the id_token's iss, aud, azp, exp, iat and nonce); the
 * id_token's signature is then checked against the provider's published keys (JWKS) with jose,
 * which fetches the key set again when a token names a key it has not seen (key rotation).
 *
 * What a sign-in in progress needs at its callback (state, nonce, code verifier, where to land) is
 * kept server-side under the sha256 of a random cookie given to the browser that started it, and
 * taken out at the callback: it works once, for that browser, within ten minutes.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import type { User } from '../../model/accounts.js';
import { insertSignInFlow, takeSignInFlow } from '../../store/accounts/sign-in.js';
import type { OpenedStore } from '../../store/index.js';
import { claimAt, provisionOidcUser, SignInRefused, type Claims } from './oidc-provision.js';
import { callbackUrlOf, type OidcSettings } from './oidc-settings.js';
import { randomSecret, sha256Hex } from './secrets.js';

/** How long a browser has between leaving for the provider and coming back. */
export const SIGN_IN_FLOW_TTL_MS = 10 * 60 * 1000;
/** Signatures accepted on an id_token: asymmetric only (never `none`, never a shared secret). */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface OidcRuntimeOptions {
  /** Least time between two fetches of the key set for an unknown key id (default 0: at once). */
  jwksCooldownMs?: number;
}

/**
 * Where to land after signing in: a path of the web application on this server, nothing else
 * (no other origin, no protocol-relative `//host`, no API route); anything else lands on `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return '/';
  // eslint-disable-next-line no-control-regex
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f\\]/.test(value)) return '/';
  const url = new URL(value, 'http://app.invalid');
  if (url.origin !== 'http://app.invalid' || url.pathname.startsWith('/api/') || url.pathname === '/api') return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

export class OidcSignIn {
  private discovered: Promise<{ config: oidc.Configuration; keys: JWTVerifyGetKey }> | undefined;

  constructor(
    private readonly store: OpenedStore,
    readonly settings: OidcSettings,
    private readonly runtime: OidcRuntimeOptions = {},
  ) {}

  /** The provider's metadata and key set, discovered once (again after a failure). */
  private provider(): Promise<{ config: oidc.Configuration; keys: JWTVerifyGetKey }> {
    this.discovered ??= (async () => {
      const { issuer, clientId, clientSecret } = this.settings;
      const insecure = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      const discovered = await oidc.discovery(issuer, clientId, undefined, oidc.None(), { execute: insecure, timeout: 10 });
      const metadata = discovered.serverMetadata();
      const config = new oidc.Configuration(metadata, clientId, { redirect_uris: [callbackUrlOf(this.settings).href], response_types: ['code'] }, clientAuthOf(metadata, clientSecret));
      config.timeout = 10;
      for (const apply of insecure) apply(config);
      const jwksUri = metadata.jwks_uri;
      if (!jwksUri) throw new Error(`the provider at ${issuer.href} publishes no jwks_uri: its id_tokens cannot be verified`);
      // The id_token comes from the provider's own token endpoint, never from the browser, so an
      // unknown key id cannot be used to make the server hammer the key set: fetch it again at once.
      const keys = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: this.runtime.jwksCooldownMs ?? 0, timeoutDuration: 10_000 });
      return { config, keys };
    })();
    this.discovered.catch(() => {
      this.discovered = undefined;
    });
    return this.discovered;
  }

  /** Starts a sign-in: the provider's authorization URL, and the cookie that binds the flow to this browser. */
  async begin(returnTo: unknown): Promise<{ authorizationUrl: URL; flowCookie: string }> {
    const { config } = await this.provider();
    const flowCookie = randomSecret(32);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const now = new Date();
    await insertSignInFlow(
      this.store.db,
      { id: sha256Hex(flowCookie), state, nonce, codeVerifier, returnTo: safeReturnTo(returnTo), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + SIGN_IN_FLOW_TTL_MS).toISOString() },
      now.toISOString(),
    );
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callbackUrlOf(this.settings).href,
      scope: this.settings.scopes,
      response_type: 'code',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl, flowCookie };
  }

  /**
   * Completes a sign-in from the provider's redirect (`query`: the callback's query string) and the
   * flow cookie: the account signed in and where to land. Throws SignInRefused for anything else.
   */
  async complete(flowCookie: string | undefined, query: string): Promise<{ user: User; returnTo: string; subject: string }> {
    if (!flowCookie) throw new SignInRefused('sign-in-failed', 'this sign-in was not started in this browser, or it expired: start again');
    const flow = await takeSignInFlow(this.store.db, sha256Hex(flowCookie), new Date().toISOString());
    if (!flow) throw new SignInRefused('sign-in-failed', 'this sign-in was already used or expired: start again');
    const { config, keys } = await this.provider().catch((error: unknown) => {
      throw new SignInRefused('sign-in-failed', `the identity provider could not be reached: ${describe(error)}`);
    });
    const callback = callbackUrlOf(this.settings);
    callback.search = query;
    let claims: Claims;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.codeVerifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      const idToken = tokens.id_token;
      if (!idToken) throw new Error('the provider answered without an id_token');
      const { issuer } = config.serverMetadata();
      const verified = await jwtVerify(idToken, keys, { issuer, audience: this.settings.clientId, algorithms: ID_TOKEN_ALGORITHMS });
      claims = { ...verified.payload };
      if (typeof claims['sub'] !== 'string' || !claims['sub']) throw new Error('the id_token has no subject');
      claims = await this.withUserInfo(config, tokens.access_token, claims);
    } catch (error) {
      throw new SignInRefused('sign-in-failed', `the identity provider's answer was refused: ${describe(error)}`);
    }
    const user = await provisionOidcUser(this.store, this.settings, config.serverMetadata().issuer, claims['sub'] as string, claims);
    return { user, returnTo: flow.returnTo, subject: claims['sub'] as string };
  }

  /** Claims the id_token lacks (some providers put groups or e-mail in userinfo only), from the userinfo endpoint. */
  private async withUserInfo(config: oidc.Configuration, accessToken: string | undefined, claims: Claims): Promise<Claims> {
    const wanted = [this.settings.roleClaim, ...this.settings.usernameClaims, 'name', 'email'];
    if (!accessToken || !config.serverMetadata().userinfo_endpoint || wanted.every((c) => claimAt(claims, c) !== undefined)) return claims;
    const info = await oidc.fetchUserInfo(config, accessToken, claims['sub'] as string);
    // The signed id_token's claims win over userinfo's.
    return { ...info, ...claims };
  }
}

/**
 * How the client authenticates at the token endpoint: none for a public client (PKCE alone);
 * with a secret, HTTP Basic unless the provider supports only the form post (Basic is the
 * default when the provider lists nothing).
 */
function clientAuthOf(metadata: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (!secret) return oidc.None();
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  return !methods.includes('client_secret_basic') && methods.includes('client_secret_post') ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = error.message.replace(/\s+/g, ' ').slice(0, 200);
    return typeof cause === 'object' && cause && 'error' in cause ? `${reason} (${String((cause as { error: unknown }).error)})` : reason;
  }
  return 'unknown error';
}
