// Fault: no sandbox. bubblewrap missing (hidden by a bind mount in a private mount namespace) or user
// namespaces blocked (user.max_user_namespaces=0 inside a private user namespace, so the host's
// setting is untouched). Paddock must refuse to start the agent (exit 125) and `doctor` must say why.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { faultBed, IS_ROOT } from './helpers.js';

const bed = faultBed('paddock-fault-sandbox-');
afterAll(() => bed.cleanup());

const witness = (a: string): string => `name: ${a}\ncommand: [sh, -c, "echo ran > ran.txt"]\n`;

/** Runs `prelude` then `paddock run` and `paddock doctor` in one shell inside `wrapper` (unshare …). */
function underFault(wrapper: string[], prelude: string, dataDir: string, file: string): { run: { code: number; err: string }; doctor: { code: number; out: string } } {
  const script = `${prelude}
"$NODE" "$BIN" --data-dir "$DATA" run "$FILE" 2>"$DATA.run.err"; echo "run=$?"
"$NODE" "$BIN" --data-dir "$DATA" doctor; echo "doctor=$?"`;
  const r = spawnSync(wrapper[0]!, [...wrapper.slice(1), 'sh', '-c', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE: process.execPath, BIN, DATA: dataDir, FILE: file },
  });
  const out = r.stdout;
  const code = (k: string): number => Number(new RegExp(`^${k}=(\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  const err = spawnSync('cat', [`${dataDir}.run.err`], { encoding: 'utf8' }).stdout;
  return { run: { code: code('run'), err }, doctor: { code: code('doctor'), out } };
}

describe.skipIf(!IS_ROOT)('no sandbox available', () => {
  it('bubblewrap missing: run refuses (125, says how to install it), doctor flags it, the agent never runs', () => {
    const { dataDir, file, name } = bed.setup(witness);
    const empty = join(bed.dir, 'not-bwrap');
    writeFileSync(empty, '', { mode: 0o644 }); // not executable: every system location of bwrap now fails X_OK
    const prelude = `for p in /usr/bin/bwrap /usr/local/bin/bwrap; do [ -e "$p" ] && mount --bind ${JSON.stringify(empty)} "$p"; done; true`;
    const r = underFault(['unshare', '-m'], prelude, dataDir, file);
    expect(r.run.code).toBe(125);
    expect(r.run.err).toMatch(/^paddock: bubblewrap \(bwrap\) is not installed.*apt install bubblewrap/m);
    expect(r.doctor.code).not.toBe(0);
    expect(r.doctor.out).toMatch(/FIX\s+sandbox\.bwrap .*not installed/);
    expect(r.doctor.out).toMatch(/fix: Install bubblewrap/);
    expect(existsSync(join(dataDir, 'agents', name, 'workspace', 'ran.txt'))).toBe(false);
  });

  it('user namespaces blocked: run refuses (125, names the sysctl), doctor explains, the agent never runs', () => {
    const { dataDir, file, name } = bed.setup(witness);
    const r = underFault(['unshare', '--user', '--map-root-user', '--mount'], 'echo 0 > /proc/sys/user/max_user_namespaces || exit 99', dataDir, file);
    expect(r.run.code).toBe(125);
    expect(r.run.err).toMatch(/^paddock: bubblewrap cannot create a user namespace.*Fix: run "sudo sysctl user\.max_user_namespaces=15000"/m);
    expect(r.doctor.code).not.toBe(0);
    expect(r.doctor.out).toMatch(/FIX\s+sandbox\.(max-userns|userns) /);
    expect(r.doctor.out).toMatch(/max_user_namespaces/);
    expect(existsSync(join(dataDir, 'agents', name, 'workspace', 'ran.txt'))).toBe(false);
  });
});
