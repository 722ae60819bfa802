import { readFileSync, statSync } from 'node:fs';
import { CliError } from '../errors.js';

/**
 * Checks that an input path is a regular file (a symlink to one is followed): a missing file is
 * `RS_FILE_NOT_FOUND`; a directory, device or FIFO `RS_FILE_UNREADABLE` (reading `/dev/zero` or a
 * FIFO would never end). `what` names it in messages, e.g. `--data x.npy`.
 */
export function checkInputFile(what: string, path: string, o: { folderAllowed?: boolean } = {}): void {
  let s: ReturnType<typeof statSync>;
  try {
    s = statSync(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR';
    throw new CliError(missing ? `${what}: file not found` : `${what}: cannot read it: ${(err as Error).message}`, {
      code: missing ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
      cause: err,
    });
  }
  if (o.folderAllowed && s.isDirectory()) return; // a TF.js model.json's folder: the backend looks inside
  if (!s.isFile())
    throw new CliError(`${what}: not a regular file (${s.isDirectory() ? 'a directory' : 'a device, FIFO or socket'})`, { code: 'RS_FILE_UNREADABLE' });
}

/**
 * Reads a regular input file whole (see {@link checkInputFile}).
 */
export function readInputFile(what: string, path: string): Buffer {
  checkInputFile(what, path);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`${what}: cannot read it: ${(err as Error).message}`, { code: 'RS_FILE_UNREADABLE', cause: err });
  }
}
