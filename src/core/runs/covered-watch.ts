import type { NewEvent } from '../../shared/events.schema.js';
import { MaskWatch } from '../sandbox/index.js';

/**
 * Watches a run's covered paths (masks, read-only covers) and the paths that must stay absent (git
 * redirects). Threat: a covered path replaced on the host is no longer covered inside (the bind
 * mount stays on the old inode), and a planted `.git/commondir` makes git take its config and hooks
 * from a folder the agent writes: the run is alerted on and paused (fail closed).
 */
export function coveredWatch(o: {
  agent: string;
  run: string;
  covered: string[];
  mustStayAbsent: string[];
  log: (e: NewEvent) => void;
  pause: (why: string) => void;
}): MaskWatch {
  const { agent, run } = o;
  return new MaskWatch(
    o.covered,
    (p) => {
      const planted = o.mustStayAbsent.includes(p);
      const git = planted && /\/(commondir|config\.worktree)$/.test(p);
      o.log({
        kind: 'alert',
        agent,
        run,
        type: git ? 'git-redirect' : planted ? 'login-plant' : 'mask-replaced',
        message: git
          ? `${p} appeared during the run: it makes git take its config and hooks from another folder (code the agent could have written runs on your next git command); ${agent} was paused. Check and remove that file before using git there.`
          : planted
            ? `${p} appeared during the run: programs it names run as you at your next login, desktop start or SSH connection; ${agent} was paused. Check and remove it.`
            : `${p} was replaced during the run, so the mask or read-only cover (or the watched link) on it no longer holds; ${agent} was paused. Stop it and start it again to cover the new file.`,
      });
      o.pause(`${git ? 'a git redirect appeared' : planted ? 'a login file appeared' : 'a covered path was replaced on the host'}: ${p}`);
    },
    o.mustStayAbsent,
  );
}
