import type { SandboxProcess } from '../../sandbox/index.js';
import { RunRecorder } from './recorder.js';
import type { SecretMask } from './mask.js';
import { tee } from './tee.js';

/** Starts a run's recording in `dir`: its output streams are copied to it as they are read. */
export function startRecording(dir: string, agent: string, run: string, stdio: 'inherit' | 'pipe', masks: SecretMask[], proc: SandboxProcess) {
  const recorder = new RunRecorder({ dir, agent, run, stdio: stdio === 'pipe' ? 'pipe' : 'terminal', masks });
  const out = proc.child.stdout ? tee(proc.child.stdout, (d) => recorder.output('stdout', d), () => recorder.endStream('stdout')) : null;
  const err = proc.child.stderr ? tee(proc.child.stderr, (d) => recorder.output('stderr', d), () => recorder.endStream('stderr')) : null;
  return { recorder, stdout: out?.stream, stderr: err?.stream, ended: Promise.all([out?.ended, err?.ended]) };
}
