import { fromFunction, linearClassifier, type Classifier } from '../../src/index.js';

/** Deterministic uniform [0, 1) floats (mulberry32), for test data only. */
export function uniforms(length: number, seed: number): Float64Array {
  const out = new Float64Array(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** The binary linear classifier f(x) = [w.x + b > 0] as logits [0, w.x + b]. */
export function binaryLinear(w: ArrayLike<number>, b: number): Classifier {
  return linearClassifier({ weights: [new Float64Array(w.length), Array.from(w)], bias: [0, b] });
}

/** A classifier that records how many rows it was called with (for memory / batching tests). */
export function countingClassifier(dim: number, nbClasses = 3): Classifier & { calls: number[] } {
  const calls: number[] = [];
  const c = fromFunction({
    inputShape: [dim],
    nbClasses,
    predict: (x, batch) => {
      calls.push(batch);
      const out = new Float32Array(batch * nbClasses);
      for (let i = 0; i < batch; i++) {
        let s = 0;
        for (let f = 0; f < dim; f++) s += x[i * dim + f]!;
        out[i * nbClasses + (s > 0 ? 0 : s > -0.5 ? 1 : 2)] = 1;
      }
      return out;
    },
  });
  return Object.assign(c, { calls });
}

/**
 * A softmax-regression classifier trained by plain SGD/Adam in JS: the reference "backend" that
 * declares gradients and training, used to test fit and the conformance suite.
 */
export function softmaxRegression(dim: number, nbClasses: number, initSeed = 1): Classifier {
  const W = new Float64Array(nbClasses * dim);
  const b = new Float64Array(nbClasses);
  const init = () => {
    const u = uniforms(W.length, initSeed);
    for (let i = 0; i < W.length; i++) W[i] = (u[i]! - 0.5) * 0.02;
    b.fill(0);
    m.fill(0);
    v.fill(0);
    t = 0;
  };
  const m = new Float64Array(W.length + b.length);
  const v = new Float64Array(W.length + b.length);
  let t = 0;
  init();
  const logits = (x: Float32Array, batch: number): Float32Array => {
    const out = new Float32Array(batch * nbClasses);
    for (let i = 0; i < batch; i++) {
      for (let k = 0; k < nbClasses; k++) {
        let s = b[k]!;
        for (let f = 0; f < dim; f++) s += W[k * dim + f]! * x[i * dim + f]!;
        out[i * nbClasses + k] = s;
      }
    }
    return out;
  };
  const self: Classifier = {
    inputShape: [dim],
    nbClasses,
    forward: logits,
    gradients: {
      vjp: (_x, batch, up) => {
        const out = new Float32Array(batch * dim);
        for (let i = 0; i < batch; i++)
          for (let k = 0; k < nbClasses; k++) for (let f = 0; f < dim; f++) out[i * dim + f]! += up[i * nbClasses + k]! * W[k * dim + f]!;
        return out;
      },
    },
    training: {
      step: (x, batch, head, hyper) => {
        const z = logits(x, batch);
        const { loss, gradient } = head.evaluate(z, batch);
        const gW = new Float64Array(W.length);
        const gb = new Float64Array(b.length);
        for (let i = 0; i < batch; i++) {
          for (let k = 0; k < nbClasses; k++) {
            const d = gradient[i * nbClasses + k]!;
            gb[k]! += d;
            for (let f = 0; f < dim; f++) gW[k * dim + f]! += d * x[i * dim + f]!;
          }
        }
        t++;
        const params = [W, b];
        const grads = [gW, gb];
        let o = 0;
        for (let p = 0; p < 2; p++) {
          const P = params[p]!;
          const G = grads[p]!;
          for (let j = 0; j < P.length; j++, o++) {
            if (hyper.optimizer === 'sgd') P[j]! -= hyper.learningRate * G[j]!;
            else {
              m[o] = 0.9 * m[o]! + 0.1 * G[j]!;
              v[o] = 0.999 * v[o]! + 0.001 * G[j]! * G[j]!;
              P[j]! -= (hyper.learningRate * (m[o]! / (1 - 0.9 ** t))) / (Math.sqrt(v[o]! / (1 - 0.999 ** t)) + 1e-8);
            }
          }
        }
        return loss;
      },
      reset: init,
    },
  };
  return self;
}
