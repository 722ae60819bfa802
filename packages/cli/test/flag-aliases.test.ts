import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFlagAliases } from '../src/cli/flag-aliases.js';
import { FIXTURE, rsmooth, tempDir, withoutTime } from './helpers.js';

describe("Cohen et al.'s --N0 / --N", () => {
  it('are rewritten to --n0 / --n where the command has them, not after --', () => {
    const spec = { n: {}, n0: {} };
    expect(applyFlagAliases(['--N0', '100', '--N=1000', '--max', '2'], spec)).toEqual(['--n0', '100', '--n=1000', '--max', '2']);
    expect(applyFlagAliases(['--N', '5'], { epochs: {} })).toEqual(['--N', '5']);
    expect(applyFlagAliases(['a.tsv', '--', '--N'], spec)).toEqual(['a.tsv', '--', '--N']);
  });

  it('certify with --N0 / --N writes the rows of --n0 / --n; train has no --N', () => {
    const dir = tempDir();
    const common = ['certify', ...FIXTURE, '--max', '3', '--batch', '300', '--quiet'];
    const a = rsmooth([...common, '--N0', '50', '--N', '300', '--out', join(dir, 'a.tsv')]);
    const b = rsmooth([...common, '--n0', '50', '--n', '300', '--out', join(dir, 'b.tsv')]);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(withoutTime(join(dir, 'a.tsv'))).toEqual(withoutTime(join(dir, 'b.tsv')));
    expect(withoutTime(join(dir, 'a.tsv'))).toHaveLength(4);
    const p = rsmooth(['predict', ...FIXTURE, '--max', '1', '--N', '200', '--quiet']);
    expect(p.status).toBe(0);
    const t = rsmooth(['train', '--N', '5']);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/unknown option '--N'/);
  });
});
