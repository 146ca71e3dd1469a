/**
 * The agent's CONNECT without node:http (issue 17 goal 3: per connection, the HTTP server's
 * parser, request object and head deadline were most of the proxy's garbage and turns). Only a
 * strict subset is read here: a whole head in the connection's first chunk, `CONNECT target
 * HTTP/1.x`, plain `Name: value` lines, no framing headers. Anything else — a head in pieces,
 * an odd byte, a Content-Length or Transfer-Encoding, obs-fold, a long head — returns null and
 * goes to the HTTP server as before, which refuses what it always refused (the slowloris
 * deadline, the 32 KiB limit, malformed lines).
 */

/** A CONNECT head read from a first chunk: its target and the bytes that came after it. */
export interface ConnectHead {
  url: string;
  rest: Buffer;
}

/** Longest head read here (the HTTP server's own limit, 32 KiB, applies to anything longer). */
export const FAST_HEAD_MAX = 8 * 1024;
/** Most header lines read here. */
const FAST_HEADERS_MAX = 64;

const CR = 0x0d;
const LF = 0x0a;
const REQUEST_LINE = /^CONNECT ([A-Za-z0-9._~:[\]%-]{1,1024}) HTTP\/1\.[01]$/;
// RFC 9110 token for the name; the value: visible ASCII, space and tab only (no obs-text, no CTLs).
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[\t\x20-\x7e]*$/;
// Threat: request smuggling — a framing header makes the head mean something else to another parser.
const FRAMING = /^(content-length|transfer-encoding)$/i;

/** The CONNECT head at the start of `chunk`, or null when the HTTP server must read it. */
export function fastConnectHead(chunk: Buffer): ConnectHead | null {
  // 'C' first: everything else (other methods, SOCKS, garbage) is the HTTP server's.
  if (chunk.length < 24 || chunk[0] !== 0x43) return null;
  const end = chunk.indexOf('\r\n\r\n', 0, 'latin1');
  if (end < 0 || end + 4 > FAST_HEAD_MAX) return null;
  // Threat: a bare LF, NUL or 8-bit byte that some parser reads as a line break or drops.
  for (let i = 0; i < end; i++) {
    const b = chunk[i]!;
    if (b === CR) {
      if (chunk[i + 1] !== LF) return null;
      i++;
    } else if ((b < 0x20 && b !== 0x09) || b > 0x7e) return null;
  }
  const lines = chunk.toString('latin1', 0, end).split('\r\n');
  if (lines.length - 1 > FAST_HEADERS_MAX) return null;
  const m = REQUEST_LINE.exec(lines[0]!);
  if (!m) return null;
  for (let i = 1; i < lines.length; i++) {
    const h = HEADER_LINE.exec(lines[i]!);
    if (!h || FRAMING.test(h[1]!)) return null;
  }
  return { url: m[1]!, rest: chunk.subarray(end + 4) };
}
