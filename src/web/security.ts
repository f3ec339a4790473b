// The dashboard's request rules, as plain functions the server's hooks call: which Host headers it answers
// (DNS rebinding: a page on another site that resolves its name to 127.0.0.1 sends that name as Host), when a
// token is needed and how it is checked, the Content-Security-Policy, and what a write request must carry.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** Whether `host` (a name or an address, IPv6 with or without brackets) is this machine's loopback. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * The Host headers the server answers: the bound host with its port, and for a loopback or wildcard bind the
 * loopback names too. Anything else (another site's name pointed at this address) is refused.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>();
  const add = (h: string) => names.add(`${isIP(h) === 6 ? `[${h}]` : h.toLowerCase()}:${port}`);
  add(host.replace(/^\[|\]$/g, ''));
  if (isLoopback(host) || host === '0.0.0.0' || host === '::') for (const h of ['localhost', '127.0.0.1', '::1']) add(h);
  return names;
}

/** Whether a request's Host header is one of `allowed` (the port must be said: browsers always send it here). */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  return header !== undefined && allowed.has(header.toLowerCase());
}

/** Compares a presented token with the server's in constant time. */
export function tokenMatches(presented: string | undefined | null, token: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookie that carries the token after a first visit with `?token=`. */
export const TOKEN_COOKIE = 'nnlab_token';

/** The token in a Cookie header, if any. */
export function tokenFromCookie(cookie: string | undefined): string | null {
  for (const part of (cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/**
 * Scripts and styles only from the server itself, nothing inline, no eval (charts use Vega's expression
 * interpreter), no frames, no forms posting elsewhere, images only from itself and data: URIs (Vega's PNG
 * export).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every response carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Why a write request (POST) is refused, or null when it may go on: it must be JSON, carry the token (when the
 * server has one) in `x-nnlab-token`, and come from a page of this server (Origin = http://<an allowed host>).
 */
export function writeRefusal(
  headers: { origin?: string; 'content-type'?: string; 'x-nnlab-token'?: string | string[] },
  allowed: ReadonlySet<string>,
  token: string | null,
): string | null {
  if (!/^application\/json\b/i.test(headers['content-type'] ?? '')) return 'a write request must send JSON (Content-Type: application/json)';
  const origin = headers.origin;
  const originHost = origin?.startsWith('http://') ? origin.slice('http://'.length) : null;
  if (!originHost || !allowed.has(originHost.toLowerCase())) return 'a write request must come from a page of this dashboard (Origin header)';
  const presented = headers['x-nnlab-token'];
  if (token !== null && !tokenMatches(Array.isArray(presented) ? presented[0] : presented, token)) return 'a write request must carry the dashboard token (X-Nnlab-Token header)';
  return null;
}
