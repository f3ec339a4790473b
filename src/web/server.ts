// `nnlab ui`'s server: Fastify over an open store, with the request rules of security.ts applied to every
// request before any route runs (Host header, token, methods), the security headers on every response, and
// errors as pages or JSON that say what failed, never a stack trace.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NnlabError } from '../engine/errors.js';
import type { RunStore } from '../store/types.js';
import { assets } from './assets.js';
import { errorPage, notFoundPage } from './pages/errors.js';
import type { Site } from './pages/layout.js';
import { registerRoutes } from './routes.js';
import { allowedHosts, hostAllowed, isLoopback, SECURITY_HEADERS, TOKEN_COOKIE, tokenFromCookie, tokenMatches, writeRefusal } from './security.js';

export interface DashboardOptions {
  store: RunStore;
  /** Default 127.0.0.1. Any other than loopback needs a token (one is made when none is given). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Required of every request when set (always set for a non-loopback host). */
  token?: string | null;
}

export interface Dashboard {
  /** The address to open (with `?token=` when the dashboard has a token). */
  url: string;
  host: string;
  port: number;
  token: string | null;
  app: FastifyInstance;
  close(): Promise<void>;
}

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');

/** The token a request presents: `?token=`, the cookie, `Authorization: Bearer`, or `X-Nnlab-Token`. */
function presentedToken(req: FastifyRequest): { token: string | null; fromQuery: boolean } {
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof q === 'string') return { token: q, fromQuery: true };
  const header = req.headers['x-nnlab-token'];
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return { token: tokenFromCookie(req.headers.cookie) ?? bearer ?? (Array.isArray(header) ? header[0] : header) ?? null, fromQuery: false };
}

function refuse(req: FastifyRequest, reply: FastifyReply, code: number, message: string, site: Site): FastifyReply {
  if (isApi(req)) return reply.code(code).type('application/json; charset=utf-8').send({ error: message });
  return reply.code(code).type('text/html; charset=utf-8').send(errorPage(message, site));
}

/** Builds the app (not listening yet): hooks, routes and error handling. */
export function createApp(store: RunStore, rules: { allowed: ReadonlySet<string>; token: string | null }): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 } });
  const site = { store: store.url, token: rules.token };

  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    // DNS rebinding: a page of another site whose name now resolves here still sends its own name.
    if (!hostAllowed(req.headers.host, rules.allowed)) {
      return reply.code(421).type('text/plain; charset=utf-8').send(`This dashboard answers only as ${[...rules.allowed].join(', ')}; the request's Host header was ${JSON.stringify(req.headers.host ?? '')}.`);
    }
    if (rules.token !== null) {
      const { token, fromQuery } = presentedToken(req);
      if (!tokenMatches(token, rules.token)) return refuse(req, reply, 401, 'This dashboard needs its token: open the address `nnlab ui` printed (it ends with ?token=...).', { ...site, token: null });
      if (fromQuery && req.method === 'GET' && !isApi(req)) {
        // Keep the token in a cookie for the session's later requests, and take it out of the address bar.
        const url = new URL(req.url, 'http://x');
        url.searchParams.delete('token');
        return reply
          .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(rules.token)}; HttpOnly; SameSite=Strict; Path=/`)
          .redirect(url.pathname + url.search, 303);
      }
    }
    if (req.method === 'GET' || req.method === 'HEAD') return;
    if (req.method !== 'POST' || !req.url.startsWith('/api/actions/')) return refuse(req, reply, 405, `${req.method} is not allowed: the dashboard is read-only but for its actions (POST /api/actions/...).`, site);
    const why = writeRefusal(req.headers as Parameters<typeof writeRefusal>[0], rules.allowed, rules.token);
    if (why) return refuse(req, reply, 403, why, site);
  });

  app.setNotFoundHandler((req, reply) => {
    if (isApi(req)) return reply.code(404).send({ error: `no such address: ${req.method} ${req.url.split('?')[0]}` });
    return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage(`No page at ${req.url.split('?')[0]}.`, site));
  });

  app.setErrorHandler((error, req, reply) => {
    const e = error as Error & { statusCode?: number };
    // Fastify's own 4xx (a body that is not JSON, a malformed address) keep their code and message.
    const code = e instanceof NnlabError ? 503 : e.statusCode && e.statusCode < 500 ? e.statusCode : 500;
    return refuse(req, reply, code, e instanceof NnlabError || code < 500 ? e.message : `internal error: ${e.message}`, site);
  });

  registerRoutes(app, { store, site });
  return app;
}

/**
 * Serves the dashboard over `store` until closed. A port in use or a host that cannot be bound is an
 * NnlabError saying so.
 */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8080;
  const token = o.token ?? (isLoopback(host) ? null : randomBytes(18).toString('base64url'));
  assets(); // a missing file is an error now, not on the first page
  // The port is known only once bound (0: any free one), so the Host rule is filled in after listen.
  const allowed = new Set<string>();
  const app = createApp(o.store, { allowed, token });
  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE') throw new NnlabError(`cannot serve on ${where}: the port is in use (choose another with --port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new NnlabError(`cannot serve on ${where}: no such address on this machine (--host)`);
    if (code === 'EACCES') throw new NnlabError(`cannot serve on ${where}: permission denied (ports below 1024 need root; choose another with --port)`);
    throw new NnlabError(`cannot serve on ${where}: ${(e as Error).message}`);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  for (const h of allowedHosts(host, bound)) allowed.add(h);
  if (host === '0.0.0.0' || host === '::') {
    // Every address and the name of this machine: what another machine's browser sends as Host.
    const names = [os.hostname(), ...Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))];
    for (const n of names) for (const h of allowedHosts(n, bound)) allowed.add(h);
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${bound}/${token ? `?token=${token}` : ''}`;
  return { url, host, port: bound, token, app, close: () => app.close() };
}
