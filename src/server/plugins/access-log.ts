import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { sharedPlugin } from './shared-plugin.js';

/** Query parameters whose values never reach the log (sign-in codes, tokens, passwords). */
const SECRET_PARAMS = /^(code|state|nonce|token|access_token|id_token|refresh_token|password|secret|client_secret|session|session_state|key|signature|sig)$/i;

/** A client's own request id is kept when it is plain (letters, digits, dots, dashes, underscores). */
const PLAIN_REQUEST_ID = /^[\w.-]{1,128}$/;

/** The path and query of a request with the values of secret-looking parameters replaced. */
export function redactedUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAMS.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * Fastify's logger (pino) set up as an access log: JSON lines on stdout or appended to a file, one
 * per request with its id, the user, the route, the status and the time it took. Headers are never
 * logged (so neither cookies nor Authorization), and secret query values are redacted.
 */
export function accessLogOptions(destination: string): Pick<FastifyServerOptions, 'logger' | 'disableRequestLogging' | 'genReqId' | 'requestIdHeader'> {
  const stream = destination === '-' ? process.stdout : createWriteStream(destination, { flags: 'a', mode: 0o640 });
  return {
    logger: {
      level: 'info',
      stream,
      base: { service: 'hindsight' },
      redact: { paths: ['req.headers', 'res.headers', 'headers', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: redactedUrl(req.url ?? '') }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    // One line per request, written when it ends (below), instead of Fastify's two.
    disableRequestLogging: true,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && PLAIN_REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
}

/** The access log's line for each request, and the request id echoed to the client. */
export const accessLog = sharedPlugin('access-log', async (app) => {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    request.log.info(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: redactedUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        user: request.user?.username ?? null,
        via: request.authVia ?? null,
        ip: request.ip,
      },
      'request',
    );
  });
});
