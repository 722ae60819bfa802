import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(PKG, '../..');
const shim = join(PKG, 'bin/rsmooth.js');

describe('the rsmooth executable', () => {
  it('package.json names the committed shim, which npm links at install time, before dist/ is built', () => {
    const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ rsmooth: './bin/rsmooth.js' });
    expect(pkg.files).toContain('bin');
    const tracked = spawnSync('git', ['ls-files', '--error-unmatch', 'bin/rsmooth.js'], { cwd: PKG, encoding: 'utf8' });
    expect(tracked.status, 'bin/rsmooth.js must be committed').toBe(0);
  });

  it('npx rsmooth runs from the repository root (the workspace link made by npm ci)', () => {
    expect(realpathSync(join(ROOT, 'node_modules/.bin/rsmooth'))).toBe(realpathSync(shim));
    const r = spawnSync('npx', ['--no-install', 'rsmooth', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')).version);
  });

  it('says how to build when dist/ is missing', () => {
    const copy = tempDir();
    mkdirSync(join(copy, 'bin'));
    copyFileSync(shim, join(copy, 'bin/rsmooth.js'));
    copyFileSync(join(PKG, 'package.json'), join(copy, 'package.json'));
    const r = spawnSync(process.execPath, [join(copy, 'bin/rsmooth.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rsmooth is not built yet \(.*dist\/bin\/rsmooth\.js is missing\): run 'npm run build' at the repository root\n$/);
  });
});
