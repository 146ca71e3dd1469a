import type { Rule } from '../../shared/rules.schema.js';

/** Access mode of a granted host folder (PRODUCT.md "Folders"). */
export type FolderAccess = 'ro' | 'rw' | 'copy';

/** Progress of copying a `copy` folder into the workspace at first start. */
export interface CopyProgress {
  kind: 'copy';
  /** The folder's host path as granted. */
  folder: string;
  copied: number;
  total: number;
}

/** Everything needed to plan one sandboxed run of an agent. All paths are absolute host paths. */
export interface SandboxSpec {
  /** Agent name: `USER` and `PADDOCK_AGENT` inside. */
  agent: string;
  runId: string;
  /** Paddock's data dir: never visible inside (database, sockets, other agents). */
  dataDir: string;
  /**
   * Other Paddock data dirs to hide as well (real or not). Default: the ones the host's own
   * environment names (the platform's default, `$PADDOCK_HOME`; see `otherDataDirs`).
   */
  otherDataDirs?: string[];
  /**
   * Paddock's package folder, whose code is read-only inside (null: none). Default: found from
   * this module's own location (`packageRoot`), never from anything an agent could set.
   */
  codeRoot?: string | null;
  /** The agent's private home (default `<data-dir>/agents/<name>/home`). */
  home: string;
  /** The agent's workspace; the current directory inside, at the same absolute path. */
  workspace: string;
  /** Extra host folders (`~` already expanded). */
  folders: { path: string; access: FolderAccess }[];
  /** argv run inside. */
  command: string[];
  /** Start it through the exec check: a command not there exits 127, one that cannot run 126, each with a `paddock: …` sentence. */
  checkCommand?: boolean;
  /** Parsed rules; the sandbox enforces the read / write / exec ones at launch. */
  rules: Rule[];
  /** Content of the instruction file written into the workspace. */
  instructions: string;
  /** Default `PADDOCK.md`. */
  instructionFile?: string;
  /** Extra variables (proxy, CA bundle, env secrets). Cannot override HOME, USER or PADDOCK_AGENT. */
  extraEnv?: Record<string, string>;
  /** Directories (inside paths) put in front of the default PATH, e.g. the helpers' bin dir. */
  extraPath?: string[];
  /** Trusted binds from the engine (proxy socket, helper binaries). */
  extraBinds?: { src: string; dest: string; mode: 'ro' | 'rw' }[];
  /** Files that exist only inside (file secrets): delivered through a pipe, never written to host disk. */
  extraFiles?: { dest: string; content: string | Buffer; mode: number }[];
  /** Interactive shell: keep the controlling TTY (omits `--new-session`; TIOCSTI is then blocked by seccomp). */
  tty?: boolean;
  term?: string;
  lang?: string;
  tz?: string;
  /**
   * Folders the other agents can write (their homes, workspaces, rw folders and write-rule paths):
   * a symbolic link inside one on the way to this agent's grants is refused (it may have been planted).
   */
  othersWritable?: string[];
  /** The real user's home, for refusing grants that would expose it. Default `os.homedir()`. */
  userHome?: string;
  /** Another `PATH` of the user's (a guest run's terminal), protected besides this process's `PATH`. */
  userPath?: string;
  onProgress?: (e: CopyProgress) => void;
}
