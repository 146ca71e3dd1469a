import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Rule } from '../../shared/rules.schema.js';
import { adoptListener, CpuWatch, netPath, sandboxGlue, type ApprovalQueue, type ApprovalsPort, type Egress, type EgressSecrets } from '../egress/index.js';
import { compilePolicy, type Policy } from '../policy/index.js';
import type { DataPaths } from '../data-dir/index.js';
import { caBundle, caBundleEnv, createAgentCa, SYSTEM_CA_BUNDLES, type Vault } from '../vault/index.js';
import { findBwrap } from '../sandbox/index.js';
import type { PrepareRun, RunAdditions } from './run-manager.js';
import type { SecretMask } from './output/mask.js';
import { atime, closeDecoys, openDecoys, placeDecoys, pollDecoys, watchDecoys, type DecoyWatch, type PlacedDecoy } from '../decoys/index.js';

/** What a run's preparation needs from the engine. */
export interface PrepareDeps {
  paths: DataPaths;
  egress: Egress;
  approvals: ApprovalQueue;
  /** The port asks go through (remembered answers first). */
  ask: ApprovalsPort;
  vault: () => Vault;
  cpu: CpuWatch;
  /** Rules the user added by answering "always" / "deny always" (they survive restarts). */
  answerRules(agent: string, afterLine: number): Rule[];
  helperDir: string;
  /** Whether the agent gets decoy credentials (issue 18); absent: none. */
  decoys?(agent: string): boolean;
  /** Whether the agent is in learning mode (issue 18). */
  learning?(agent: string): boolean;
  /** Sets the secret values masked in the agent's events and asks (runs/event-masks.ts). */
  secretMasks?(agent: string, masks: readonly SecretMask[]): void;
}

/**
 * The agent's policy: its profile rules plus its remembered answers, numbered after the last rule
 * line. The one place this is assembled (run start, a live rules or answers change, the simulator).
 */
export function agentPolicy(rules: readonly Rule[], answers: (afterLine: number) => readonly Rule[], home: string): Policy {
  return compilePolicy([...rules, ...answers(lastLine(rules))], { home });
}

/** The last rule line of a rule set (remembered answers are numbered after it). */
export function lastLine(rules: readonly Rule[]): number {
  return rules.reduce((m, r) => Math.max(m, r.line), 0);
}

/**
 * Builds the engine's run preparation: the egress path (proxy when the switch is on, the ask gate
 * only when it is off), the secrets (only if the profile declares any: an agent without secrets
 * never touches the keychain), and the CPU tripwire. Any failure stops the start (fail closed).
 */
export function makePrepare(d: PrepareDeps): PrepareRun {
  return async ({ agent, run, home, profile, ruleSet, network }) => {
    const socketDir = join(d.paths.run, 'egress', run);
    mkdirSync(socketDir, { recursive: true, mode: 0o700 }); // sync: a thread-pool round trip costs the start more
    const policy = agentPolicy(ruleSet.rules, (after) => d.answerRules(agent, after), home);
    // The run's processes are gone: no CPU watch, and its pending asks are answered (denied).
    let decoyWatch: DecoyWatch | null = null;
    let decoyFds: number[] = [];
    let runOver = false;
    const ended = (): void => {
      runOver = true;
      decoyWatch?.close();
      decoyWatch = null;
      closeDecoys(decoyFds);
      decoyFds = [];
      d.cpu.unwatch(agent);
      d.approvals.cancelAgent(agent);
    };
    const teardown = async (): Promise<void> => {
      ended();
      await d.egress.close(agent).catch(() => undefined);
      // Synchronous: a folder of one socket, where the promise API's thread-pool round trips cost
      // more than the calls (a first host exits only once its run is torn down). Closing the proxy
      // removed its socket: the folder is empty, and rmdir needs no recursive removal (Node's rimraf).
      try {
        rmdirSync(socketDir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') rmSync(socketDir, { recursive: true, force: true });
      }
    };
    try {
      const additions: RunAdditions = { teardown, extraEnv: {}, extraFiles: [] };
      // deny secret NAME withholds it; ask secret NAME waits for the user (denied on timeout).
      const askSecret = async (name: string, detail: string): Promise<boolean> => {
        const dec = policy.decide('secret', name);
        if (dec.effect !== 'ask') return dec.effect === 'allow';
        const outcome = await d.ask.request({ agent, run, kind: 'secret', target: name, detail, rule: dec.rule, timeoutMs: profile.approvals.timeout * 1000 });
        return outcome === 'once' || outcome === 'always';
      };
      let secrets: EgressSecrets | undefined;
      if (profile.secrets.length > 0) {
        const delivered = await d.vault().resolveForRun(agent, profile.secrets, {
          home,
          run,
          decide: async (name) => ((await askSecret(name, `deliver secret ${name} to ${agent}`)) ? 'allow' : 'deny'),
        });
        Object.assign(additions.extraEnv!, delivered.env);
        additions.extraFiles!.push(...delivered.files);
        // Threat: a delivered value printed by the agent (or a tool it ran) kept in its output log.
        // Header values never enter the sandbox; they are masked too, in case one gets there anyway.
        const headerNames = new Set(delivered.headers.map((h) => h.name));
        additions.masks = [
          ...Object.entries(delivered.env).filter(([n]) => !headerNames.has(n)).map(([name, value]) => ({ name, value })),
          ...delivered.files.map((f) => ({ name: basename(f.dest), value: Buffer.from(f.content) })),
          ...delivered.headers.map((h) => ({ name: h.name, value: h.value })),
        ];
        // Threat: the same values on a command line, in a file name, a host or an ask's detail,
        // kept in clear in the append-only log; masked there from before the agent runs.
        d.secretMasks?.(agent, additions.masks);
        if (delivered.headers.length > 0) {
          // Header secrets: the agent holds placeholders; the proxy terminates TLS with this run's CA
          // (its key never leaves this process) and injects the values for the bound hosts only.
          const ca = createAgentCa(agent);
          const bundle = caBundle(ca.certPem);
          const paths = SYSTEM_CA_BUNDLES.filter((p) => existsSync(p));
          for (const dest of paths.length ? paths : [SYSTEM_CA_BUNDLES[0]!]) additions.extraFiles!.push({ dest, content: bundle, mode: 0o444 });
          Object.assign(additions.extraEnv!, caBundleEnv(paths[0] ?? SYSTEM_CA_BUNDLES[0]!));
          // An approved injection lasts for this run (asking at every request would drown the user).
          const approved = new Map<string, Promise<boolean>>();
          secrets = {
            bindings: delivered.headers,
            ca,
            onUse: (name, host) => d.vault().recordInjection(agent, name, host, run),
            decide: (name, host) => {
              const key = `${name}\u0000${host}`;
              if (!approved.has(key)) approved.set(key, askSecret(name, `inject secret ${name} into a request to ${host}`));
              return approved.get(key)!;
            },
          };
        }
      }
      // Decoys are placed (and checked) before the watch starts: Paddock's own opens raise nothing.
      const decoys: PlacedDecoy[] = d.decoys?.(agent) ? placeDecoys(d.paths.agentDir(agent), home) : [];
      let watchDecoyReads: (() => void) | null = null;
      if (decoys.length > 0) {
        // Threat: an agent hunting for credentials it was never given (read detection, after the fact).
        // Opened now, before the agent runs: the watch follows these files, not their paths.
        const fds = (decoyFds = openDecoys(decoys.map((x) => join(home, ...x.rel.split('/')))));
        const hit = (i: number): void => {
          const p = `~/${decoys[i]!.rel}`;
          d.egress.tripwires.raise(
            agent,
            run,
            'decoy-read',
            `Something in run ${run} of ${agent} opened ${p}, a decoy credential Paddock placed (valid nowhere): the agent is looking for credentials it was not given. The host cannot tell which process; see the run's activity.`,
            { path: p },
            p, // each decoy on the record, not only the first one read
          );
        };
        // The watch starts just after the launch, off the start's path (spawning it cost every start
        // ~5 ms). A read before it is ready is still caught: the access times taken here are weeks
        // old, so the first read moves them (relatime), and they are compared once the watch runs.
        const before = fds.map(atime);
        const caughtUp = (): void => fds.forEach((fd, i) => {
          const t = atime(fd);
          if (t !== null && before[i] !== null && t > before[i]!) hit(i);
        });
        watchDecoyReads = () =>
          setImmediate(() => {
            if (runOver) return;
            void watchDecoys(fds, hit)
              .catch(() => pollDecoys(fds, hit)) // the helper failed to start: poll instead
              .then((w) => {
                if (runOver) return w.close();
                decoyWatch = w;
                caughtUp();
              });
          });
      }
      await d.egress.open({ agent, run, socketDir, policy, mode: network === 'on' ? 'proxy' : 'gate', approvalTimeoutS: profile.approvals.timeout, ...(secrets ? { secrets } : {}), decoys: decoys.flatMap((x) => x.values), learning: d.learning?.(agent) === true });
      const glue = sandboxGlue({ socketDir, helperDir: d.helperDir, network: network === 'on', inNamespace: network === 'on' && netPath(findBwrap()).inNamespace });
      if (glue.listenPort !== undefined) {
        // The proxy's listener inside the sandbox, made before the agent runs (native/nslisten.c).
        additions.netListener = { port: glue.listenPort, onServer: (srv) => adoptListener(d.egress, agent, srv), ...(process.env.PADDOCK_TEST_NSLISTEN === 'fail' ? { testFail: true } : {}) };
      }
      additions.extraBinds = glue.extraBinds;
      Object.assign(additions.extraEnv!, glue.extraEnv);
      additions.extraPath = glue.extraPath;
      additions.wrapCommand = glue.wrapCommand;
      additions.isHelper = glue.isHelper;
      additions.started = () => {
        d.cpu.watch(agent, run);
        watchDecoyReads?.();
      };
      additions.ended = ended;
      return additions;
    } catch (e) {
      await teardown();
      throw e;
    }
  };
}
