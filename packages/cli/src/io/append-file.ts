import { closeSync, constants, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { CliError } from '../errors.js';

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/**
 * A file opened for appending whole lines durably: each `writeLine` is one `write(2)` of the full
 * line followed by `fsync`, so a process killed at any moment leaves either the whole line or
 * nothing of it (a torn line can only come from a crash of the machine, and readers drop a last
 * line without its newline). Only a regular file is opened: a FIFO or device is refused
 * (`RS_OUTPUT_NOT_REGULAR`, opened non-blocking so a FIFO without a reader cannot hang the open);
 * a failed write (disk full, I/O error) is `RS_WRITE_FAILED`.
 *
 * @example
 * const out = new AppendFile('results.tsv');
 * out.writeLine('0\t9\t9\t0.812\t1\t0:00:00.127000\n');
 * out.close();
 */
export class AppendFile {
  #fd: number | null;

  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, APPEND, 0o666);
    } catch (err) {
      throw new CliError(`cannot open ${path} for writing: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
    }
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new CliError(`${path} is not a regular file`, { code: 'RS_OUTPUT_NOT_REGULAR' });
    }
    this.#fd = fd;
  }

  /** Appends `line` (which must end with a newline) with one write, then fsyncs. */
  writeLine(line: string): void {
    if (this.#fd === null) throw new CliError(`${this.path} is closed`, { code: 'RS_WRITE_FAILED', exitCode: 1 });
    if (!line.endsWith('\n')) throw new CliError('writeLine needs a line that ends with a newline', { code: 'RS_WRITE_FAILED', exitCode: 1 });
    const bytes = Buffer.from(line, 'utf8');
    let written: number;
    try {
      written = writeSync(this.#fd, bytes, 0, bytes.length);
      fsyncSync(this.#fd);
    } catch (err) {
      throw new CliError(`writing ${this.path} failed: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
    }
    if (written !== bytes.length)
      throw new CliError(`short write to ${this.path}: ${written} of ${bytes.length} bytes`, { code: 'RS_WRITE_FAILED', exitCode: 1 });
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }
}
