// Start-to-exit of `true` through the whole engine (profile → plan with the real mounts, seccomp,
// gate socket, cgroups, watchers, events) vs bare bwrap running the very same plan's argv.
// Run: npx tsx bench/engine.bench.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/core/engine.js';
import { renderInstructions } from '../src/core/agents/instructions.js';
import { compilePolicy } from '../src/core/policy/index.js';
import { prepareSandbox } from '../src/core/sandbox/plan.js';
import { spawnSandbox } from '../src/core/sandbox/spawn.js';
import { percentile, writeSection } from './report.js';

const N = Number(process.env.BENCH_N ?? 60);
const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-engine-'));
const PROFILE = 'name: bench\ncommand: [/bin/true]\nlimits: { memory: 1GiB, processes: 256 }\n';
const engine = await createEngine({ dataDir: dir });
const { profile, ruleSet } = engine.importProfile(PROFILE, null);
// The same with the network on: the agent's proxy, and its listener made inside the sandbox's
// network namespace before `true` runs (issue 17), or the socat bridge it replaced (fallback).
engine.importProfile(PROFILE.replace('name: bench', 'name: bench-net\nnetwork: on'), null);
// The same engine without pre-started launchers: every start is a cold one (a fresh launcher joins
// the run's cgroups on the start path), as the first start of an engine is.
const coldDir = mkdtempSync(join(tmpdir(), 'paddock-bench-engine-cold-'));
const coldEngine = await createEngine({ dataDir: coldDir, prestartLaunchers: false });
coldEngine.importProfile(PROFILE, null);
const refillT: number[] = [];

async function viaEngine(e = engine, agent = 'bench'): Promise<number> {
  const t0 = performance.now();
  const run = await e.start(agent, { stdio: 'pipe' });
  run.stdout?.resume();
  run.stderr?.resume();
  await run.done;
  const t = performance.now() - t0;
  // The next start's launcher is started once a run has ended, off the start path; wait for it
  // (untimed) so that its spawn falls in no measurement, the baseline's included.
  const t1 = performance.now();
  if (e === engine && !(await e.launcherReady('pipe'))) throw new Error('no pre-started launcher: is native/bin/paddock-launch built?');
  if (e === engine) refillT.push(performance.now() - t1);
  return t;
}

// The engine starts a command through the exec check (a short /bin/sh that execs it: 127/126 with a
// sentence when it cannot); the baseline runs the same argv, and, as a row of its own, without it.
const bareSpec = {
  agent: 'bench', runId: 'bare', dataDir: dir, home: engine.paths.agentHome('bench'), workspace: engine.paths.agentWorkspace('bench'),
  folders: [], command: ['/bin/true'], rules: ruleSet.rules, instructions: renderInstructions(profile, ruleSet),
};
const plan = await prepareSandbox({ ...bareSpec, checkCommand: true });
const planUnchecked = await prepareSandbox(bareSpec);
async function bare(p = plan): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const c = spawnSandbox(p, ['ignore', 'pipe', 'pipe']);
    c.stdout?.resume();
    c.stderr?.resume();
    c.once('error', reject);
    c.once('exit', () => resolve());
  });
  return performance.now() - t0;
}

async function viaBridge(): Promise<number> {
  process.env.PADDOCK_NET_PATH = 'bridge';
  try {
    return await viaEngine(engine, 'bench-net');
  } finally {
    delete process.env.PADDOCK_NET_PATH;
  }
}

for (let i = 0; i < 5; i++) {
  await bare();
  await viaEngine();
  await viaEngine(coldEngine);
  await viaEngine(engine, 'bench-net');
  await viaBridge();
}
refillT.length = 0;
const bareT: number[] = [];
const uncheckedT: number[] = [];
const engT: number[] = [];
const coldT: number[] = [];
const netT: number[] = [];
const bridgeT: number[] = [];
for (let i = 0; i < N; i++) {
  bareT.push(await bare());
  uncheckedT.push(await bare(planUnchecked));
  engT.push(await viaEngine());
  coldT.push(await viaEngine(coldEngine));
  netT.push(await viaEngine(engine, 'bench-net'));
  bridgeT.push(await viaBridge());
}
// A start after the machine sat idle (50 ms): the race-free cgroup join writes cgroup.procs, and
// the kernel's first cgroup migration after a quiet spell waits for an RCU grace period
// (cgroup_threadgroup_rwsem switching to writer mode). Measured for both paths, and alone: a
// no-op migration of this process into its own (v1 memory or v2) cgroup, after idle vs back to back.
const IDLE_MS = 50;
const idle = (): Promise<void> => new Promise((r) => setTimeout(r, IDLE_MS));
const bareIdle: number[] = [];
const engIdle: number[] = [];
const coldIdle: number[] = [];
for (let i = 0; i < Math.min(N, 20); i++) {
  await idle();
  bareIdle.push(await bare());
  await idle();
  engIdle.push(await viaEngine());
  await idle();
  coldIdle.push(await viaEngine(coldEngine));
}
function ownProcsFile(): string | null {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, ctrl, rel] = line.split(':');
    const mount = ctrl === '' ? '/sys/fs/cgroup/unified' : ctrl === 'memory' ? '/sys/fs/cgroup/memory' : null;
    for (const m of mount ? [mount, ctrl === '' ? '/sys/fs/cgroup' : ''] : []) {
      const f = join(m, rel ?? '', 'cgroup.procs');
      try {
        writeFileSync(f, String(process.pid));
        return f;
      } catch {
        // not this mount
      }
    }
  }
  return null;
}
const procsFile = ownProcsFile();
const migIdle: number[] = [];
const migWarm: number[] = [];
if (procsFile) {
  for (let i = 0; i < 20; i++) {
    await idle();
    let t0 = performance.now();
    writeFileSync(procsFile, String(process.pid));
    migIdle.push(performance.now() - t0);
    t0 = performance.now();
    writeFileSync(procsFile, String(process.pid));
    migWarm.push(performance.now() - t0);
  }
}

// Where the engine's time goes, measured in the same run: the sandbox plan alone, and the
// agent's egress gate socket (open + close) alone.
const planT: number[] = [];
const gateT: number[] = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const p = await prepareSandbox({
    agent: 'bench', runId: `p${i}`, dataDir: dir, home: engine.paths.agentHome('bench'), workspace: engine.paths.agentWorkspace('bench'),
    folders: [], command: ['/bin/true'], rules: ruleSet.rules, instructions: renderInstructions(profile, ruleSet),
  });
  planT.push(performance.now() - t0);
  await p.cleanup();
  const t1 = performance.now();
  await engine.egress.open({ agent: 'bench-gate', run: `g${i}`, socketDir: join(dir, 'run', 'egress', `g${i}`), policy: compilePolicy([]), mode: 'gate' });
  await engine.egress.close('bench-gate');
  gateT.push(performance.now() - t1);
}
await plan.cleanup();
await engine.close();
await coldEngine.close();
rmSync(dir, { recursive: true, force: true });
rmSync(coldDir, { recursive: true, force: true });

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const ratio = percentile(engT, 50) / percentile(bareT, 50);
const coldRatio = percentile(coldT, 50) / percentile(bareT, 50);
const md = `## Agent start-to-exit through the engine (issue 3)

\`true\` as an agent: \`engine.start\` (profile, sandbox plan with the real mounts and masks, seccomp,
the egress gate socket, cgroup limits, proc/fs watchers, run.start/run.exit events) vs **bare bwrap
running the same plan's argv** (same mounts, same seccomp), alternating, N = ${N} each after 5 warm-ups.

After each run the engine pre-starts the next run's launcher (\`native/launch.c\`): it joins fresh
cgroups and waits, so the next start writes the limits, sends the command line and the launcher
execs bwrap inside them (see ARCHITECTURE.md). The bench waits, untimed, until that launcher is
ready before the next measurement, so its cost falls in none of them: it took
**${fmt(percentile(refillT, 50))}** (median; spawn, plus the cgroup join's RCU grace period in the
launcher). A start with no launcher ready is a **cold start**: measured on a second engine with
pre-starting off (every engine's first start is one).

| path | median | p90 |
| --- | --- | --- |
| bare \`bwrap\`, same plan argv — baseline | ${fmt(percentile(bareT, 50))} | ${fmt(percentile(bareT, 90))} |
| bare \`bwrap\` running \`true\` without the exec check (what the check costs: a \`/bin/sh\` start inside) | ${fmt(percentile(uncheckedT, 50))} | ${fmt(percentile(uncheckedT, 90))} |
| through the engine, launcher ready | ${fmt(percentile(engT, 50))} | ${fmt(percentile(engT, 90))} |
| through the engine, cold start | ${fmt(percentile(coldT, 50))} | ${fmt(percentile(coldT, 90))} |
| network on, launcher ready: proxy + its listener made in the sandbox's namespace | ${fmt(percentile(netT, 50))} | ${fmt(percentile(netT, 90))} |
| network on, launcher ready: proxy + socat bridge (the fallback) | ${fmt(percentile(bridgeT, 50))} | ${fmt(percentile(bridgeT, 90))} |

Ratio of medians: **${ratio.toFixed(2)}×** with the launcher ready (goal ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'missed'}); cold start ${coldRatio.toFixed(2)}×; network on ${(percentile(netT, 50) / percentile(bareT, 50)).toFixed(2)}× (the in-sandbox listener is made by the launcher's helper while bwrap sets the sandbox up, and \`true\` starts once the proxy holds it), with the socat bridge ${(percentile(bridgeT, 50) / percentile(bareT, 50)).toFixed(2)}×. Load average during the run: ${loadavg()[0]!.toFixed(1)}.

After ${IDLE_MS} ms of idle before each start (N = ${bareIdle.length}; closer to how a person starts an agent):

| path | median | p90 |
| --- | --- | --- |
| bare \`bwrap\` after idle — baseline | ${fmt(percentile(bareIdle, 50))} | ${fmt(percentile(bareIdle, 90))} |
| through the engine after idle, launcher ready | ${fmt(percentile(engIdle, 50))} | ${fmt(percentile(engIdle, 90))} |
| through the engine after idle, cold start | ${fmt(percentile(coldIdle, 50))} | ${fmt(percentile(coldIdle, 90))} |

${procsFile ? `Why a cold start suffers more from idle: joining the run's cgroups (done before bwrap runs anything, so nothing escapes the limits) is a cgroup migration, and the kernel's first migration after a quiet spell waits for an RCU grace period. A no-op migration of this process into its own cgroup (\`${procsFile}\`) takes **${fmt(percentile(migIdle, 50))}** after ${IDLE_MS} ms idle and **${fmt(percentile(migWarm, 50))}** right after another. The pre-started launcher pays it before the start.` : 'This process could not migrate itself (no writable cgroup.procs), so the cgroup-join cost was not measured alone.'}

Parts of the difference, measured alone in the same run: the sandbox plan (\`prepareSandbox\`: agent dirs, grants, instruction file, masks for the rules and persistence paths, the cached private-/etc list, seccomp) **${fmt(percentile(planT, 50))}**; the agent's egress gate socket, open + close, **${fmt(percentile(gateT, 50))}**. The baseline spawns bwrap from this Node process (fork+exec of a large process, ~2–3 ms here); a start with a launcher ready has no fork on its path, a cold start forks the small launcher.`;
writeSection('engine', md);
process.stdout.write(`${md}\n`);
