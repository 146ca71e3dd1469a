import { PassThrough, type Readable } from 'node:stream';

/**
 * Copies a run's output stream to `record` and hands the same bytes on through the returned stream,
 * with the source's pace: when the reader stops reading, the source pauses (as if read directly).
 * `ended` resolves when the source has ended (every byte recorded) or failed.
 */
export function tee(src: Readable, record: (chunk: Buffer) => void, end: () => void): { stream: Readable; ended: Promise<void> } {
  const out = new PassThrough();
  let done = false;
  const ended = new Promise<void>((resolve) => {
    const finish = (): void => {
      if (done) return;
      done = true;
      try {
        end();
      } finally {
        resolve();
      }
    };
    src.on('data', (d: Buffer) => {
      record(d);
      if (!out.write(d)) src.pause();
    });
    out.on('drain', () => src.resume());
    src.once('end', () => {
      finish();
      out.end();
    });
    src.once('error', (e) => {
      finish();
      out.destroy(e);
    });
    src.once('close', () => {
      finish();
      if (!out.writableEnded) out.end();
    });
  });
  return { stream: out, ended };
}
