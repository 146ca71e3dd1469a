import { execFile } from 'node:child_process';

/**
 * Git settings that run no program, read no other file and redirect nothing: what `git init`,
 * `git clone`, `git remote add`, `git config user.*` and `git checkout -b` write. Everything else
 * counts as able to run a program (an allow-list on purpose: git keeps adding keys that run
 * commands — `core.fsmonitor`, `core.hooksPath`, `core.sshCommand`, `core.pager`, `filter.*`,
 * `diff.*.textconv`, `remote.*.uploadpack`, `include.path`, `alias.*`, `gc.recentObjectsHook`,
 * `hook.*.command`…). Keys are as `git config --list` prints them (section and name lower case).
 */
const SAFE: RegExp[] = [
  /^core\.(repositoryformatversion|filemode|bare|logallrefupdates|ignorecase|precomposeunicode|symlinks|autocrlf|safecrlf|eol|quotepath|abbrev|compression|loosecompression|bigfilethreshold|sparsecheckout|sparsecheckoutcone|untrackedcache|splitindex|commentchar|whitespace|checkstat|trustctime|preloadindex|warnambiguousrefs|multipackindex|commitgraph|excludesfile)$/,
  /^(user|author|committer)\.(name|email)$/,
  /^remote\.[^\n]*\.(url|pushurl|fetch|push|tagopt|prune|prunetags|mirror|skipdefaultupdate|skipfetchall|promisor|partialclonefilter)$/,
  /^branch\.[^\n]*\.(remote|merge|rebase|pushremote|description)$/,
  /^submodule\.[^\n]*\.(url|active|branch|fetchrecursesubmodules|ignore|shallow)$/,
  /^init\.defaultbranch$/,
  /^extensions\.(objectformat|refstorage|worktreeconfig|partialclone|preciousobjects|noop)$/,
  /^(color|column|advice|i18n|status)\.[^.\n]+$/,
  /^color\.(diff|status|branch|grep|interactive|decorate)\.[^.\n]+$/,
  /^(pull\.(rebase|ff)|push\.(default|autosetupremote|followtags)|fetch\.(prune|prunetags)|merge\.(ff|conflictstyle)|rebase\.(autosquash|autostash|updaterefs))$/,
  /^(diff\.(renames|algorithm|mnemonicprefix|noprefix|colormoved)|log\.(date|decorate|abbrevcommit|follow)|tag\.sort|index\.(version|threads)|feature\.manyfiles)$/,
  /^lfs\.repositoryformatversion$/,
];

/** The values `git lfs install --local` writes: git-lfs from the user's PATH, nothing the agent wrote. */
const LFS: Record<string, string> = {
  'filter.lfs.clean': 'git-lfs clean -- %f',
  'filter.lfs.smudge': 'git-lfs smudge -- %f',
  'filter.lfs.process': 'git-lfs filter-process',
  'filter.lfs.required': 'true',
};

/** The keys of `entries` that may run a program (or pull in other settings). */
export function programKeys(entries: Array<[string, string]>): string[] {
  return entries.filter(([k, v]) => LFS[k] !== v && !SAFE.some((re) => re.test(k))).map(([k]) => k);
}

/**
 * The settings of one git config file as the host's own git parses them (so no parser difference
 * can hide a key), without following includes (an include is itself a finding). Null when git
 * cannot read it or is not installed: the caller treats that as unsafe.
 */
export function readGitConfig(file: string): Promise<Array<[string, string]> | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['config', '--file', file, '--no-includes', '--list', '-z'],
      {
        // Threat: the scan itself using settings from the machine or a repository around '/'.
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' },
        timeout: 10_000,
        maxBuffer: 4 << 20,
        encoding: 'utf8',
      },
      (err, out) => {
        if (err) return resolve(null);
        const entries = out
          .split('\0')
          .filter(Boolean)
          .map((e): [string, string] => {
            const nl = e.indexOf('\n');
            return nl < 0 ? [e, ''] : [e.slice(0, nl), e.slice(nl + 1)];
          });
        resolve(entries);
      },
    );
  });
}
