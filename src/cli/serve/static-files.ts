import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** A static file ready to send. */
export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * Resolves a URL path to a file under `root`, or null. Threat: directory traversal (`..`, encoded
 * slashes, NUL, symlinks out of the folder) reading files outside the built renderer.
 */
export function readStatic(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((s) => s === '..' || s === '.')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const rootReal = realpathSync(root);
  const file = resolve(join(rootReal, rel));
  if (!file.startsWith(rootReal + sep) || !existsSync(file)) return null;
  const real = realpathSync(file);
  if (!real.startsWith(rootReal + sep) || !statSync(real).isFile()) return null;
  return { body: readFileSync(real), type: TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream' };
}
