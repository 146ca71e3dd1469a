import { toEnvelopeError } from '../api/index.js';
import type { Paddock } from '../commands/index.js';
import type { RequestContext } from './control-server.js';
import type { Params } from './protocol.js';

/**
 * A guest `paddock shell`: a terminal session in the agent's sandbox whose bytes travel over the
 * control connection (stdin → keystrokes, `stdout` stream ← terminal output, `resize` → window size).
 * The session is killed when the guest goes away (never left running unsupervised).
 */
export async function guestShell(p: Paddock, params: Params<'shell'>, ctx: RequestContext): Promise<void> {
  const early: Buffer[] = [];
  ctx.onStdin = (d) => early.push(d);
  let session;
  try {
    session = await p.openTerminal(params.name, { command: params.command, size: { cols: params.cols, rows: params.rows }, userShell: params.userShell });
  } catch (e) {
    ctx.send({ id: ctx.id, ok: false, error: toEnvelopeError(e) });
    return;
  }
  const s = session;
  ctx.send({ id: ctx.id, notice: `started a shell in ${s.agent} (run ${s.run}) on the host` });
  s.onData((d) => ctx.send({ id: ctx.id, stream: 'stdout', data: d.toString('base64') }));
  const stopNotices = p.onPauseNotices(s.agent, (line) => ctx.send({ id: ctx.id, alert: line }));
  ctx.onClose(stopNotices);
  for (const d of early) s.write(d);
  ctx.onStdin = (d) => s.write(d);
  // End of input (a piped, not a terminal, stdin): an end-of-file keystroke, as a terminal would send.
  ctx.onStdinEnd = () => s.write('\x04');
  ctx.onResize = (size) => void s.resize(size);
  // Keystrokes carry Ctrl-C; a forwarded signal means the guest itself is being stopped.
  ctx.onSignal = () => void s.close('the paddock shell that started it was stopped');
  // Threat: a shell left running with nobody at its terminal.
  ctx.onClose(() => void s.close('the paddock shell that started it went away'));
  const result = await s.done;
  stopNotices();
  ctx.send({ id: ctx.id, exit: { code: result.code, signal: result.signal, exitCode: result.exitCode } });
}
