import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CgroupMode } from './types.js';

/** The v1 controllers Paddock uses. */
export const V1_CONTROLLERS = ['pids', 'memory', 'cpu', 'cpuacct', 'freezer'] as const;

/** Where runs' cgroups can be created on this machine. */
export interface CgroupLayout {
  mode: CgroupMode;
  /** Writable controllers / features: v1 names, and 'v2-freeze', 'v2-kill', 'v2-memory', 'v2-pids', 'v2-cpu'. */
  controllers: string[];
  /** Parent directory (…/paddock) per v1 controller, and 'unified' for the v2 hierarchy. */
  parents: Record<string, string>;
}

interface Mount {
  root: string;
  point: string;
  fstype: string;
  superOpts: string[];
}

function mounts(): Mount[] {
  const out: Mount[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const p = post.split(' ');
    if (p[0] !== 'cgroup' && p[0] !== 'cgroup2') continue;
    out.push({ root: unescape(f[3] ?? '/'), point: unescape(f[4] ?? ''), fstype: p[0], superOpts: (p[2] ?? '').split(',') });
  }
  return out;
}

/** mountinfo escapes spaces etc. as \040 octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Our own cgroup path per hierarchy key: a v1 controller name, or '' for v2. */
function ownCgroups(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , ctrls = '', path = '/'] = m;
    if (ctrls === '') out.set('', path);
    for (const c of ctrls.split(',')) if (c) out.set(c, path);
  }
  return out;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Creates `<ours>/paddock` and returns it if we can write there; nested under our own cgroup so outer limits still apply. */
function makeParent(mount: Mount, own: string): string | null {
  const rel = relative(mount.root, own);
  if (rel.startsWith('..')) return null;
  const parent = join(mount.point, rel, 'paddock');
  try {
    mkdirSync(parent, { recursive: true });
  } catch {
    return null;
  }
  return writable(parent) && existsSync(join(parent, 'cgroup.procs')) ? parent : null;
}

/** Enables v2 controllers for the children of `dir`, returning those now available below it. */
function enableV2(dir: string, wanted: string[]): string[] {
  const file = join(dir, 'cgroup.subtree_control');
  for (const c of wanted) {
    try {
      // Each separately: one unavailable controller must not block the others.
      writeFileSync(file, `+${c}`);
    } catch {
      // not delegated to us, or our cgroup has processes (the no-internal-processes rule)
    }
  }
  try {
    const on = readFileSync(file, 'utf8').trim().split(/\s+/);
    return wanted.filter((c) => on.includes(c));
  } catch {
    return [];
  }
}

/** Finds the strongest usable cgroup setup (may create `…/paddock` parent directories). */
export function detectCgroupLayout(): CgroupLayout {
  let ms: Mount[];
  let own: Map<string, string>;
  try {
    ms = mounts();
    own = ownCgroups();
  } catch {
    return { mode: 'none', controllers: [], parents: {} };
  }
  const controllers: string[] = [];
  const parents: Record<string, string> = {};
  for (const c of V1_CONTROLLERS) {
    const m = ms.find((x) => x.fstype === 'cgroup' && x.superOpts.includes(c));
    const path = own.get(c);
    if (!m || path === undefined) continue;
    const p = makeParent(m, path);
    if (p) {
      controllers.push(c);
      parents[c] = p;
    }
  }
  const v2 = ms.find((x) => x.fstype === 'cgroup2');
  const v2own = own.get('');
  if (v2 && v2own !== undefined) {
    const p = makeParent(v2, v2own);
    if (p) {
      parents.unified = p;
      // freeze and kill are core v2 features (kernel ≥ 5.2 / 5.14), present in any non-root cgroup.
      if (existsSync(join(p, 'cgroup.freeze'))) controllers.push('v2-freeze');
      if (existsSync(join(p, 'cgroup.kill'))) controllers.push('v2-kill');
      const isPureV2 = !ms.some((x) => x.fstype === 'cgroup');
      if (isPureV2) {
        const parentOfOurs = join(p, '..');
        enableV2(parentOfOurs, ['memory', 'pids', 'cpu']);
        for (const c of enableV2(p, ['memory', 'pids', 'cpu'])) controllers.push(`v2-${c}`);
      }
    }
  }
  const hasV1 = controllers.includes('memory') || controllers.includes('pids') || controllers.includes('freezer');
  let mode: CgroupMode = 'none';
  if (hasV1) mode = 'v1-root';
  else if (parents.unified) mode = v2own === '/' ? 'v2-root' : 'v2-delegated';
  return { mode, controllers, parents };
}

