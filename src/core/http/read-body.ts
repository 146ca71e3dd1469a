import type { IncomingMessage } from 'node:http';

/**
 * After a body went over its limit, how many more bytes are read (and dropped) so that the
 * caller's 413 reaches the client; past that the request is destroyed.
 */
const DRAIN = 64 * 1024 * 1024;

/**
 * Reads a request body as UTF-8, or resolves null when it is larger than `max` bytes (threat: a
 * client exhausting memory with one huge body) or the request fails. Once over the limit nothing
 * more is kept: the rest is read and dropped up to {@link DRAIN} bytes, then the request is
 * destroyed.
 */
export function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        chunks.length = 0;
        // Threat: a client streaming an endless body to hold the connection; bounded drain.
        if (size > max + DRAIN) req.destroy();
        return;
      }
      chunks.push(c);
    });
    // Threat (attack pass F): destroying the socket as soon as the body went over the limit reset
    // the connection before the 413 was sent, so the client saw no error at all; the rest is read
    // and dropped instead, and null resolves once the client has sent it all.
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
    req.on('close', () => resolve(null));
  });
}
