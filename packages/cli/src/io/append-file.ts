import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * A file opened for appending whole lines durably: each `writeLine` is one `write(2)` of the full
 * line followed by `fsync`, so a process killed at any moment leaves either the whole line or
 * nothing of it (a torn line can only come from a crash of the machine, and readers drop a last
 * line without its newline).
 *
 * @example
 * const out = new AppendFile('results.tsv');
 * out.writeLine('0\t9\t9\t0.812\t1\t0:00:00.127000\n');
 * out.close();
 */
export class AppendFile {
  #fd: number | null;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }

  /** Appends `line` (which must end with a newline) with one write, then fsyncs. */
  writeLine(line: string): void {
    if (this.#fd === null) throw new Error(`${this.path} is closed`);
    if (!line.endsWith('\n')) throw new Error('writeLine needs a line that ends with a newline');
    const bytes = Buffer.from(line, 'utf8');
    const written = writeSync(this.#fd, bytes, 0, bytes.length);
    if (written !== bytes.length) throw new Error(`short write to ${this.path}: ${written} of ${bytes.length} bytes`);
    fsyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }
}
