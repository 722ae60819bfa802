import { realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from '../errors.js';

/**
 * True for `-`, which means stdout where a command streams its output.
 *
 * @example
 * if (isStdout(flags.out)) writeRowsToStdout();
 */
export function isStdout(path: string | undefined): boolean {
  return path === '-';
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot check ${path}: ${(err as Error).message}`, { code: 'RS_OUTPUT_NOT_REGULAR', cause: err });
  }
}

/**
 * Checks an output path before anything is read or written: its folder must exist, and the path
 * must be absent or a regular file (a symlink to one is followed). A directory, a device such as
 * `/dev/full` or `/dev/stdout`, or a FIFO is refused (`RS_OUTPUT_NOT_REGULAR`): reading one back,
 * as a resume does, could block or never end. Returns whether the file exists.
 *
 * @example
 * const exists = checkOutputPath('certify', '--out', 'results.tsv');
 */
export function checkOutputPath(command: string, flag: string, path: string): boolean {
  const dir = dirname(resolve(path));
  const d = statOrNull(dir);
  if (!d?.isDirectory()) throw new CliError(`rsmooth ${command}: the folder of ${flag} does not exist: ${dir}`, { code: 'RS_USAGE' });
  const s = statOrNull(path);
  if (s && !s.isFile()) {
    const what = s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : 'a special file';
    throw new CliError(
      `rsmooth ${command}: ${flag} ${path} is not a regular file (it is ${what}); give the path of a file to write${flag === '--out' ? ", or '-' for stdout where the command streams" : ''}`,
      {
        code: 'RS_OUTPUT_NOT_REGULAR',
      },
    );
  }
  return s !== null;
}

/**
 * An identity of a path for comparisons: device and inode when it exists (so links and different
 * spellings of one file compare equal), else the resolved real path of its folder plus its name.
 */
export function fileIdentity(path: string): string {
  const s = statOrNull(path);
  if (s) return `inode:${s.dev}:${s.ino}`;
  const abs = resolve(path);
  let dir = dirname(abs);
  try {
    dir = realpathSync(dir);
  } catch {
    // a folder that does not exist: compare by the spelling
  }
  return `path:${dir}/${abs.slice(dirname(abs).length + 1)}`;
}

/**
 * True when two paths name the same file (existing or not).
 *
 * @example
 * sameFile('r.tsv', './r.tsv'); // true
 */
export function sameFile(a: string, b: string): boolean {
  return fileIdentity(a) === fileIdentity(b);
}
