import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NamedTable } from '../analyze/certified-accuracy.js';
import { CliError } from '../errors.js';
import { certifiedAccuracySvg, type PlotOptions } from './svg.js';

/** SVG-to-PNG renderers tried in order: librsvg's `rsvg-convert`, then ImageMagick. */
const RENDERERS: ReadonlyArray<{ name: string; args: (src: string, out: string) => string[] }> = [
  { name: 'rsvg-convert', args: (src, out) => ['--zoom', '2', '--background-color', 'white', '-o', out, src] },
  { name: 'convert', args: (src, out) => ['-density', '200', src, `png:${out}`] },
  { name: 'magick', args: (src, out) => ['-density', '200', src, `png:${out}`] },
];

/**
 * Writes the certified-accuracy plot to `path`: SVG directly, PNG through the first renderer that
 * works (`rsvg-convert` from librsvg2-bin, else ImageMagick's `convert` / `magick`; an error naming
 * what to install when none does). Written atomically (temporary file, rename).
 */
export function writePlot(path: string, tables: NamedTable[], o: PlotOptions): void {
  const svg = certifiedAccuracySvg(tables, o);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  if (/\.svg$/i.test(path)) {
    try {
      writeFileSync(tmp, svg, { flag: 'wx' });
      renameSync(tmp, path);
    } catch (err) {
      throw new CliError(`cannot write ${path}: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
    } finally {
      rmSync(tmp, { force: true });
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rsmooth-plot-'));
  const failures: string[] = [];
  try {
    const src = join(dir, 'plot.svg');
    writeFileSync(src, svg);
    for (const renderer of RENDERERS) {
      const r = spawnSync(renderer.name, renderer.args(src, tmp), { encoding: 'utf8' });
      if (!r.error && r.status === 0 && existsSync(tmp) && isPng(tmp)) {
        try {
          renameSync(tmp, path);
        } catch (err) {
          throw new CliError(`cannot write ${path}: ${(err as Error).message}`, { code: 'RS_WRITE_FAILED', exitCode: 1, cause: err });
        }
        return;
      }
      rmSync(tmp, { force: true });
      failures.push(`${renderer.name}: ${r.error ? 'not found' : (r.stderr || 'no PNG written').trim().split('\n')[0]}`);
    }
    throw new CliError(`cannot write ${path}: PNG needs an SVG renderer (${failures.join('; ')}); install librsvg2-bin or imagemagick, or write .svg`, {
      code: 'RS_RENDERER_MISSING',
      exitCode: 1,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
}

function isPng(file: string): boolean {
  const head = readFileSync(file).subarray(0, 8);
  return head.length === 8 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47;
}
