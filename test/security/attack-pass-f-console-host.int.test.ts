/**
 * Attack pass F (black box): the console's Host check (DNS rebinding) read only the first of two
 * `Host` lines (Node keeps the first), so `Host: 127.0.0.1:PORT` + `Host: evil.test` was served.
 * RFC 9112: more than one Host line must be refused. Positive control: one right Host line.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { consoleSuite } from './helpers.js';

const { c } = consoleSuite('atkfhost');

/** Sends raw header lines; resolves with the status line. */
function rawStatus(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`));
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (buf += d));
    sock.on('end', () => resolve(buf.split('\r\n')[0] ?? ''));
    sock.on('error', reject);
  });
}

describe('the console refuses a request with two Host lines', () => {
  it('right Host first, foreign second (and the reverse): 421 for the API and static files; one right Host: 200', async () => {
    const P = c.port;
    const auth = `Authorization: Bearer ${c.token}`;
    for (const path of ['/api/agents', '/']) {
      // Threat: DNS rebinding past the Host check by a client that adds a second Host line.
      expect(await rawStatus(P, [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${P}`, 'Host: evil.test', auth]), path).toMatch(/^HTTP\/1\.1 421/);
      expect(await rawStatus(P, [`GET ${path} HTTP/1.1`, 'Host: evil.test', `Host: 127.0.0.1:${P}`, auth]), path).toMatch(/^HTTP\/1\.1 421/);
      expect(await rawStatus(P, [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${P}`, `host: 127.0.0.1:${P}`, auth]), path).toMatch(/^HTTP\/1\.1 421/);
      // positive control
      expect(await rawStatus(P, [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${P}`, auth]), path).toMatch(/^HTTP\/1\.1 200/);
    }
  });
});
