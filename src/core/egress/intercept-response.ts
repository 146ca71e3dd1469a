/**
 * Relays an upstream response (on an intercepted connection, or a plain-HTTP one of an agent with
 * header secrets) to the agent with every header-secret value replaced by its placeholder
 * (scrub.ts), in the status line, the headers and the body.
 * Threat: a bound host echoing the request (TRACE, a debug endpoint, an error page) hands the
 * real value to the agent. A hit raises `secret-exfil` (auto-pause by default).
 *
 * Bodies: an identity body of known length up to BUFFER_MAX is scanned whole (its
 * Content-Length fixed when a value was replaced); any other identity body streams through the
 * scrubber without Content-Length. A gzip / deflate / br body is decoded: up to DECODE_MAX
 * decoded bytes are scanned whole and, when clean, the original compressed bytes go on untouched;
 * past that cap (or for an event stream, or when a value was found, or when the body is still
 * unfinished after HOLD_MS, or the agent's HOLD_BUDGET is spent) the agent gets the decoded,
 * scrubbed body as identity (Content-Encoding and Content-Length dropped): every byte the agent
 * receives has been scanned, whatever its size. A body in any other coding (zstd, compress, …)
 * cannot be scanned and is refused with 502; the request's Accept-Encoding only offers the
 * codings decoded here so a well-behaved server never sends one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, Writable, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { forwardHeaders, plainReply } from './http-wire.js';
import { Scrubber, scrubAll, scrubText, type Needle } from './scrub.js';
import { formatTarget, type Target } from './target.js';
import type { ProxyAgent } from './types.js';

/** Identity bodies of a known length up to this are scanned whole (Content-Length kept exact). */
export const BUFFER_MAX = 1024 * 1024;
/** Compressed bodies are decoded and held up to this many decoded bytes before they stream as identity. */
export const DECODE_MAX = 4 * 1024 * 1024;

/** Bytes one agent's responses may hold at once (threat: many connections each holding a capped body exhausting the engine's memory). */
export const HOLD_BUDGET = 64 * 1024 * 1024;
/** A held body that has not ended this long after its headers streams instead (a compressed stream is not delayed longer). */
const HOLD_MS = 500;

const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);
const heldByAgent = new WeakMap<ProxyAgent, number>();

/**
 * The request's Accept-Encoding with only the codings the scrubber can decode (threat: a body
 * in a coding the proxy cannot read carrying the value past it). `*` is dropped too.
 */
export function scannableAcceptEncoding(value: string): string {
  const kept = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => DECODABLE.has(t.split(';')[0]!.trim().toLowerCase()) || t.split(';')[0]!.trim().toLowerCase() === 'identity');
  return kept.length > 0 ? kept.join(', ') : 'identity';
}

/** A decoder for one content coding; `deflate` accepts both zlib-wrapped and raw streams (as browsers do). */
function decoder(coding: string): Transform {
  if (coding === 'br') return zlib.createBrotliDecompress();
  if (coding !== 'deflate') return zlib.createGunzip();
  let inner: zlib.Inflate | zlib.InflateRaw | null = null;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!inner) {
        // A zlib header: CM 8 and a header checksum divisible by 31; anything else is raw deflate.
        const zlibbed = chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
        const z = (inner = zlibbed ? zlib.createInflate() : zlib.createInflateRaw());
        // Backpressure: a slow reader pauses the inflater (threat: a deflate bomb filling memory).
        z.on('data', (d: Buffer) => {
          if (!t.push(d)) z.pause();
        });
        inner.on('error', (e) => t.destroy(e));
      }
      if (inner.write(chunk)) cb();
      else inner.once('drain', () => cb());
    },
    flush(cb) {
      if (!inner) return cb();
      inner.once('end', () => cb());
      inner.end();
    },
  });
  const read = t._read.bind(t);
  t._read = (n: number): void => {
    inner?.resume();
    read(n);
  };
  return t;
}

/** What relayResponse needs to know about the exchange. */
export interface ResponseContext {
  p: ProxyAgent;
  target: Target;
  via: string;
  method: string;
  needles: readonly Needle[];
}

function withoutHeaders(headers: [string, string][], names: readonly string[]): [string, string][] {
  return headers.filter(([k]) => !names.includes(k.toLowerCase()));
}

/** Streams `upRes` to `res`, scrubbed. */
export function relayResponse(ctx: ResponseContext, upRes: IncomingMessage, res: ServerResponse): void {
  const { needles } = ctx;
  const found = new Set<string>();
  let alerted = false;
  const report = (): void => {
    if (alerted || found.size === 0) return;
    alerted = true;
    const names = [...found];
    ctx.p.alert(
      'secret-exfil',
      `the real value of secret ${names.join(', ')} came back in a response from ${formatTarget(ctx.target)} (${ctx.via}); it was replaced by the placeholder before reaching the agent`,
      { secrets: names, host: ctx.target.host, port: ctx.target.port, via: ctx.via, reflected: true },
    );
  };
  const status = upRes.statusCode ?? 502;
  const reason = scrubText(upRes.statusMessage ?? '', needles, found);
  const headers: [string, string][] = forwardHeaders(upRes.rawHeaders).map(([k, v]) => [scrubText(k, needles, found), scrubText(v, needles, found)]);
  report();
  const fail = (message: string): void => {
    upRes.destroy();
    if (res.headersSent) return void res.destroy();
    plainReply(res, 502, message);
  };
  upRes.on('error', () => res.destroy());
  res.once('close', () => {
    if (!upRes.complete) upRes.destroy();
  });

  if (needles.length === 0) {
    res.writeHead(status, upRes.statusMessage, headers.flat());
    upRes.pipe(res);
    return;
  }
  if (ctx.method === 'HEAD' || status === 204 || status === 304 || status < 200) {
    res.writeHead(status, reason, headers.flat());
    upRes.resume();
    upRes.once('end', () => res.end());
    return;
  }
  const codings = upRes.rawHeaders
    .flatMap((h, i) => (i % 2 === 0 && h.toLowerCase() === 'content-encoding' ? upRes.rawHeaders[i + 1]!.split(',') : []))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const unknown = codings.find((c) => !DECODABLE.has(c));
  if (unknown !== undefined)
    return fail(`paddock: the response from ${formatTarget(ctx.target)} is in the "${unknown.slice(0, 40)}" content coding, which Paddock cannot check for leaked secrets; ask without Accept-Encoding or with gzip, deflate or br`);

  const length = Number(upRes.headers['content-length']);
  const compressed = codings.length > 0;
  const eventStream = /^\s*text\/event-stream/i.test(String(upRes.headers['content-type'] ?? ''));
  // Held whole: small identity bodies of known length, and compressed ones up to the cap (byte-exact when clean).
  let holding = compressed ? !eventStream : Number.isFinite(length) && length <= BUFFER_MAX;
  const raw: Buffer[] = [];
  const held: Buffer[] = [];
  let heldBytes = 0;
  let rawBytes = 0;
  let charged = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Takes `n` bytes of the agent's hold budget; false when it is spent. */
  const charge = (n: number): boolean => {
    const used = heldByAgent.get(ctx.p) ?? 0;
    if (used + n > HOLD_BUDGET) return false;
    heldByAgent.set(ctx.p, used + n);
    charged += n;
    return true;
  };
  const unhold = (): void => {
    clearTimeout(timer);
    heldByAgent.set(ctx.p, Math.max(0, (heldByAgent.get(ctx.p) ?? 0) - charged));
    charged = 0;
  };
  const scrubber = new Scrubber(needles, found);
  const streamHeaders = (): void => {
    res.writeHead(status, reason, withoutHeaders(headers, ['content-length', 'content-encoding']).flat());
  };
  const send = (chunk: Buffer, cb: () => void): void => {
    report();
    if (chunk.length === 0 || res.write(chunk)) return cb();
    res.once('drain', cb);
  };
  /** Over a cap: what was held goes out scrubbed, and everything after it streams as scrubbed identity. */
  const release = (cb: () => void): void => {
    if (!holding || res.headersSent) return cb();
    unhold();
    holding = false;
    raw.length = 0;
    streamHeaders();
    const all = Buffer.concat(held);
    held.length = 0;
    send(scrubber.push(all), cb);
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (res.destroyed) return cb();
      if (!holding) return send(scrubber.push(chunk), cb);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= (compressed ? DECODE_MAX : BUFFER_MAX) && charge(chunk.length)) return cb();
      release(cb);
    },
    final(cb) {
      if (res.destroyed) return cb();
      if (!holding) {
        send(scrubber.end(), () => res.end());
        return cb();
      }
      unhold();
      const body = Buffer.concat(held);
      const inBody = new Set<string>();
      const out = scrubAll(body, needles, inBody);
      for (const name of inBody) found.add(name);
      report();
      if (compressed && inBody.size === 0) {
        // Clean: the original bytes, byte for byte (integrity checks and Content-Length hold).
        res.writeHead(status, reason, headers.flat());
        res.end(Buffer.concat(raw));
      } else {
        res.writeHead(status, reason, [...withoutHeaders(headers, ['content-length', 'content-encoding']), ['Content-Length', String(out.length)]].flat());
        res.end(out);
      }
      cb();
    },
  });
  // Safe either way: a body still unfinished after HOLD_MS streams scrubbed (never unscanned).
  if (holding) {
    timer = setTimeout(() => {
      if (holding && !res.destroyed) release(() => undefined);
    }, HOLD_MS);
    timer.unref();
  }
  res.once('close', unhold);
  if (!holding) streamHeaders();
  let source: Readable = upRes;
  if (compressed) {
    upRes.on('data', (c: Buffer) => {
      if (!holding) return;
      raw.push(c);
      rawBytes += c.length;
      // Threat: compressed bytes that decode to little (a huge gzip header field) filling the engine's memory.
      if ((rawBytes > DECODE_MAX || !charge(c.length)) && !res.destroyed) release(() => undefined);
    });
    // Content codings apply in the order listed: decode in reverse.
    for (const c of [...codings].reverse()) {
      const d = decoder(c);
      d.on('error', () => fail(`paddock: the response from ${formatTarget(ctx.target)} says it is ${codings.join(', ')}-encoded but could not be decoded, so it could not be checked for leaked secrets`));
      source = source.pipe(d);
    }
  }
  source.pipe(sink);
}
