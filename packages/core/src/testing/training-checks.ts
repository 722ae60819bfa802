import { expect } from 'vitest';
import type { LossHead, TrainingHyperParameters } from '../classifier/classifier.js';
import { smooth } from '../smoothing/smooth.js';
import { crossEntropyHead } from '../training/cross-entropy-head.js';
import { TRAINING_METHODS } from '../training/fit-options.js';
import type { ConformanceCheck } from './conformance-checks.js';

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

/** A head with a fixed upstream `u` (loss `sum(u * z)`), recording the logits it saw. */
function linearHead(u: Float32Array): LossHead & { seen: Float32Array[] } {
  const seen: Float32Array[] = [];
  return {
    name: 'conformance linear',
    seen,
    evaluate(logits) {
      seen.push(logits.slice());
      let loss = 0;
      for (let k = 0; k < u.length; k++) loss += u[k]! * logits[k]!;
      return { loss, gradient: u.slice(), terms: { linear: loss } };
    },
  };
}

/**
 * Methods whose loss is a continuous function of the weights for fixed noise, so that a few small
 * steps must lower it. MACER and SmoothMix add a term per input the smoothed classifier gets right
 * (a step that fixes one can raise the total), and SmoothAdv's attack moves with the weights: their
 * gradients are checked against PyTorch in core's tests and through the linear-head check here.
 */
const CONTINUOUS = new Set(['gaussian', 'consistency']);

/** Small settings of every training method, so the check runs in seconds on any backend. */
const QUICK: Readonly<Record<string, Record<string, unknown>>> = {
  gaussian: {},
  macer: { gaussianSamples: 4 },
  smoothAdv: { numNoiseVec: 2, numSteps: 2, epsilon: 0.25 },
  smoothMix: { numNoiseVec: 2, numSteps: 2, stepSize: 0.25 },
  consistency: { numNoiseVec: 2 },
};

/**
 * The conformance checks of the `training` capability: a step evaluates core's loss head once on
 * the batch's forward logits and descends along it; the weight update is the VJP of the head's
 * gradient (linear in it: a step along `u` then one along `-u` comes back, a zero gradient changes
 * nothing); and every training method of core runs through it.
 */
export function trainingChecks(): ConformanceCheck[] {
  const absent = (c: { capabilityNotes?: { training?: string } }) =>
    `no 'training' capability${c.capabilityNotes?.training ? ` (${c.capabilityNotes.training})` : ''}`;
  return [
    {
      name: 'training steps evaluate the loss head on the forward logits and lower a cross-entropy loss',
      async run({ classifier: c, options, count, tol }) {
        if (!c.training) return absent(c);
        if (!options.labels) return 'no labels given';
        const hyper: TrainingHyperParameters = options.training ?? { optimizer: 'sgd', learningRate: 0.05 };
        const ce = crossEntropyHead(options.labels, c.nbClasses);
        const seen: Float32Array[] = [];
        // Without `crossEntropyLabels`: the backend must evaluate the head itself.
        const head: LossHead = {
          name: 'conformance cross-entropy',
          evaluate: (logits, rows) => {
            seen.push(logits.slice());
            return ce.evaluate(logits, rows);
          },
        };
        const before = (await c.forward(options.inputs.slice(), count)).slice();
        const first = await c.training.step(options.inputs.slice(), count, head, hyper);
        expect(seen.length, 'training.step must evaluate the loss head exactly once per step').toBe(1);
        expect(
          maxAbsDiff(seen[0]!, before),
          'logits handed to the loss head vs forward on the same inputs (training mode should not change them here)',
        ).toBeLessThanOrEqual(tol.logits * Math.max(1, maxAbs(before)));
        expect(first, 'training.step must resolve to the loss the head returned').toBeCloseTo(ce.evaluate(seen[0]!, count).loss, 5);
        let last = first;
        for (let s = 0; s < 5; s++) last = await c.training.step(options.inputs.slice(), count, head, hyper);
        expect(Number.isFinite(first), 'training.step must return a finite loss').toBe(true);
        expect(last, `loss after 6 ${hyper.optimizer} steps on one batch must be below the first (training goes uphill?)`).toBeLessThan(first);
        await c.training.reset();
        await c.training.endFit?.();
        return undefined;
      },
    },
    {
      name: "the weight update is the VJP of the head's gradient (linear in it, with its sign)",
      async run({ classifier: c, options, count }) {
        if (!c.training) return absent(c);
        const x = options.inputs;
        const rows = count;
        const u = new Float32Array(rows * c.nbClasses);
        let s = 2463534242;
        for (let k = 0; k < u.length; k++) {
          s ^= s << 13;
          s >>>= 0;
          s ^= s >>> 17;
          s ^= s << 5;
          s >>>= 0;
          u[k] = (s / 2 ** 32 - 0.5) / rows;
        }
        const lr = 2e-3;
        const sgd = (learningRate: number): TrainingHyperParameters => ({ optimizer: 'sgd', learningRate });
        const logits = async () => (await c.forward(x.slice(), rows)).slice();
        const l0 = await logits();
        await c.training.step(x.slice(), rows, linearHead(new Float32Array(u.length)), sgd(lr));
        expect(maxAbsDiff(await logits(), l0), 'a step with a zero loss gradient must leave the logits unchanged').toBeLessThanOrEqual(
          1e-6 * Math.max(1, maxAbs(l0)),
        );
        const up = linearHead(u);
        await c.training.step(x.slice(), rows, up, sgd(lr));
        const l1 = await logits();
        const moved = maxAbsDiff(l1, l0);
        expect(moved, 'a step along a non-zero loss gradient must change the logits').toBeGreaterThan(0);
        let descent = 0;
        for (let k = 0; k < u.length; k++) descent += u[k]! * (l1[k]! - l0[k]!);
        expect(descent, "an SGD step must lower sum(u * logits) for the head's gradient u (wrong sign?)").toBeLessThan(0);
        // Back along -2u at half the rate: the same update with the opposite sign, up to second order.
        await c.training.step(x.slice(), rows, linearHead(u.map((v) => -2 * v)), sgd(lr / 2));
        const l2 = await logits();
        console.log(
          `[${options.name}] step along u moved the logits by ${moved.toExponential(2)}; back along -2u at lr/2 leaves ${maxAbsDiff(l2, l0).toExponential(2)}`,
        );
        expect(
          maxAbsDiff(l2, l0),
          "a step along -2u at half the rate must undo a step along u (the update must be linear in the head's gradient)",
        ).toBeLessThanOrEqual(0.1 * moved);
        await c.training.reset();
        await c.training.endFit?.();
        return undefined;
      },
    },
    ...TRAINING_METHODS.map(
      (method): ConformanceCheck => ({
        name: `training method '${method}' runs through training.step and agrees with computeLoss${CONTINUOUS.has(method) ? ', and lowers its loss' : ''}`,
        async run({ classifier: c, options, dim }) {
          if (!c.training) return absent(c);
          if (!options.labels) return 'no labels given';
          if (!c.gradients && (method === 'smoothAdv' || method === 'smoothMix')) return `no 'gradients' capability: the ${method} attack needs it`;
          const hyper = options.methodTraining ?? { optimizer: 'sgd', learningRate: 0.01 };
          const g = smooth(c, { scale: 0.25, seed: 7 });
          const settings = { method, ...QUICK[method] } as { method: typeof method };
          // Two inputs keep the slowest backends (tfjs' cpu kernels) within seconds per method.
          const x = options.inputs.slice(0, 2 * dim);
          const y = options.labels.slice(0, 2);
          const before = await g.computeLoss(x, y, settings);
          // Each fit call is one step on the whole batch with the noise of epoch 0: a fixed loss to descend.
          const fitOnce = async () =>
            (
              await g.fit(x, y, {
                ...settings,
                nbEpochs: 1,
                batchSize: 2,
                shuffle: false,
                optimizer: hyper.optimizer,
                learningRate: hyper.learningRate,
              })
            ).epochLosses[0]!;
          const first = await fitOnce();
          expect(Math.abs(first - before.loss), `${method}: the loss of fit's first step vs computeLoss before it (same noise and epoch)`).toBeLessThanOrEqual(
            1e-3 * Math.max(1, Math.abs(before.loss)),
          );
          for (let k = 0; k < 2; k++) await fitOnce();
          const after = await g.computeLoss(x, y, settings);
          console.log(
            `[${options.name}] ${method}: loss ${before.loss.toPrecision(5)} -> ${after.loss.toPrecision(5)} after 3 steps (terms ${Object.keys(before.terms).join(', ')})`,
          );
          expect(Number.isFinite(after.loss) && after.loss !== before.loss, `${method}: 3 steps must change the model (a finite, different loss)`).toBe(true);
          if (CONTINUOUS.has(method))
            expect(after.loss, `${method}: its loss on a fixed batch with fixed noise must fall after 3 steps`).toBeLessThan(before.loss);
          await c.training.reset();
          await c.training.endFit?.();
          return undefined;
        },
      }),
    ),
  ];
}
