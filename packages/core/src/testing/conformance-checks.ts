import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { assertClassifier, featureCount } from '../classifier/assert-classifier.js';
import { capabilitiesOf } from '../classifier/capabilities.js';
import type { CapabilityName, Classifier, TrainingHyperParameters } from '../classifier/classifier.js';
import { smooth } from '../smoothing/smooth.js';
import { trainingChecks } from './training-checks.js';

/** Options of `runAdapterConformance` and {@link conformanceChecks}. */
export interface AdapterConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** Creates a fresh classifier (called once per suite). */
  create: () => Classifier | Promise<Classifier>;
  /** A few valid inputs, back to back (at least 2). */
  inputs: Float32Array;
  /** Labels of `inputs` (the training check needs them). */
  labels?: Int32Array;
  /** Which capabilities the adapter must have (`true`) or lack (`false`); checked exactly where given. */
  capabilities?: Partial<Record<CapabilityName, boolean>>;
  /** Expected logits of `inputs` (e.g. PyTorch's), compared with `tolerance.logits`. */
  referenceLogits?: Float32Array;
  tolerance?: {
    /** Max |difference| / max |reference| for logits (default 1e-5). */
    logits?: number;
    /** Relative tolerance of the finite-difference check of `vjp` (default 2e-2). */
    gradient?: number;
    /** Fraction of noisy samples the device sampler may count in another class than the host path (default 0). */
    deviceSampling?: number;
  };
  /** Hyper-parameters of the training checks (default SGD, learning rate 0.05). */
  training?: TrainingHyperParameters;
  /** Hyper-parameters of the per-method training checks (default SGD, learning rate 0.01: MACER's robustness term is steep). */
  methodTraining?: TrainingHyperParameters;
  /** Where the save check writes inside a fresh temporary directory (default `<dir>/model`). */
  savePath?: (dir: string) => string;
  /** Loads a saved model back, so the save check can compare its logits (optional). */
  load?: (path: string) => Classifier | Promise<Classifier>;
  /** A reason to skip the whole suite (e.g. no GPU adapter); the suite then shows as skipped. */
  skip?: string | false;
}

/** What a check sees: the classifier under test and the inputs' geometry. */
export interface ConformanceContext {
  classifier: Classifier;
  options: AdapterConformanceOptions;
  dim: number;
  count: number;
  tol: { logits: number; gradient: number; deviceSampling: number };
}

/**
 * One property of the contract: `run` throws (an assertion error naming the property) when the
 * classifier breaks it, or returns a reason when it does not apply (the test is then skipped visibly).
 */
export interface ConformanceCheck {
  name: string;
  run(ctx: ConformanceContext): Promise<string | undefined>;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Deterministic pseudo-random floats in [-1, 1) for directions (xorshift32). */
function directions(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** Sizes of everything under `path` (a file, or a directory's files), in bytes. */
function bytesUnder(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((s, name) => s + bytesUnder(join(path, name)), 0);
}

/**
 * Builds the context for `classifier`: validates the inputs' size against its shape.
 *
 * @example
 * const ctx = conformanceContext(await options.create(), options);
 */
export function conformanceContext(classifier: Classifier, options: AdapterConformanceOptions): ConformanceContext {
  const dim = featureCount(classifier.inputShape);
  const count = options.inputs.length / dim;
  return {
    classifier,
    options,
    dim,
    count,
    tol: { logits: 1e-5, gradient: 2e-2, deviceSampling: 0, ...options.tolerance },
  };
}

/**
 * The properties every adapter must have, in the order the suite runs them (dispose last). Each is
 * a plain function, so a test can run them on a deliberately broken adapter and see them fail.
 *
 * @example
 * for (const check of conformanceChecks()) await check.run(conformanceContext(classifier, options));
 */
export function conformanceChecks(): ConformanceCheck[] {
  return [
    {
      name: 'honours the static contract (shape, classes, complete capabilities, the expected ones)',
      async run({ classifier: c, options, dim, count }) {
        assertClassifier(c);
        expect(Number.isInteger(count) && count >= 2, `'inputs' must hold at least 2 inputs of ${dim} values`).toBe(true);
        const have = capabilitiesOf(c);
        for (const [name, expected] of Object.entries(options.capabilities ?? {})) {
          expect(have[name as CapabilityName], `capability '${name}' ${expected ? 'must be present' : 'must be absent'}`).toBe(expected);
        }
        return undefined;
      },
    },
    {
      name: 'returns batch x nbClasses finite float32 logits, deterministically, without touching the input',
      async run({ classifier: c, options, count }) {
        const copy = options.inputs.slice();
        const a = await c.forward(copy, count);
        expect(a, 'forward must return a Float32Array').toBeInstanceOf(Float32Array);
        expect(a.length, 'forward must return batch * nbClasses values').toBe(count * c.nbClasses);
        expect(a.every(Number.isFinite), 'forward must return finite logits').toBe(true);
        const first = a.slice();
        expect(maxAbsDiff(copy, options.inputs), 'forward must not modify its input').toBe(0);
        const b = await c.forward(options.inputs.slice(), count);
        expect(maxAbsDiff(b, first), 'forward must be deterministic (same input, same logits)').toBe(0);
        return undefined;
      },
    },
    {
      name: 'gives the same logits whatever the batch composition',
      async run({ classifier: c, options, dim, count, tol }) {
        const all = (await c.forward(options.inputs.slice(), count)).slice();
        for (let i = 0; i < count; i++) {
          const one = await c.forward(options.inputs.slice(i * dim, (i + 1) * dim), 1);
          const ref = all.subarray(i * c.nbClasses, (i + 1) * c.nbClasses);
          expect(maxAbsDiff(one, ref), `logits of input ${i} alone vs in a batch of ${count} (batch-dependent logits?)`).toBeLessThanOrEqual(
            tol.logits * Math.max(1, maxAbs(ref)),
          );
        }
        return undefined;
      },
    },
    {
      name: 'matches the reference logits',
      async run({ classifier: c, options, count, tol }) {
        const ref = options.referenceLogits;
        if (!ref) return 'no referenceLogits given';
        const got = await c.forward(options.inputs.slice(), count);
        const err = maxAbsDiff(got, ref) / Math.max(maxAbs(ref), 1e-30);
        console.log(`[${options.name}] logits vs reference: max relative error ${err.toExponential(2)}`);
        expect(err, 'logits vs referenceLogits (max |difference| / max |reference|)').toBeLessThanOrEqual(tol.logits);
        return undefined;
      },
    },
    {
      name: 'gives reproducible smoothed counts through @rs/core, whatever the batch size',
      async run({ classifier: c, options, count }) {
        const g = smooth(c, { scale: 0.1, seed: 1234, sampleSize: 16 });
        const a = await g.predictClasses(options.inputs, { n: 64, batchSize: 64 });
        const b = await g.predictClasses(options.inputs, { n: 64, batchSize: 7 });
        expect(Array.from(b.counts), 'smoothed counts at batch size 7 vs 64 (same seed)').toEqual(Array.from(a.counts));
        for (let i = 0; i < count; i++) {
          const total = a.counts.subarray(i * c.nbClasses, (i + 1) * c.nbClasses).reduce((s, v) => s + v, 0);
          expect(total, `counts of input ${i} must add up to n`).toBe(64);
        }
        const cert = await g.certify(options.inputs, { n: 100, batchSize: 50 });
        expect(cert.prediction.length, 'certify returns one prediction per input').toBe(count);
        expect(
          cert.radius.every((r) => r >= 0 && Number.isFinite(r)),
          'certified radii must be finite and >= 0',
        ).toBe(true);
        return undefined;
      },
    },
    {
      name: 'deviceSampling counts what forward + host noise count',
      async run({ classifier: c, options, tol }) {
        if (!c.deviceSampling) return "no 'deviceSampling' capability";
        const host: Classifier = {
          inputShape: c.inputShape,
          nbClasses: c.nbClasses,
          forward: (x, batch) => c.forward(x, batch),
          ...(c.maxBatchSize !== undefined ? { maxBatchSize: c.maxBatchSize } : {}),
        };
        const settings = { scale: 0.25, seed: 99, sampleSize: 16 };
        const onDevice = await smooth(c, settings).predictClasses(options.inputs, { n: 200, batchSize: 64 });
        const onHost = await smooth(host, settings).predictClasses(options.inputs, { n: 200, batchSize: 64 });
        let moved = 0;
        for (let i = 0; i < onHost.counts.length; i++) moved += Math.abs(onHost.counts[i]! - onDevice.counts[i]!);
        const total = 200 * (options.inputs.length / featureCount(c.inputShape));
        console.log(`[${options.name}] device vs host counts: ${moved / 2} of ${total} samples in another class`);
        expect(moved / 2, 'samples the device sampler counts in another class than forward + host noise').toBeLessThanOrEqual(tol.deviceSampling * total);
        return undefined;
      },
    },
    {
      name: 'vjp agrees with finite differences of the logits',
      async run({ classifier: c, options, dim, tol }) {
        if (!c.gradients) return `no 'gradients' capability${c.capabilityNotes?.gradients ? ` (${c.capabilityNotes.gradients})` : ''}`;
        // Jitter the point: real images have flat regions where max-pool windows tie, and there the
        // logits have no gradient (only one-sided directional derivatives).
        const jitter = directions(2 * dim, 13);
        const x = options.inputs.slice(0, 2 * dim).map((v, i) => v + 0.01 * jitter[i]!);
        const u = directions(2 * c.nbClasses, 7);
        const v = directions(2 * dim, 11);
        const g = await c.gradients.vjp(x.slice(), 2, u);
        expect(g.length, 'vjp must return batch * prod(inputShape) values').toBe(2 * dim);
        let analytic = 0;
        for (let i = 0; i < g.length; i++) analytic += g[i]! * v[i]!;
        // Small steps: piecewise-linear networks (ReLU, max-pool) are exact between kinks.
        const h = 1e-3 * Math.max(1e-3, maxAbs(x));
        const lp = (
          await c.forward(
            x.map((xi, i) => xi + h * v[i]!),
            2,
          )
        ).slice();
        const lm = (
          await c.forward(
            x.map((xi, i) => xi - h * v[i]!),
            2,
          )
        ).slice();
        let numeric = 0;
        for (let k = 0; k < u.length; k++) numeric += (u[k]! * (lp[k]! - lm[k]!)) / (2 * h);
        console.log(`[${options.name}] vjp directional derivative ${analytic.toPrecision(6)} vs finite difference ${numeric.toPrecision(6)}`);
        expect(Math.abs(analytic - numeric), 'vjp directional derivative vs central finite difference (wrong sign or scale?)').toBeLessThanOrEqual(
          tol.gradient * Math.max(Math.abs(numeric), 1e-3),
        );
        return undefined;
      },
    },
    ...trainingChecks(),
    {
      name: 'reports layers and their activations',
      async run({ classifier: c, options, count }) {
        if (!c.activations) return `no 'activations' capability${c.capabilityNotes?.activations ? ` (${c.capabilityNotes.activations})` : ''}`;
        const names = c.activations.layerNames;
        expect(names.length, 'layerNames must not be empty').toBeGreaterThan(0);
        const act = await c.activations.getActivations(options.inputs.slice(), count, names.length - 1);
        expect(act.data.length, 'activations must hold batch * prod(shape) values').toBe(count * act.shape.reduce((a, b) => a * b, 1));
        return undefined;
      },
    },
    {
      name: 'saves the model (and, with a loader, reloads the same logits)',
      async run({ classifier: c, options, count, tol }) {
        if (!c.save) return `no 'save' capability${c.capabilityNotes?.save ? ` (${c.capabilityNotes.save})` : ''}`;
        const dir = mkdtempSync(join(tmpdir(), 'rs-conformance-'));
        try {
          const path = options.savePath?.(dir) ?? join(dir, 'model');
          await c.save(path);
          expect(bytesUnder(dir), 'save must write the model under the given path').toBeGreaterThan(0);
          if (!options.load) return undefined;
          const loaded = await options.load(path);
          try {
            const want = (await c.forward(options.inputs.slice(), count)).slice();
            const got = await loaded.forward(options.inputs.slice(), count);
            expect(maxAbsDiff(got, want), 'logits of the saved and reloaded model vs the original').toBeLessThanOrEqual(tol.logits * Math.max(1, maxAbs(want)));
          } finally {
            await loaded.dispose?.();
          }
          return undefined;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
    {
      name: 'disposes idempotently; forward fails after dispose',
      async run({ classifier: c, options, count }) {
        if (!c.dispose) return 'no dispose() (nothing to release)';
        await c.dispose();
        await c.dispose();
        let failed = false;
        try {
          await c.forward(options.inputs.slice(), count);
        } catch {
          failed = true;
        }
        expect(failed, 'forward after dispose must throw or reject, not compute on released resources').toBe(true);
        return undefined;
      },
    },
  ];
}
