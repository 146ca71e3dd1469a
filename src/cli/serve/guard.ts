import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh console token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison (hashing first makes the lengths equal). Threat: timing side channel on the token. */
export function tokenEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The WebSocket subprotocol that carries the token (browsers cannot set Authorization on a WebSocket). */
export const WS_PROTOCOL = 'paddock.v1';
export const WS_TOKEN_PREFIX = 'paddock.token.';

/** Why a request is refused, as an HTTP status and a sentence. */
export interface Refusal {
  status: number;
  message: string;
}

/** The console's request checks: Host, Origin and the bearer token. */
export class ConsoleGuard {
  constructor(
    readonly token: string,
    readonly port: number,
  ) {}

  /** The only Host values we answer to. Threat: DNS rebinding (evil.test resolving to 127.0.0.1). */
  hostOk(req: IncomingMessage): boolean {
    // Threat (attack pass F): Node keeps the first of two Host lines, so `Host: 127.0.0.1:PORT` then
    // `Host: evil.test` was served; exactly one (RFC 9112 says a server must refuse more).
    let lines = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') lines++;
    if (lines !== 1) return false;
    const host = req.headers.host;
    return host === `127.0.0.1:${this.port}` || host === `localhost:${this.port}`;
  }

  /** Origin, when sent, must be ours. Threat: CSRF / cross-site WebSocket hijacking from any web page. */
  originOk(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
  }

  /** `Authorization: Bearer TOKEN` (the scheme in any case, as RFC 9110 has it; the token exact). */
  bearerOk(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (typeof h !== 'string') return false;
    const m = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9_-]{1,128})$/.exec(h);
    return m !== null && tokenEquals(m[1]!, this.token);
  }

  /** The token from the `Sec-WebSocket-Protocol` list (`paddock.token.TOKEN`), or a bearer header. */
  wsTokenOk(req: IncomingMessage): boolean {
    if (this.bearerOk(req)) return true;
    const list = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const t = list.find((p) => p.startsWith(WS_TOKEN_PREFIX));
    return t !== undefined && tokenEquals(t.slice(WS_TOKEN_PREFIX.length), this.token);
  }

  /** Host and Origin checks for every request (static files included). */
  checkSite(req: IncomingMessage): Refusal | null {
    if (!this.hostOk(req)) return { status: 421, message: 'wrong Host: open the console at the 127.0.0.1 URL that paddock serve printed' };
    if (!this.originOk(req)) return { status: 403, message: 'requests from other sites are refused' };
    return null;
  }
}
