/**
 * OpenID providers for the single sign-on tests, on loopback: the real `oidc-provider` (with its
 * development login and consent pages), restartable with new signing keys for key rotation; a
 * small hand-made provider whose token endpoint answers what a test asks (a forged signature, a
 * wrong audience, an old nonce), for the refusals a real provider never produces; and a cookie
 * jar that follows redirects as a browser does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestAccount {
  name: string;
  email: string;
  preferred_username: string;
  groups: string[];
}

/** A free loopback port (to know the server's address before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export async function signingKey(kid: string): Promise<{ privateJwk: JWK; privateKey: PrivateKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** The real provider: accounts by login name (any password), their claims in the id_token. */
export class RealProvider {
  private server: Server | undefined;
  readonly issuer: string;

  constructor(
    readonly port: number,
    readonly accounts: Map<string, TestAccount>,
    private readonly client: { clientId: string; redirectUri: string; clientSecret?: string },
  ) {
    this.issuer = `http://127.0.0.1:${port}`;
  }

  /** Starts (or restarts) the provider signing with this key. */
  async start(key: JWK): Promise<void> {
    await this.stop();
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.client.clientId,
          ...(this.client.clientSecret ? { client_secret: this.client.clientSecret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
          redirect_uris: [this.client.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [key] },
      claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
      conformIdTokenClaims: false,
      cookies: { keys: ['a-cookie-signing-key-for-tests'] },
      findAccount: (_ctx: unknown, id: string) => {
        const account = this.accounts.get(id);
        return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
      },
    });
    // The development login page warns once per start; the tests know.
    provider.on('server_error', () => undefined);
    this.server = createServer(provider.callback());
    await new Promise<void>((done) => this.server?.listen(this.port, '127.0.0.1', done));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }
}

/** What the hand-made provider's token endpoint puts in (or signs) the id_token. */
export interface Tampering {
  /** Sign with a key the provider never published (same `kid`). */
  forgeSignature?: boolean;
  audience?: string;
  /** Use this nonce instead of the one the authorization request carried. */
  nonce?: string;
  claims?: Record<string, unknown>;
}

/** A minimal provider: the authorization endpoint signs in `subject` at once; the token endpoint answers as `tampering` says. */
export class StandInProvider {
  private server: Server | undefined;
  issuer = '';
  tampering: Tampering = {};
  /** The nonces the authorization requests carried, in order. */
  readonly nonces: string[] = [];
  private readonly codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();

  constructor(
    private readonly clientId: string,
    private readonly key: Awaited<ReturnType<typeof signingKey>>,
    private readonly foreignKey: Awaited<ReturnType<typeof signingKey>>,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error))));
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const json = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      json({ issuer: this.issuer, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], code_challenge_methods_supported: ['S256'] });
      return;
    }
    if (url.pathname === '/jwks') {
      json({ keys: [this.key.publicJwk] });
      return;
    }
    if (url.pathname === '/authorize') {
      const code = randomUUID();
      const nonce = url.searchParams.get('nonce') ?? '';
      this.nonces.push(nonce);
      if (url.searchParams.get('code_challenge_method') !== 'S256') {
        res.writeHead(400).end('PKCE S256 required');
        return;
      }
      this.codes.set(code, { nonce, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!grant || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      const t = this.tampering;
      const signer = t.forgeSignature ? this.foreignKey : this.key;
      const idToken = await new SignJWT({ nonce: t.nonce ?? grant.nonce, preferred_username: 'mallory', name: 'Mallory', groups: ['sec-admins'], ...t.claims })
        .setProtectedHeader({ alg: 'RS256', kid: this.key.publicJwk.kid })
        .setIssuer(this.issuer)
        .setSubject('mallory-subject')
        .setAudience(t.audience ?? this.clientId)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signer.privateKey);
      json({ access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken });
      return;
    }
    res.writeHead(404).end();
  }
}

/** A browser's cookie jar over fetch: cookies per origin (host and port), Path honoured, redirects followed. */
export class Browser {
  private readonly jar = new Map<string, Map<string, { value: string; path: string }>>();
  /** Every URL visited, in order. */
  readonly visited: string[] = [];

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name)?.value;
  }

  setCookie(origin: string, name: string, value: string, path = '/'): void {
    const cookies = this.jar.get(origin) ?? new Map<string, { value: string; path: string }>();
    cookies.set(name, { value, path });
    this.jar.set(origin, cookies);
  }

  private header(url: URL): string {
    const cookies = this.jar.get(url.origin) ?? new Map<string, { value: string; path: string }>();
    return [...cookies].filter(([, c]) => url.pathname.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  private store(url: URL, headers: Headers): void {
    const cookies = this.jar.get(url.origin) ?? new Map<string, { value: string; path: string }>();
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const attr = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const expired = attr('max-age') === '0' || (attr('expires') !== undefined && Date.parse(attr('expires') ?? '') < Date.now()) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, { value, path: attr('path') ?? '/' });
    }
    this.jar.set(url.origin, cookies);
  }

  /** One request, no redirect followed. */
  async request(href: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(href);
    this.visited.push(url.href);
    const headers: Record<string, string> = { cookie: this.header(url) };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form).toString() : undefined, redirect: 'manual' });
    this.store(url, res.headers);
    return res;
  }

  /** Follows redirects until a page (or until `stopAt` matches the next URL, which is returned unvisited). */
  async follow(href: string, init: { method?: string; form?: Record<string, string> } = {}, stopAt?: (url: URL) => boolean): Promise<{ url: string; res?: Response }> {
    let url = href;
    let res = await this.request(url, init);
    for (let hops = 0; hops < 20 && res.status >= 300 && res.status < 400; hops += 1) {
      const next = new URL(res.headers.get('location') ?? '', url);
      if (stopAt?.(next)) return { url: next.href };
      url = next.href;
      res = await this.request(url);
    }
    return { url, res };
  }
}

/** Signs in at the real provider's development pages as `login` and consents; returns the callback URL reached (unvisited). */
export async function throughRealProvider(browser: Browser, loginUrl: string, login: string, isCallback: (url: URL) => boolean): Promise<string> {
  let step = await browser.follow(loginUrl, {}, isCallback);
  for (let page = 0; page < 4 && step.res; page += 1) {
    const html = await step.res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no form at ${step.url}: ${html.slice(0, 300)}`);
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any-password' } : { prompt };
    step = await browser.follow(new URL(action.replace(/&amp;/g, '&'), step.url).href, { method: 'POST', form }, isCallback);
  }
  if (step.res) throw new Error(`never reached the callback (last ${step.url})`);
  return step.url;
}
