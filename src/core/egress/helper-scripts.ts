/**
 * POSIX sh scripts run inside the sandbox (no Node there; sh, socat, coreutils, sed, awk are).
 */
import { EXEC_CHECK_SH } from '../sandbox/index.js';

/**
 * The launcher: `sh -c LAUNCHER_SH paddock-bridge PORT SOCKET CMD...`. Starts the bridge (socat
 * with 256 KiB buffers: its default 8 KiB costs half the bulk throughput) in a restart loop (an
 * agent that kills socat gets it back; the proxy path is the only route, so while it is down the
 * agent simply has no network), waits until 127.0.0.1:PORT is listening (read from
 * /proc/net/tcp, without connecting), then execs the agent's command through the exec check (a
 * missing command exits 127, one that cannot run 126, each with a `paddock: …` sentence).
 *
 * The loop is started from a subshell that exits at once (a double fork), so it is re-parented to
 * the sandbox's init (bwrap, pid 1 of the run's pid namespace, which ends it with the run) and is
 * never a child of the agent's command: a program that reaps "all its children" would otherwise
 * wait on it forever. util-linux `script` (the pty of every terminal session) busy-loops on
 * wait3(WNOHANG) after its command exits while any child is left: `paddock shell NAME -- echo hi`
 * with the network on printed `hi` and then spun at ~100 % CPU, never ending (issue 15).
 */
export const LAUNCHER_SH = [
  'p=$1; s=$2; shift 2',
  '( ( while :; do socat -b 262144 TCP-LISTEN:"$p",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:"$s"; sleep 0.2; done ) </dev/null >/dev/null 2>&1 & )',
  'h=$(printf "%04X" "$p"); i=0',
  'while ! grep -q "0100007F:$h 00000000:0000 0A" /proc/net/tcp 2>/dev/null; do',
  '  i=$((i+1)); if [ "$i" -ge 500 ]; then echo "paddock: the network bridge did not start; the agent runs without network" >&2; break; fi',
  '  sleep 0.01',
  'done',
  EXEC_CHECK_SH,
].join('\n');

/** `paddock-ask ACTION [DETAIL]`: exit 0 approved, 1 denied (also when the gate is unreachable: fail closed). */
export const PADDOCK_ASK_SH = `#!/bin/sh
# paddock-ask ACTION [DETAIL] - ask the user, through Paddock, whether this agent may do ACTION.
# Blocks until the user answers. Exit 0: approved. Exit 1: denied, no answer in time, or the gate
# could not be reached. Exit 2: usage.
set -u
if [ "$#" -lt 1 ] || [ -z "$1" ]; then
  echo "usage: paddock-ask ACTION [DETAIL]   (exit 0 approved, 1 denied)" >&2
  exit 2
fi
sock=\${PADDOCK_ASK_SOCKET:-/run/paddock/net/proxy.sock}
# JSON string escaping: tabs/CR to spaces, other control characters dropped, \\ and " escaped, newlines as \\n.
esc() {
  printf '%s' "$1" | tr '\\t\\r' '  ' | tr -d '\\000-\\010\\013\\014\\016-\\037' \\
    | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g' | awk 'BEGIN { ORS = "" } NR > 1 { print "\\\\n" } { print }'
}
body="{\\"action\\":\\"$(esc "$1")\\",\\"detail\\":\\"$(esc "\${2:-}")\\"}"
len=$(printf '%s' "$body" | wc -c | tr -d ' ')
resp=$(printf 'POST /v1/ask HTTP/1.1\\r\\nHost: paddock.ask\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$len" "$body" \\
  | socat -t 100000 - "UNIX-CONNECT:$sock,shut-none" 2>/dev/null)
status=$(printf '%s\\n' "$resp" | head -n 1 | cut -d ' ' -f 2)
reason=$(printf '%s\\n' "$resp" | sed -n 's/.*"reason":"\\([^"]*\\)".*/\\1/p' | head -n 1)
case "$status" in
  200) exit 0 ;;
  403|429) echo "paddock-ask: $1: denied\${reason:+ ($reason)}" >&2; exit 1 ;;
  '') echo "paddock-ask: the ask gate could not be reached; treating it as denied" >&2; exit 1 ;;
  *) echo "paddock-ask: the ask gate answered $status\${reason:+ ($reason)}; treating it as denied" >&2; exit 1 ;;
esac
`;

/** The bridge's socat argv as LAUNCHER_SH starts it (port and socket filled in). */
function bridgeSocat(port: string, sock: string): string[] {
  return ['socat', '-b', '262144', `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${sock}`];
}

/**
 * True when a process start is one of Paddock's own network-bridge helpers for this run: the
 * launcher shell (and its forked restart loop) before it execs the agent's command, the socat
 * bridge, and the launcher's readiness probe. Such `proc.exec` events are marked `paddock: true`
 * and hidden by default (the UI and `paddock events`), never dropped from the log.
 * Threat: an agent naming its own processes like ours to hide them; only exact argv of this run
 * (its port and socket) match, and a match is still in the log and shown with "show helpers".
 */
export function isBridgeHelper(argv: readonly string[], port: number, sock: string): boolean {
  const p = String(port);
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (argv[0] === '/bin/sh' && argv[1] === '-c' && argv[2] === LAUNCHER_SH && argv[3] === 'paddock-bridge' && argv[4] === p && argv[5] === sock) return true;
  if (same(argv, bridgeSocat(p, sock))) return true;
  const h = port.toString(16).toUpperCase().padStart(4, '0');
  if (same(argv, ['grep', '-q', `0100007F:${h} 00000000:0000 0A`, '/proc/net/tcp'])) return true;
  return false;
}
