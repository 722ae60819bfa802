// Certifies inputs of a built-in linear classifier, whose exact certified radius is known, and
// prints the certified radius next to the exact one. Run: npm run demo (builds first).
//
// f(x) = [w.x + b > 0] smoothed with N(0, sigma^2 I) has pA = Phi(|w.x + b| / (sigma ||w||)), so its
// exact radius sigma * Phi^-1(pA) equals the distance |w.x + b| / ||w|| to the hyperplane.
import { linearClassifier, smooth } from '@rs/core';

const d = 784;
const w = Array.from({ length: d }, (_, f) => Math.sin(f + 1));
const norm = Math.hypot(...w);
const b = -0.5;
const sigma = 0.5;
const n = 100_000;
const distances = [0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, -0.3, -1.2];

// Inputs at chosen signed distances from the hyperplane: x = t * w / ||w|| with w.x + b = dist * ||w||.
const x = new Float32Array(distances.length * d);
distances.forEach((dist, i) => {
  const t = dist - b / norm;
  for (let f = 0; f < d; f++) x[i * d + f] = (t * w[f]) / norm;
});
const exact = distances.map((_, i) => {
  let s = b;
  for (let f = 0; f < d; f++) s += w[f] * x[i * d + f];
  return s / norm;
});

const classifier = linearClassifier({ weights: [new Array(d).fill(0), w], bias: [0, b] });
const g = smooth(classifier, { scale: sigma, alpha: 0.001, sampleSize: 100, seed: 2019 });

console.log(`Randomized smoothing demo: linear classifier in ${d} dimensions, sigma ${sigma}, n0 100, n ${n.toLocaleString('en')}, alpha 0.001`);
console.log(`noise generator: ${g.noiseGenerator}\n`);
const started = performance.now();
let lastLine = 0;
const result = await g.certify(x, {
  n,
  batchSize: 2000,
  onProgress: (p) => {
    if (process.stderr.isTTY && performance.now() - lastLine > 200) {
      lastLine = performance.now();
      process.stderr.write(`\r${p.phase}: ${p.inputsDone}/${p.inputsTotal} inputs, ${Math.round(p.samplesPerSecond).toLocaleString('en')} samples/s   `);
    }
  },
});
const seconds = (performance.now() - started) / 1000;
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

const pad = (s, k) => String(s).padStart(k);
console.log(
  `${pad('input', 5)} ${pad('true class', 10)} ${pad('prediction', 10)} ${pad('pA lower', 10)} ${pad('certified', 10)} ${pad('exact', 10)} ${pad('ratio', 7)}`,
);
result.prediction.forEach((p, i) => {
  const truth = exact[i] > 0 ? 1 : 0;
  const r = result.radius[i];
  console.log(
    `${pad(i, 5)} ${pad(truth, 10)} ${pad(p === -1 ? 'abstain' : p, 10)} ${pad(result.pALower[i].toFixed(6), 10)} ${pad(r.toFixed(4), 10)} ${pad(Math.abs(exact[i]).toFixed(4), 10)} ${pad(p === -1 ? '-' : (r / Math.abs(exact[i])).toFixed(3), 7)}`,
  );
});
const total = distances.length * (n + 100);
console.log(
  `\n${distances.length} inputs, ${total.toLocaleString('en')} noisy samples in ${seconds.toFixed(2)} s (${Math.round(total / seconds).toLocaleString('en')} samples/s of ${d} features)`,
);
result.prediction.forEach((p, i) => {
  if (p === -1)
    console.log(
      `input ${i} abstains: its ${100} selection samples picked class ${result.selected[i]}, whose lower bound ${result.pALower[i].toFixed(4)} is below 0.5 (Cohen et al.'s CERTIFY).`,
    );
});
const bad = result.prediction.filter((p, i) => p !== -1 && (p !== (exact[i] > 0 ? 1 : 0) || result.radius[i] > Math.abs(exact[i]))).length;
console.log(
  bad === 0
    ? 'Every certified radius is at most the exact radius, as the guarantee says (with probability >= 1 - alpha each).'
    : `${bad} certificate(s) exceed the exact radius: expected in about an alpha fraction of runs.`,
);
