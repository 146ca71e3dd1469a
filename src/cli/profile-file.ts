import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_PROFILE_BYTES } from '../shared/profile-defaults.js';

/**
 * Reads a profile named on the command line; an unreadable file is reported like a bad profile.
 * Threat: a huge file, or one that never ends (`/dev/zero`, a pipe fed forever), read whole into
 * memory before its size was checked (3 GB: 4 GiB of memory and 18 s for an error; `/dev/zero`:
 * until the machine ran out of memory), or a FIFO with no writer waited on forever. Only a regular
 * file is read (as the engine's loadProfile does), and at most one byte past the limit.
 */
export function readProfileFile(file: string): { text: string } | { error: string } {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer before it can be refused.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { error: `${file}:1:1: cannot read the profile: ${reason(e)}` };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { error: `${file}:1:1: cannot read the profile: is a folder, not a profile file` };
    if (!st.isFile()) return { error: `${file}:1:1: not a regular file: give the path of a .yaml profile` };
    const buf = Buffer.alloc(MAX_PROFILE_BYTES + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, null);
    if (got > MAX_PROFILE_BYTES) return { error: `${file}:1:1: the profile is larger than 256 KiB: a profile is a short file` };
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, got)) };
  } catch (e) {
    return { error: `${file}:1:1: cannot read the profile: ${reason(e)}` };
  } finally {
    closeSync(fd);
  }
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof TypeError) return 'the file is not UTF-8 text: save it as UTF-8';
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a profile file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
}
