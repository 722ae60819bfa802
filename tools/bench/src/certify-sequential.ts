/**
 * Sequential certification against fixed-n certify, in the same run, on the bundled Fashion-MNIST
 * CNN (packages/cli/assets/model.onnx): every 20th test image (500 by default), sigma 0.25,
 * n0 100, budget n = 100,000, alpha 0.001, batch 1000.
 *
 * For each group of images (100 by default, as `rsmooth certify --sequential` runs them) it
 * certifies with fixed n, then with each sequential configuration (radius mode at each radius and
 * budget mode, both bounds), so that load from other processes hits every configuration alike.
 * Printed: certified accuracy at r (sequential vs fixed n), samples in all (selection + estimation,
 * including lookahead samples the scheduler drew and dropped), the sample and wall-clock ratios,
 * samples/s (the scheduler's throughput next to fixed n's), and for budget mode the mean
 * |radius difference| to fixed n.
 *
 * Usage: node tools/bench/dist/certify-sequential.js [--images 500] [--n 100000] [--batch 1000] [--threads 2] [--group 100] [--tolerance 0.05]
 *   [--budget-bounds clopper-pearson,beta-binomial-mixture] (the bounds budget mode runs with; '' for none)
 * `npm run bench:sequential` runs it on 500 images (about 1.5 h on 2 cores); `npm run bench` on 50
 * (BENCH_SEQUENTIAL_IMAGES sets the number).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CertifyResult, SequentialOptions } from '@rs/core';
import { loadFashionMnist } from '@rs/datasets';
import { OnnxRandomizedSmoothing } from '@rs/onnx';
import { arg } from './util.js';

const MODEL = fileURLToPath(new URL('../../../packages/cli/assets/model.onnx', import.meta.url));
const BOUNDS = ['clopper-pearson', 'beta-binomial-mixture'] as const;

interface Config {
  name: string;
  sequential: SequentialOptions | null;
}

interface Totals {
  seconds: number;
  /** Samples evaluated: selection + estimation (sequential: drawn, lookahead included). */
  drawn: number;
  /** Samples the statistics used: selection + samplesUsed. */
  used: number;
  results: CertifyResult[];
}

export async function runCertifySequentialBench(): Promise<void> {
  const images = arg('images', Number(process.env.BENCH_SEQUENTIAL_IMAGES ?? 500));
  const n = arg('n', 100_000);
  const batch = arg('batch', 1000);
  const threads = arg('threads', 2);
  const group = arg('group', 100);
  const tolerance = arg('tolerance', 0.05);
  const radii = [0.25, 0.5, 0.75];
  const sigma = 0.25;
  const n0 = 100;
  const alpha = 0.001;

  const test = loadFashionMnist({ split: 'test' });
  const ids = Array.from({ length: Math.min(images, 500) }, (_, i) => i * 20);
  const x = new Float32Array(ids.length * 784);
  ids.forEach((id, i) => {
    x.set(test.x.subarray(id * 784, (id + 1) * 784), i * 784);
  });
  const labels = ids.map((id) => test.y[id]!);
  const rs = await OnnxRandomizedSmoothing.create({
    model: MODEL,
    scale: sigma,
    sampleSize: n0,
    alpha,
    seed: 0,
    clipValues: [0, 1],
    intraOpNumThreads: threads,
  });

  const flag = process.argv.indexOf('--budget-bounds');
  const budgetBounds = (flag >= 0 ? (process.argv[flag + 1] ?? '') : BOUNDS.join(',')).split(',').filter((b) => b !== '');
  const configs: Config[] = [{ name: 'fixed n', sequential: null }];
  for (const bound of BOUNDS) {
    for (const radius of radii) configs.push({ name: `${bound} r=${radius}`, sequential: { radius, bound } });
    if (budgetBounds.includes(bound)) configs.push({ name: `${bound} T=${tolerance}`, sequential: { tolerance, bound } });
  }
  const totals = new Map<string, Totals>(configs.map((c) => [c.name, { seconds: 0, drawn: 0, used: 0, results: [] }]));
  await rs.certify(x.subarray(0, 784), { n: 2 * batch, batchSize: batch }); // warm-up
  const started = performance.now();
  for (let start = 0; start < ids.length; start += group) {
    const end = Math.min(ids.length, start + group);
    const xs = x.subarray(start * 784, end * 784);
    for (const c of configs) {
      const t0 = performance.now();
      const r = await rs.certify(xs, { n, batchSize: batch, inputIds: ids.slice(start, end), ...(c.sequential ? { sequential: c.sequential } : {}) });
      const t = totals.get(c.name)!;
      t.seconds += (performance.now() - t0) / 1000;
      const count = end - start;
      t.drawn += count * n0 + (r.sequential ? r.sequential.samplesDrawn : count * n);
      t.used += count * n0 + (r.sequential ? r.sequential.samplesUsed.reduce((s, v) => s + v, 0) : count * n);
      t.results.push(r);
    }
    const fixedSoFar = totals.get('fixed n')!;
    const soFar = configs
      .slice(1)
      .map((c) => {
        const t = totals.get(c.name)!;
        return `${c.name} ${(fixedSoFar.drawn / t.drawn).toFixed(1)}x fewer samples, ${(fixedSoFar.seconds / t.seconds).toFixed(1)}x faster`;
      })
      .join('; ');
    process.stderr.write(`certify-sequential: ${end}/${ids.length} images, ${((performance.now() - started) / 60_000).toFixed(1)} min; so far: ${soFar}\n`);
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  await rs.dispose();

  const flat = (name: string, pick: (r: CertifyResult) => ArrayLike<number>) => totals.get(name)!.results.flatMap((r) => Array.from(pick(r)));
  const fixed = totals.get('fixed n')!;
  const fixedRadius = flat('fixed n', (r) => r.radius);
  const fixedPrediction = flat('fixed n', (r) => r.prediction);
  const certifiedAt = (prediction: number[], radius: number[], r: number) =>
    prediction.reduce((s, p, i) => s + (p === labels[i] && radius[i]! >= r ? 1 : 0), 0) / ids.length;
  const rate = (t: Totals) => t.drawn / t.seconds;
  const rows: Record<string, Record<string, string | number>> = {};
  rows[`fixed n = ${n.toLocaleString('en-US')}`] = {
    'cert. acc. (fixed)': radii.map((r) => certifiedAt(fixedPrediction, fixedRadius, r).toFixed(3)).join(' / '),
    'cert. acc. (seq.)': '-',
    'samples (M)': (fixed.drawn / 1e6).toFixed(2),
    'fewer samples': '1.0x',
    'wall-clock': `${fixed.seconds.toFixed(0)} s`,
    faster: '1.0x',
    'samples/s': Math.round(rate(fixed)),
    'mean |dR|': '-',
  };
  for (const c of configs.slice(1)) {
    const t = totals.get(c.name)!;
    const radius = flat(c.name, (r) => r.radius);
    const prediction = flat(c.name, (r) => r.prediction);
    const seq = c.sequential!;
    const budget = seq.tolerance !== undefined;
    const diff = budget ? radius.reduce((s, v, i) => s + Math.abs(v - fixedRadius[i]!), 0) / ids.length : null;
    rows[c.name] = {
      'cert. acc. (fixed)': budget
        ? radii.map((r) => certifiedAt(fixedPrediction, fixedRadius, r).toFixed(3)).join(' / ')
        : certifiedAt(fixedPrediction, fixedRadius, seq.radius!).toFixed(3),
      'cert. acc. (seq.)': budget
        ? radii.map((r) => certifiedAt(prediction, radius, r).toFixed(3)).join(' / ')
        : certifiedAt(prediction, radius, seq.radius!).toFixed(3),
      'samples (M)': (t.drawn / 1e6).toFixed(2),
      'fewer samples': `${(fixed.drawn / t.drawn).toFixed(1)}x`,
      'wall-clock': `${t.seconds.toFixed(0)} s`,
      faster: `${(fixed.seconds / t.seconds).toFixed(1)}x`,
      'samples/s': Math.round(rate(t)),
      'mean |dR|': diff === null ? '-' : diff.toFixed(4),
    };
  }
  console.log(
    `sequential certification benchmark: bundled CNN (packages/cli/assets), ${ids.length} Fashion-MNIST test images (every 20th), sigma ${sigma}, n0 ${n0}, budget n ${n}, alpha ${alpha}, batch ${batch}, ${threads} ORT threads, groups of ${group}, Node ${process.version}`,
  );
  console.table(rows);
  console.log(
    `samples = selection + estimation evaluated (lookahead included; used by the statistics: ${configs
      .slice(1)
      .map(
        (c) =>
          `${c.name} ${((totals.get(c.name)!.drawn - totals.get(c.name)!.used) / totals.get(c.name)!.drawn) * 100 < 0.05 ? '0' : (((totals.get(c.name)!.drawn - totals.get(c.name)!.used) / totals.get(c.name)!.drawn) * 100).toFixed(1)}% dropped`,
      )
      .join(', ')}); peak RSS ${Math.round(rssMb)} MB`,
  );
  console.log(
    `throughput / fixed n: ${configs
      .slice(1)
      .map((c) => `${c.name} ${(rate(totals.get(c.name)!) / rate(fixed)).toFixed(2)}x`)
      .join(', ')} (goal >= 0.9x)`,
  );
  for (const radius of radii) {
    for (const bound of BOUNDS) {
      const name = `${bound} r=${radius}`;
      const t = totals.get(name)!;
      const gap = Math.abs(
        certifiedAt(
          flat(name, (r) => r.prediction),
          flat(name, (r) => r.radius),
          radius,
        ) - certifiedAt(fixedPrediction, fixedRadius, radius),
      );
      const fewer = fixed.drawn / t.drawn;
      console.log(
        `goal at r = ${radius} (${bound}): certified accuracy within 0.01 of fixed n: ${gap <= 0.01 + 1e-12 ? 'yes' : 'NO'} (${gap.toFixed(3)}); >= 10x fewer samples: ${fewer >= 10 ? 'yes' : 'NO'} (${fewer.toFixed(1)}x)`,
      );
    }
  }
  for (const radius of radii) {
    const [cp, mix] = BOUNDS.map((b) => totals.get(`${b} r=${radius}`)!);
    console.log(
      `r = ${radius}: clopper-pearson ${(cp!.drawn / 1e6).toFixed(2)} M samples, beta-binomial-mixture ${(mix!.drawn / 1e6).toFixed(2)} M: ${cp!.drawn <= mix!.drawn ? `clopper-pearson uses ${(mix!.drawn / cp!.drawn).toFixed(2)}x fewer` : `beta-binomial-mixture uses ${(cp!.drawn / mix!.drawn).toFixed(2)}x fewer`}`,
    );
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await runCertifySequentialBench();
