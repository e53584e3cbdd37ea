import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { importPKCS8, SignJWT } from 'jose';
import type { SecretRef } from '../model/connectors.js';
import { SourceError } from './errors.js';
import { networkReason, retryWait, type HttpTuning } from './retry.js';

/** A token is renewed this long before it expires, so no request goes out with one about to lapse. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** The credential a secret reference points at, read when a sync starts (never stored). */
export type Credential = { kind: 'secret'; secret: string } | { kind: 'certificate'; privateKeyPem: string; thumbprint: string };

/** Reads the secret a reference names. The message of a failure names the reference, never a value. */
export async function readCredential(connector: string, ref: SecretRef, env: NodeJS.ProcessEnv): Promise<Credential> {
  if (ref.kind === 'env') {
    const secret = env[ref.ref];
    if (!secret) throw new SourceError(`connector "${connector}": the environment variable ${ref.ref} holding the client secret is not set`);
    return { kind: 'secret', secret: secret.trim() };
  }
  let text: string;
  try {
    text = await readFile(ref.ref, 'utf8');
  } catch (error) {
    throw new SourceError(`connector "${connector}": cannot read ${ref.ref}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if (ref.kind === 'file') {
    if (!text.trim()) throw new SourceError(`connector "${connector}": the client secret file ${ref.ref} is empty`);
    return { kind: 'secret', secret: text.trim() };
  }
  const key = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/.exec(text)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  if (!key || !cert) throw new SourceError(`connector "${connector}": ${ref.ref} must hold a PEM private key and its certificate`);
  try {
    // jose reads PKCS#8; a PKCS#1 ("RSA PRIVATE KEY") key is converted first.
    const privateKeyPem = createPrivateKey(key).export({ type: 'pkcs8', format: 'pem' }).toString();
    // Entra ID finds the certificate by its SHA-1 thumbprint (x5t), base64url.
    const thumbprint = createHash('sha1').update(new X509Certificate(cert).raw).digest('base64url');
    return { kind: 'certificate', privateKeyPem, thumbprint };
  } catch {
    throw new SourceError(`connector "${connector}": ${ref.ref} holds no usable PEM private key and certificate`);
  }
}

export interface TokenRequest {
  connector: string;
  /** `{login}/{tenant}/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  /** `{graph}/.default` or `{arm}/.default`. */
  scope: string;
  credential: Credential;
  fetch: typeof fetch;
  tuning: HttpTuning;
  /** Called with each sign-in request made (method, path, status; never the secret or a token). */
  log?: (line: string) => void;
}

/** OAuth 2.0 client credentials, with the token cached until shortly before it expires. */
export class TokenSource {
  private cached: { token: string; expiresAt: number } | undefined;

  constructor(private readonly request: TokenRequest) {}

  /** A valid access token; `refresh` drops the cached one (after a 401). */
  async token(refresh = false): Promise<string> {
    if (refresh) this.cached = undefined;
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return this.cached.token;
    this.cached = await this.fetchToken();
    return this.cached.token;
  }

  private async fetchToken(): Promise<{ token: string; expiresAt: number }> {
    const { connector, tokenUrl, clientId, scope, credential, tuning } = this.request;
    const body = new URLSearchParams({ client_id: clientId, scope, grant_type: 'client_credentials' });
    if (credential.kind === 'secret') body.set('client_secret', credential.secret);
    else {
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', await clientAssertion(credential, clientId, tokenUrl));
    }
    const path = new URL(tokenUrl).pathname;
    const deadline = Date.now() + tuning.retryBudgetMs;
    let response: Response | undefined;
    let text = '';
    // Sign-in is retried like any request when the service is busy or unreachable, within the budget.
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        response = await this.request.fetch(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: body.toString(),
          signal: AbortSignal.timeout(tuning.timeoutMs),
        });
        text = await response.text();
        this.request.log?.(`POST ${path} ${response.status}`);
        if (![429, 500, 502, 503, 504].includes(response.status)) break;
        reason = `HTTP ${response.status}`;
      } catch (error) {
        response = undefined;
        reason = networkReason(error, tuning.timeoutMs);
        this.request.log?.(`POST ${path} (${reason})`);
      }
      const wait = retryWait(response, tuning.backoffMs, attempt);
      if (Date.now() + wait > deadline) throw new SourceError(`connector "${connector}": POST ${path}: ${reason} (gave up after ${attempt} attempt(s))`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const json = parseJson(text);
    if (!response.ok) {
      // Entra ID answers {error, error_description: "AADSTS7000215: Invalid client secret provided. ..."}: its first line says why.
      const code = typeof json?.error === 'string' ? json.error : `HTTP ${response.status}`;
      const description = typeof json?.error_description === 'string' ? json.error_description.split(/\r?\n/)[0]!.replace(/\s*Trace ID:.*$/, '') : '';
      throw new SourceError(redact(`connector "${connector}": POST ${path}: sign-in refused (${response.status} ${code})${description ? `: ${description}` : ''}`, credential));
    }
    const token = json?.access_token;
    const expiresIn = Number(json?.expires_in ?? 3600);
    if (typeof token !== 'string' || !token) throw new SourceError(`connector "${connector}": POST ${path}: the answer holds no access_token`);
    return { token, expiresAt: Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000 };
  }
}

async function clientAssertion(credential: Extract<Credential, { kind: 'certificate' }>, clientId: string, audience: string): Promise<string> {
  const key = await importPKCS8(credential.privateKeyPem, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: credential.thumbprint })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setNotBefore(now - 60)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Belt and braces: a message never carries the secret, whatever a server echoes back. */
export function redact(message: string, credential: Credential): string {
  return credential.kind === 'secret' && credential.secret.length >= 4 ? message.split(credential.secret).join('***') : message;
}
