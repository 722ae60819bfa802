/** State of one optimizer over named Float32Array parameters. */
export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  readonly learningRate: number;
  /** Updates `params` in place from `grads` (same names and sizes). */
  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>): void;
}

/**
 * Plain stochastic gradient descent: `p -= lr * g`.
 *
 * @example
 * const opt = createOptimizer('sgd', 0.01); opt.step(weights, grads);
 */
function sgd(learningRate: number): Optimizer {
  return {
    kind: 'sgd',
    learningRate,
    step(params, grads) {
      for (const [name, p] of params) {
        const g = grads.get(name)!;
        for (let i = 0; i < p.length; i++) p[i]! -= learningRate * g[i]!;
      }
    },
  };
}

/** Adam (Kingma & Ba 2015) with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, bias correction. */
function adam(learningRate: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer {
  const m = new Map<string, Float64Array>();
  const v = new Map<string, Float64Array>();
  let t = 0;
  return {
    kind: 'adam',
    learningRate,
    step(params, grads) {
      t++;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (const [name, p] of params) {
        const g = grads.get(name)!;
        let mi = m.get(name);
        let vi = v.get(name);
        if (!mi || !vi) {
          mi = new Float64Array(p.length);
          vi = new Float64Array(p.length);
          m.set(name, mi);
          v.set(name, vi);
        }
        for (let i = 0; i < p.length; i++) {
          const gi = g[i]!;
          mi[i] = beta1 * mi[i]! + (1 - beta1) * gi;
          vi[i] = beta2 * vi[i]! + (1 - beta2) * gi * gi;
          p[i]! -= (learningRate * (mi[i]! / c1)) / (Math.sqrt(vi[i]! / c2) + eps);
        }
      }
    },
  };
}

/**
 * Creates an optimizer (`'sgd'` or `'adam'`).
 *
 * @example
 * const opt = createOptimizer('adam', 1e-3);
 */
export function createOptimizer(kind: 'sgd' | 'adam', learningRate: number): Optimizer {
  return kind === 'sgd' ? sgd(learningRate) : adam(learningRate);
}
