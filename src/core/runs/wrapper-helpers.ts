/**
 * Recognises the process starts of a wrapper Paddock put around a run's command (the terminal
 * session's `script` / `sh -c stty …; exec CMD` / `stty`), so their `proc.exec` events are marked
 * `paddock: true` (hidden by default, never dropped from the log).
 *
 * An argv is the wrapper's only if it equals one of `helpers` exactly (this run's size and command)
 * AND no other program of the run has been seen yet: the wrapper starts, and execs the command,
 * before anything of the agent can run, so the first start that is not the wrapper's closes the
 * window for good. Threat: an agent hiding its processes from the default view by copying the
 * wrapper's argv (it can read it in /proc); once its command has been seen, nothing more is marked.
 */
export function wrapperHelpers(helpers: readonly (readonly string[])[]): (argv: readonly string[]) => boolean {
  let open = helpers.length > 0;
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  return (argv) => {
    if (!open) return false;
    if (helpers.some((h) => same(h, argv))) return true;
    open = false;
    return false;
  };
}
