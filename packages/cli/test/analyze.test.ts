import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, rsmooth, tempDir } from './helpers.js';

// A small certify file written by hand (Cohen's radius format '{:.3}' mixed in: 1.25, 0.0).
const TSV = [
  'idx\tlabel\tpredict\tradius\tcorrect\ttime',
  '0\t1\t1\t0.500\t1\t0:00:01.000000',
  '1\t2\t2\t1.25\t1\t0:00:01',
  '2\t3\t-1\t0.0\t0\t0:00:01.5',
  '3\t4\t5\t0.800\t0\t0:00:01.000000',
  '4\t0\t0\t0.250\t1\t0:00:01.000000',
].join('\n');

// By hand: 5 rows; correct rows have radii 0.5, 1.25, 0.25; one abstain.
// certified accuracy at r = 0, 0.5, 1: 3/5, 2/5, 1/5; accuracy 0.6, abstain 0.2, ACR (0.5 + 1.25 + 0.25) / 5 = 0.4.
const highProb = (mean: number, alpha = 0.001, rho = 0.001, m = 5) =>
  Math.max(0, mean - alpha - Math.sqrt((alpha * (1 - alpha) * Math.log(1 / rho)) / m) - Math.log(1 / rho) / (3 * m));

describe('rsmooth analyze (the first case through the executable, the others in this process)', () => {
  const dir = tempDir();
  const a = join(dir, 'a.tsv');
  // the second file ends in a torn line, which must be ignored
  const b = join(dir, 'b.tsv');
  writeFileSync(a, `${TSV}\n`);
  writeFileSync(b, `${TSV.split('\n').slice(0, 3).join('\n')}\n3\t4\t4\t0.9`);

  it('markdown: the known table', () => {
    const r = rsmooth(['analyze', a, '--radii', '0:1:0.5']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('| file | inputs | accuracy | abstain | ACR | r = 0.00 | r = 0.50 | r = 1.00 |');
    expect(r.stdout).toContain('| a.tsv | 5 | 0.600 | 0.200 | 0.400 | 0.600 | 0.400 | 0.200 |');
    const hp = [0.6, 0.4, 0.2].map((m) => highProb(m).toFixed(3));
    expect(hp).toEqual(['0.101', '0.000', '0.000']);
    expect(r.stdout).toContain(`| a.tsv | 5 | ${hp.join(' | ')} |`);
  });

  it('csv with two files, legend names, a torn last line ignored with a warning', async () => {
    const r = await cli(['analyze', a, b, '--radii', '0,0.5,1', '--format', 'csv', '--names', 'first,second']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/b\.tsv: ignoring a last line without its newline/);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('file,inputs,accuracy,abstain_rate,acr,approx@0.00,approx@0.50,approx@1.00,highprob@0.00,highprob@0.50,highprob@1.00');
    expect(lines[1]).toBe(`first,5,0.600,0.200,0.400,0.600,0.400,0.200,${[0.6, 0.4, 0.2].map((m) => highProb(m).toFixed(3)).join(',')}`);
    // b: rows 0 and 1 only: both correct, radii 0.5 and 1.25
    expect(lines[2]).toBe(`second,2,1.000,0.000,0.875,1.000,1.000,0.500,${[1, 1, 0.5].map((m) => highProb(m, 0.001, 0.001, 2).toFixed(3)).join(',')}`);
  });

  it('latex, and --alpha / --rho of the high-probability bound', async () => {
    const r = await cli(['analyze', a, '--radii', '0:1:0.5', '--format', 'latex', '--alpha', '0.01', '--rho', '0.05']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\\begin{tabular}{lcccc}');
    expect(r.stdout).toContain('a.tsv & 0.400 & 0.600 & 0.400 & 0.200 \\\\');
    expect(r.stdout).toContain(`a.tsv & 0.400 & ${[0.6, 0.4, 0.2].map((m) => `${highProb(m, 0.01, 0.05).toFixed(3)}`).join(' & ')} \\\\`);
  });

  it('--plot writes an SVG with axes, ticks, labels, one line per file and a legend', async () => {
    const svg = join(dir, 'curve.svg');
    const r = await cli(['analyze', a, b, '--names', 'sigma = 0.25,sigma = 0.50', '--radii', '0:1.5:0.25', '--plot', svg, '--title', 'Fashion-MNIST']);
    expect(r.status).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<\?xml/);
    expect(text.match(/<polyline /g)).toHaveLength(2);
    for (const s of ['radius (L2)', 'certified accuracy', 'sigma = 0.25', 'sigma = 0.50', 'Fashion-MNIST', '>1.2<', '>0.8<']) expect(text).toContain(s);
  });

  const renderer = ['rsvg-convert', 'convert', 'magick'].find((r) => !spawnSync(r, ['--version']).error && spawnSync(r, ['--version']).status === 0);
  it.runIf(Boolean(renderer))('writes a PNG plot through an SVG renderer (needs rsvg-convert or ImageMagick; skipped when absent)', async () => {
    const png = join(dir, 'curve.png');
    const r = await cli(['analyze', a, '--plot', png]);
    expect(r.status, r.stderr).toBe(0);
    const head = readFileSync(png).subarray(0, 8);
    expect(Array.from(head)).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('rejects bad input', async () => {
    expect((await cli(['analyze'])).stderr).toMatch(/give at least one results file/);
    expect((await cli(['analyze', join(dir, 'none.tsv')])).stderr).toMatch(/results file not found/);
    expect((await cli(['analyze', a, '--radii', '1:0:0.5'])).stderr).toMatch(/--radii: .*start:stop:step/);
    expect((await cli(['analyze', a, '--format', 'html'])).stderr).toMatch(/--format must be 'md', 'csv' or 'latex'/);
    expect((await cli(['analyze', a, '--plot', 'x.pdf'])).stderr).toMatch(/--plot must end in \.svg or \.png/);
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, 'idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\tx\t0.5\t1\t0:00:01\n');
    const r = await cli(['analyze', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.tsv, line 2: predict must be a class index or -1/);
  });
});
