import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body as UTF-8, or resolves null when it is larger than `max` bytes (threat: a
 * client exhausting memory with one huge body) or the request fails. The request is destroyed
 * as soon as it goes over the limit.
 */
export function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}
