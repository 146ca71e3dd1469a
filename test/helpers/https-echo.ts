/**
 * A loopback HTTPS server that echoes each request's headers back (issue 13 item 3: the bound
 * host that reflects an injected secret). Shared by the egress and the black-box security tests.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { AgentCa } from '../../src/core/vault/ca.js';

const encoders: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  'deflate-raw': (b) => zlib.deflateRawSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  zstd: (b) => b, // not really zstd: the proxy must refuse it before looking
};

/** One request as the echo server saw it. */
export interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A running echo server. */
export interface EchoServer {
  port: number;
  seen: Seen[];
  /** The body bytes of each response, as sent. */
  sent: Buffer[];
  close(): Promise<void>;
}

/**
 * Starts the echo server with a leaf for `name` from `ca`. The body is `METHOD {headers as JSON}`;
 * `?enc=gzip|deflate|deflate-raw|br|zstd` compresses it, `&frame=chunked` streams it without
 * Content-Length (the end in 7-byte writes, so the value straddles chunks), `&pad=N` puts N bytes
 * before it, `&fmt=url|b64` percent- or base64-encodes the JSON, `&clean=1` echoes nothing (positive control). Authorization is also echoed in `X-Echo`.
 */
export async function echoServer(ca: AgentCa, name: string): Promise<EchoServer> {
  const leaf = ca.issue(name);
  const seen: Seen[] = [];
  const sent: Buffer[] = [];
  const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const q = new URL(req.url ?? '/', 'https://x').searchParams;
      const pad = Buffer.alloc(Number(q.get('pad') ?? 0), 'p');
      const json = JSON.stringify(req.headers);
      const fmt = q.get('fmt');
      const echo = q.get('clean') ? 'nothing to see' : `${req.method} ${fmt === 'url' ? encodeURIComponent(json) : fmt === 'b64' ? Buffer.from(json).toString('base64') : json}`;
      const plainBody = Buffer.concat([pad, Buffer.from(`${echo}\n`)]);
      const enc = q.get('enc');
      const body = enc ? encoders[enc]!(plainBody) : plainBody;
      sent.push(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (!q.get('clean')) headers['x-echo'] = String(req.headers.authorization ?? '');
      if (enc) headers['content-encoding'] = enc === 'deflate-raw' ? 'deflate' : enc;
      if (q.get('frame') === 'chunked') {
        res.writeHead(200, headers);
        const tail = Math.max(0, body.length - 4096);
        res.write(body.subarray(0, tail));
        for (let i = tail; i < body.length; i += 7) res.write(body.subarray(i, i + 7));
        res.end();
      } else {
        res.writeHead(200, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    sent,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
