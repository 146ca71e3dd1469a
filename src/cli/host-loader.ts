// Loads the host bundle (dist/bundle/host.cjs: the full command line, one CommonJS file) for
// bin/paddock, through a V8 code cache: V8 then deserialises the functions a command used last
// time instead of parsing and compiling ~870 kB of JavaScript (a first host's start is mostly
// loading code: zod, yaml, the engine). Built on its own, dist/bundle/loader.cjs: Node built-ins only.
//
// The cache is one file per command, `dist/bundle/cache/host-COMMAND.v8` (beside the bundle; or
// $PADDOCK_CODE_CACHE_DIR), written at exit (after
// the command ran, so the functions it compiled lazily are in it), 0600 in a 0700 folder, tmp +
// rename. Its header names what it was made from (the bundle's SHA-256, Node's version and arch,
// the command) and the SHA-256 of the payload: V8 checks neither a payload's integrity (a damaged
// one crashes the process) nor the source's content (only its length). Anything wrong — missing,
// stale, damaged, rejected by V8, a folder it cannot write — means no cache this time and a
// rewrite at exit when possible; never an error. PADDOCK_CODE_CACHE=0 turns it off. A cache holds
// compiled code and the bundle's own constants, no data of the run (V8 serialises functions only).
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { scanGlobals } from './globals.js';

/** A cache file: this magic, the SHA-256 of its key (cacheKey), the SHA-256 of the payload, the payload (V8's cached data). */
export const CACHE_MAGIC = Buffer.from('PDKCODE1');
const MAGIC = CACHE_MAGIC;
const HEADER = MAGIC.length + 32 + 32;

/** Where a command's code cache lives and whether it may be written. */
export interface CacheSpec {
  /** `<bundle's folder>/cache`, or $PADDOCK_CODE_CACHE_DIR. */
  dir: string;
  /** The command's name, or `help` (one file per command: each keeps the functions it needs). */
  command: string;
}

/** The code cache of the bundle `bundle` for this argv, or null (caching off, or no command to name it after). */
export function cacheFor(argv: readonly string[], env: NodeJS.ProcessEnv, bundle: string): CacheSpec | null {
  if (env.PADDOCK_CODE_CACHE === '0') return null;
  try {
    const globals = scanGlobals(argv);
    if (globals.action === 'version') return null;
    // `paddock`, `paddock --help` and `paddock help X` share one: they print the command list.
    const name = globals.action === 'help' || !argv[globals.next] ? 'help' : argv[globals.next]!;
    if (!/^[a-z]{1,16}$/.test(name)) return null;
    // Threat: the cache is code this process runs unsandboxed, so it lives where the code it
    // stands for lives: beside the bundle. Whoever can write it could already rewrite host.cjs.
    // Not in a data dir: a sandbox hides only its own data dir, so an agent with a grant holding
    // another data dir (e.g. the default one) could plant a cache there that the user's next
    // command runs (attack-pass-code-cache). Read only if this user owns it and nobody else can
    // write it or its folder (ownedPrivate).
    return { dir: env.PADDOCK_CODE_CACHE_DIR || join(dirname(bundle), 'cache'), command: name };
  } catch {
    return null; // the full command line reports the usage error
  }
}

/** A file or folder of ours that neither the group nor others can write. */
function ownedPrivate(st: Stats): boolean {
  return st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
}

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** What a cache is valid for: the bundle's bytes, Node's version and arch, the command. */
export function cacheKey(bundle: Buffer, command: string): Buffer {
  return sha256(bundle, '\0', process.version, '\0', process.arch, '\0', command);
}

/** The cached data in `file` when it was made for `key` and is intact; else undefined. */
function readCache(file: string, key: Buffer): Buffer | undefined {
  let fd: number | undefined;
  try {
    // Threat: a cache planted by another user, or through a folder or link another user controls,
    // would run as this user's code: only a file of ours, in a folder of ours, never via a link.
    const dir = lstatSync(dirname(file));
    if (!dir.isDirectory() || !ownedPrivate(dir)) return undefined;
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedPrivate(st) || st.size <= HEADER) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC) || !buf.subarray(MAGIC.length, MAGIC.length + 32).equals(key)) return undefined;
    const payload = buf.subarray(HEADER);
    // V8 does not verify a code cache's checksum in release builds: a damaged one would crash it.
    return sha256(payload).equals(buf.subarray(MAGIC.length + 32, HEADER)) ? payload : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache atomically (tmp + rename) into its folder (made 0700 if missing); any failure leaves no cache. */
function writeCache(spec: CacheSpec, file: string, key: Buffer, data: Buffer): void {
  let tmp: string | undefined;
  try {
    try {
      mkdirSync(spec.dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    const dir = lstatSync(spec.dir);
    if (!dir.isDirectory() || !ownedPrivate(dir)) return;
    tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      for (const part of [MAGIC, key, sha256(data), data]) {
        let off = 0;
        while (off < part.length) off += writeSync(fd, part, off, part.length - off);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    tmp = undefined;
  } catch {
    // no cache this time
  } finally {
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

const loaded = new Map<string, unknown>();

/**
 * Runs the CommonJS bundle `file` (once per process) and returns its exports, with the code cache
 * `spec` when there is one. Behaves as require(file) otherwise.
 */
export function loadBundle(file: string, spec: CacheSpec | null): unknown {
  if (loaded.has(file)) return loaded.get(file);
  const source = readFileSync(file);
  const text = source.toString('utf8');
  const cacheFile = spec && join(spec.dir, `host-${spec.command}.v8`);
  const key = cacheKey(source, spec?.command ?? '');
  const cachedData = cacheFile ? readCache(cacheFile, key) : undefined;
  // The same wrapper as Node's own for CommonJS (a first line of code shares line 1 with it).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${text}\n})`, { filename: file, cachedData });
  const mod = { exports: {} as unknown };
  loaded.set(file, mod.exports);
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: typeof mod, f: string, d: string) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  loaded.set(file, mod.exports);
  if (spec && cacheFile && (!cachedData || script.cachedDataRejected === true)) {
    // At exit: the functions the command compiled on the way are in the cache too. Only for the
    // bundle's own commands (`paddock typo` leaves no file behind).
    process.once('exit', () => {
      try {
        const names = (mod.exports as { COMMAND_NAMES?: readonly string[] }).COMMAND_NAMES ?? [];
        if (spec.command === 'help' || names.includes(spec.command)) writeCache(spec, cacheFile, key, script.createCachedData());
      } catch {
        // no cache this time
      }
    });
  }
  return mod.exports;
}

/** bin/paddock's way to the full command line: the host bundle `file`, with this argv's code cache. */
export function loadHost(file: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): unknown {
  return loadBundle(file, cacheFor(argv, env, file));
}
