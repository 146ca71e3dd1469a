import { closeSync, openSync } from 'node:fs';
import tty from 'node:tty';
import { PaddockError } from '../../shared/errors.js';
import type { PassphrasePrompt } from './master-key.js';

/** Reads one line from the controlling terminal with echo off. Resolves null on Ctrl-D at an empty line. */
export function readHidden(question: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    // Each stream owns its own descriptor and closes it when destroyed.
    const input = new tty.ReadStream(openSync('/dev/tty', 'r'));
    const output = new tty.WriteStream(openSync('/dev/tty', 'w'));
    let line = '';
    const done = (err: Error | null, value: string | null): void => {
      input.setRawMode(false);
      input.removeAllListeners('data');
      input.destroy();
      output.end('\n');
      if (err) reject(err);
      else resolve(value);
    };
    output.write(question);
    // Threat: the passphrase echoed on screen or into terminal scrollback.
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null, line);
        if (ch === '\u0003') return done(new PaddockError('E_VAULT_LOCKED', 'cancelled: the vault stays locked'), null);
        if (ch === '\u0004') return done(null, line === '' ? null : line);
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else if (ch >= ' ') line += ch;
      }
    });
    input.resume();
  });
}

/**
 * A passphrase prompt on the controlling terminal (`/dev/tty`, so stdin stays free for the secret's
 * value), or undefined when the process has no terminal.
 */
export function ttyPassphrasePrompt(): PassphrasePrompt | undefined {
  if (process.platform === 'win32') return undefined;
  let probe: number;
  try {
    probe = openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  closeSync(probe);
  return async (question, { confirm }) => {
    const first = await readHidden(question);
    if (first === null || !confirm) return first;
    const again = await readHidden('Repeat the passphrase: ');
    if (again !== first) throw new PaddockError('E_VAULT_LOCKED', 'the two passphrases differ: nothing was stored; try again');
    return first;
  };
}
