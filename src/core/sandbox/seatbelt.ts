import path from 'node:path';
import type { Rule } from '../../shared/rules.schema.js';
import { SYSTEM_PATH } from './env.js';
import { compileGlob, globRegexSource } from './glob.js';
import { RC_FILES } from './masks.js';
import type { SandboxSpec } from './spec.js';

/** System locations an agent's programs need to read on macOS (no user data, no keychains). */
const SYSTEM_READ = ['/usr', '/bin', '/sbin', '/System', '/opt/homebrew', '/private/etc', '/private/var/db/timezone', '/Library/Frameworks', '/Applications/Xcode.app', '/Library/Developer/CommandLineTools'];
const DEVICES = ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/dtracehelper'];

/** An SBPL string literal. */
const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** An SBPL regex literal `#"…"` (backslashes are literal there) from a JS regex source (POSIX ERE has no `(?:`). */
const rx = (src: string): string => `(regex #"${src.replace(/\(\?:/g, '(').replace(/"/g, '\\"')}")`;
const escRe = (s: string): string => s.replace(/[\\^$.|+()[\]{}*?]/g, '\\$&');

type SeatbeltSpec = Pick<SandboxSpec, 'dataDir' | 'otherDataDirs' | 'home' | 'workspace' | 'folders' | 'rules' | 'extraPath'> & {
  folders: { path: string; access: 'ro' | 'rw' | 'copy' }[];
  /** Paddock's own code (its paths and their real paths): never writable. */
  readOnlyCode?: string[];
};

const denying = (rules: Rule[], kind: Rule['kind']): Rule[] =>
  rules.filter((r) => r.kind === kind && (r.effect === 'deny' || r.effect === 'ask'));

/**
 * The macOS Seatbelt (`sandbox-exec -p`) profile for an agent: deny by default; read system
 * paths, the home, the workspace and the folders; write only the home, the workspace and rw
 * folders; network only to the agent's proxy on localhost; read/write/exec rules and the
 * persistence protection as explicit denies (later SBPL rules win over earlier ones).
 */
export function seatbeltProfile(spec: SeatbeltSpec, opts: { proxyPort: number | null }): string {
  const L: string[] = ['(version 1)', '(deny default)', ''];
  L.push('; processes: the agent may run programs and signal only its own sandbox');
  L.push('(allow process-exec)', '(allow process-fork)', '(allow signal (target same-sandbox))', '(allow sysctl-read)');
  L.push('(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo") (global-name "com.apple.system.logger") (global-name "com.apple.system.notification_center"))');
  L.push('(allow ipc-posix-shm-read-data ipc-posix-shm-write-data)', '');
  const readable = [spec.home, spec.workspace, ...spec.folders.filter((f) => f.access !== 'copy').map((f) => f.path)];
  const writable = [spec.home, spec.workspace, ...spec.folders.filter((f) => f.access === 'rw').map((f) => f.path)];
  // Path lookup needs the metadata of each ancestor, not its listing or content.
  const ancestors = new Set<string>(['/']);
  for (const p of readable) for (let d = path.dirname(p); d !== '/'; d = path.dirname(d)) ancestors.add(d);
  L.push('; reads');
  L.push(`(allow file-read-metadata ${[...ancestors].sort().map((a) => `(literal ${q(a)})`).join(' ')})`);
  L.push(`(allow file-read* ${SYSTEM_READ.map((p) => `(subpath ${q(p)})`).join(' ')})`);
  L.push(`(allow file-read* ${DEVICES.map((p) => `(literal ${q(p)})`).join(' ')})`);
  L.push(`(allow file-read* ${readable.map((p) => `(subpath ${q(p)})`).join(' ')})`);
  L.push('; writes');
  L.push(`(allow file-write* (literal "/dev/null") ${writable.map((p) => `(subpath ${q(p)})`).join(' ')})`);
  // Threat: a folder that contains a data dir (this host's or another's) exposing its database and control socket.
  for (const d of [spec.dataDir, ...(spec.otherDataDirs ?? [])]) L.push(`(deny file-read* file-write* (subpath ${q(d)}))`);
  L.push(`(allow file-read* file-write* (subpath ${q(spec.home)}) (subpath ${q(spec.workspace)}))`);
  // Threat: an agent rewriting (or creating) Paddock's code that the user runs next, unsandboxed.
  if (spec.readOnlyCode?.length) L.push(`(deny file-write* ${spec.readOnlyCode.map((p) => `(subpath ${q(p)})`).join(' ')})`);
  L.push('');

  L.push('; network: only the egress proxy');
  if (opts.proxyPort !== null) L.push(`(allow network-outbound (remote tcp ${q(`localhost:${opts.proxyPort}`)}))`);
  else L.push('; network is off');
  L.push('');

  L.push('; persistence protection in the workspace and rw folders');
  const allowWrite = spec.rules.filter((r) => r.kind === 'write' && r.effect === 'allow');
  // [regex tail, a sample path]: an `allow write` rule matching the sample lifts the protection.
  const persist: [string, string][] = [
    ['(?:.*/)?\\.git/hooks(?:/.*)?$', '.git/hooks/pre-commit'],
    ['(?:.*/)?\\.git/config$', '.git/config'],
    ['(?:.*/)?\\.vscode(?:/.*)?$', '.vscode/settings.json'],
    ...[...RC_FILES].map((f): [string, string] => [`(?:.*/)?${escRe(f)}$`, f]),
  ];
  for (const root of writable.filter((w) => w !== spec.home)) {
    for (const [tail, sample] of persist) {
      if (allowWrite.some((r) => compileGlob(r.pattern, spec.home)(`${root}/${sample}`))) continue;
      L.push(`(deny file-write* ${rx(`^${escRe(root)}/${tail}`)})`);
    }
  }
  L.push('; rules');
  for (const r of denying(spec.rules, 'read')) L.push(`(deny file-read* ${rx(globRegexSource(r.pattern, spec.home))}) ; ${r.text}`);
  for (const r of denying(spec.rules, 'write')) L.push(`(deny file-write* ${rx(globRegexSource(r.pattern, spec.home))}) ; ${r.text}`);
  for (const r of denying(spec.rules, 'exec')) {
    const isPath = r.pattern.includes('/') || r.pattern.startsWith('~');
    const dirs = [...(spec.extraPath ?? []), `${spec.home}/.local/bin`, ...SYSTEM_PATH, '/opt/homebrew/bin'];
    const src = isPath
      ? globRegexSource(r.pattern, spec.home)
      : `^(?:${dirs.map(escRe).join('|')})/${globRegexSource(`/${r.pattern}`, '/').slice(2)}`;
    // Neither run nor copied: exec and data reads are both denied.
    L.push(`(deny process-exec file-read-data ${rx(src)}) ; ${r.text}`);
  }
  return `${L.join('\n')}\n`;
}
