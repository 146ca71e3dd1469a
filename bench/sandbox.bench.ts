// Sandbox runtime benchmark: start-to-exit of `true` through launchSandbox (with cgroups and limits;
// with a pre-started launcher ready, as the engine has after its first run, and cold) vs bare bwrap
// with the same argv, and pause / kill latency with 500 processes.
// Run: npx tsx bench/sandbox.bench.ts
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { cgroupLayout, launchSandbox } from '../src/core/sandbox/runtime/launch.js';
import { LauncherPool } from '../src/core/sandbox/runtime/launcher.js';
import { findBwrap } from '../src/core/sandbox/runtime/capabilities.js';
import type { CgroupMode, SandboxProcess } from '../src/core/sandbox/runtime/types.js';
import { percentile, writeSection } from './report.js';

const N = Number(process.env.BENCH_N ?? 100);
const REPS = 5;
const BWRAP = findBwrap() ?? 'bwrap';

function argv(command: string[]): string[] {
  return [
    BWRAP, '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup',
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64',
    '--ro-bind', '/etc', '/etc', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin',
    '--', ...command,
  ];
}

let seq = 0;
const pool = new LauncherPool(cgroupLayout);
function launch(command: string[], cgroup?: CgroupMode, launchers?: LauncherPool): Promise<SandboxProcess> {
  return launchSandbox({
    argv: argv(command),
    env: { PATH: '/usr/bin:/bin' },
    agent: 'bench',
    runId: `${process.pid}-${seq++}`,
    limits: { memory: 2 ** 30, processes: 1024, cpu: 1 },
    stdio: 'pipe',
    workspace: '/nonexistent-bench-workspace',
    onEvent: () => {},
    ...(cgroup ? { cgroup } : {}),
    ...(launchers ? { launchers } : {}),
  });
}

async function bare(): Promise<number> {
  const t0 = performance.now();
  const a = argv(['/bin/true']);
  await new Promise<void>((resolve, reject) => {
    const c = spawn(a[0]!, a.slice(1), { env: { PATH: '/usr/bin:/bin' }, stdio: 'pipe' });
    c.once('error', reject);
    c.once('exit', () => resolve());
  });
  return performance.now() - t0;
}

/** `ready`: with a pre-started launcher, started and waited for (untimed) before the measurement. */
async function viaRuntime(ready: boolean): Promise<number> {
  if (ready) {
    pool.refill('pipe');
    if (!(await pool.ready('pipe'))) throw new Error('no pre-started launcher: is native/bin/paddock-launch built?');
  }
  const t0 = performance.now();
  const sp = await launch(['/bin/true'], undefined, ready ? pool : undefined);
  await sp.exited;
  return performance.now() - t0;
}

async function controlLatency(cgroup?: CgroupMode): Promise<{ pause: number[]; kill: number[]; mode: string; freeze: string; killBy: string }> {
  const pause: number[] = [];
  const kill: number[] = [];
  let mode = '';
  let freeze = '';
  let killBy = '';
  for (let r = 0; r < REPS; r++) {
    const sp = await launch(['/bin/sh', '-c', 'for i in $(seq 500); do sleep 1000 & done; wait'], cgroup);
    mode = sp.mode;
    freeze = sp.enforcement.freeze ?? '';
    killBy = sp.enforcement.kill ?? '';
    while (sp.pids().length < 503) await new Promise((res) => setTimeout(res, 20));
    let t0 = performance.now();
    await sp.pause();
    pause.push(performance.now() - t0);
    await sp.resume();
    t0 = performance.now();
    await sp.kill();
    kill.push(performance.now() - t0);
  }
  return { pause, kill, mode, freeze, killBy };
}

const fmt = (x: number): string => x.toFixed(1);
const bareT: number[] = [];
const rtT: number[] = [];
const coldT: number[] = [];
for (let i = 0; i < 5; i++) {
  await bare();
  await viaRuntime(true);
  await viaRuntime(false);
}
for (let i = 0; i < N; i++) {
  bareT.push(await bare());
  rtT.push(await viaRuntime(true));
  coldT.push(await viaRuntime(false));
}
await pool.close();
const ratio = percentile(rtT, 50) / percentile(bareT, 50);
const coldRatio = percentile(coldT, 50) / percentile(bareT, 50);
const cg = await controlLatency();
const sig = await controlLatency('none');

const md = `## Sandbox runtime (\`bench/sandbox.bench.ts\`)

Start-to-exit of \`true\`, N = ${N} each, interleaved (ms):

| path | median | p90 |
| --- | --- | --- |
| bare \`bwrap\` (same argv, spawn) — baseline | ${fmt(percentile(bareT, 50))} | ${fmt(percentile(bareT, 90))} |
| \`launchSandbox\` (${cg.mode} cgroups, memory+pids+cpu limits, watchers), pre-started launcher ready | ${fmt(percentile(rtT, 50))} | ${fmt(percentile(rtT, 90))} |
| \`launchSandbox\`, cold (a fresh launcher joins the cgroups on the start path) | ${fmt(percentile(coldT, 50))} | ${fmt(percentile(coldT, 90))} |

Ratio of medians: **${ratio.toFixed(2)}×** (goal ≤ 1.3×) with a launcher ready (the engine pre-starts one after each run, off the start path; here it is started and waited for before each timed start); cold ${coldRatio.toFixed(2)}×. The agent start through the whole engine is in the engine section below.

Pause and kill with 500 processes (\`sleep\`), ${REPS} runs, ms from the call to all frozen / all gone:

| mechanism | pause median | pause max | kill median | kill max |
| --- | --- | --- | --- | --- |
| ${cg.freeze}; ${cg.killBy} | ${fmt(percentile(cg.pause, 50))} | ${fmt(Math.max(...cg.pause))} | ${fmt(percentile(cg.kill, 50))} | ${fmt(Math.max(...cg.kill))} |
| fallback: ${sig.freeze}; ${sig.killBy} | ${fmt(percentile(sig.pause, 50))} | ${fmt(Math.max(...sig.pause))} | ${fmt(percentile(sig.kill, 50))} | ${fmt(Math.max(...sig.kill))} |

Goal: pause and kill ≤ 100 ms. Load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (other work shares this 2-core machine; figures are noisy).`;
console.log(md);
writeSection('sandbox', md);
