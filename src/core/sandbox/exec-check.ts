/**
 * The agent's command is started through a short POSIX sh check inside the sandbox, so a command
 * that is not there or cannot be run ends as a shell (and Docker) would: exit 127 "not found",
 * 126 "cannot be run", with a `paddock: …` sentence that says how to fix it. Without it bwrap's
 * own execvp failure was exit 1 and "bwrap: execvp CMD: No such file or directory", which reads
 * as the agent's own failure. A command that runs keeps its own exit code (the check execs it).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The shell the check runs in (a system file, read-only inside). */
export const CHECK_SHELL = '/bin/sh';

/**
 * `sh -c EXEC_CHECK_SH paddock-exec CMD ARGS…`: finds CMD as execvp would (the same PATH), then
 * execs it. Caller data is only ever in the positional parameters, never in the script text. Its
 * own variables are unset before the exec (threat: a secret delivered as `env` under one of their
 * names reaching the agent changed). `set -f`: a `*` in PATH is not a glob.
 */
export const EXEC_CHECK_SH = [
  'set -f; __pc=$1; __pf=; __px=',
  'case $__pc in',
  "'') printf \"paddock: the command is empty: name a program (paddock run PROFILE -- CMD ARGS..., or the profile's command).\\n\" >&2; exit 127 ;;",
  '*/*) __pf=$__pc ;;',
  '*) IFS=:',
  '  for __pd in $PATH; do',
  '    [ -n "$__pd" ] || __pd=.',
  '    if [ -f "$__pd/$__pc" ]; then',
  '      if [ -x "$__pd/$__pc" ]; then __pf=$__pd/$__pc; break; fi',
  '      [ -n "$__px" ] || __px=$__pd/$__pc',
  '    fi',
  '  done',
  '  unset IFS',
  '  if [ -z "$__pf" ] && [ -n "$__px" ]; then',
  '    printf "paddock: %s cannot be run inside the sandbox: %s is not executable there (a \\"deny exec\\" rule masks a program this way). Check the agent\'s exec rules and the file\'s mode.\\n" "$__pc" "$__px" >&2; exit 126',
  '  fi',
  '  if [ -z "$__pf" ]; then',
  // $0 says the start's note already explained where the sandbox looks: one line, not the same twice.
  '    if [ "$0" = paddock-exec-noted ]; then printf "paddock: %s: command not found inside the sandbox (see the note above).\\n" "$__pc" >&2; exit 127; fi',
  '    printf "paddock: %s: command not found inside the sandbox (PATH there: %s). Install it where the sandbox can see it (/usr, /usr/local, /opt, or the agent\'s own ~/.local/bin: your home is not visible inside), or give its full path.\\n" "$__pc" "$PATH" >&2; exit 127',
  '  fi ;;',
  'esac',
  'if [ ! -e "$__pf" ]; then',
  '  printf "paddock: %s: no such file inside the sandbox. Only system folders, the agent\'s home and workspace and its granted folders are visible there: grant the folder that holds it, or install it under /usr or /opt.\\n" "$__pc" >&2; exit 127',
  'fi',
  'if [ -d "$__pf" ]; then',
  '  printf "paddock: %s cannot be run: it is a folder. Give the path of a program.\\n" "$__pc" >&2; exit 126',
  'fi',
  'if [ ! -x "$__pf" ]; then',
  '  printf "paddock: %s cannot be run inside the sandbox: it is not executable there (a \\"deny exec\\" rule masks a program this way). Check the agent\'s exec rules and the file\'s mode.\\n" "$__pc" >&2; exit 126',
  'fi',
  // dash exports PWD itself: the environment inside is exactly the contract's (PRODUCT.md).
  'unset __pc __pf __px __pd PWD; set +f',
  'exec "$@"',
].join('\n');

/**
 * The command wrapped in the check, or null when the check cannot run: no `/bin/sh`, or a
 * rule masks it (`masked`: true for a real path made unrunnable inside); `noted`: the start's notes
 * already say the program is not visible inside (the check then says so in one line). Then bwrap's own failure
 * is what the user sees, never a refused start of a command that would have run.
 */
export function withExecCheck(command: readonly string[], masked: (realPath: string) => boolean, noted = false): string[] | null {
  let names: string[];
  try {
    // Every name a mask may carry: /bin/sh, /usr/bin/sh (merged /usr), the real file (dash).
    names = [CHECK_SHELL, path.join(realpathSync(path.dirname(CHECK_SHELL)), path.basename(CHECK_SHELL)), realpathSync(CHECK_SHELL)];
  } catch {
    return null;
  }
  if (names.some(masked)) return null;
  return [CHECK_SHELL, '-c', EXEC_CHECK_SH, noted ? 'paddock-exec-noted' : 'paddock-exec', ...command];
}
