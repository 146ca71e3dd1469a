/** Most output a session keeps for a viewer that (re)attaches (threat: unbounded buffering). */
export const SCROLLBACK_BYTES = 256 * 1024;

/**
 * A terminal's recent output, bounded: a ring of chunks holding at most `max` bytes. When the
 * oldest output falls off, the replay starts after the next line break (when one is near) so it
 * does not begin in the middle of a line or an escape sequence.
 */
export class Scrollback {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly max = SCROLLBACK_BYTES) {}

  /** Appends output; drops the oldest bytes beyond the bound. */
  push(d: Buffer): void {
    if (d.length === 0) return;
    const chunk = d.length > this.max ? d.subarray(d.length - this.max) : d;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    let dropped = false;
    while (this.bytes > this.max) {
      const first = this.chunks[0]!;
      const excess = this.bytes - this.max;
      dropped = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.bytes -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.bytes -= excess;
      }
    }
    if (dropped) this.alignToLine();
  }

  /** Everything kept, oldest first. */
  snapshot(): Buffer {
    return Buffer.concat(this.chunks, this.bytes);
  }

  get size(): number {
    return this.bytes;
  }

  /** After a cut, starts at the next line (within 4 KiB) rather than mid-line. */
  private alignToLine(): void {
    const first = this.chunks[0];
    if (!first) return;
    const nl = first.subarray(0, 4096).indexOf(0x0a);
    if (nl < 0) return;
    this.chunks[0] = first.subarray(nl + 1);
    this.bytes -= nl + 1;
    if (this.chunks[0].length === 0) this.chunks.shift();
  }
}
