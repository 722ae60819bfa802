/** State of one optimizer over named Float32Array parameters. */
export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Updates `params` in place from `grads` (same names and sizes) at the step's learning rate (a schedule may change it; the state carries on). */
  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>, learningRate: number): void;
}

/**
 * Plain stochastic gradient descent: `p -= lr * g`.
 */
function sgd(): Optimizer {
  return {
    kind: 'sgd',
    step(params, grads, learningRate) {
      for (const [name, p] of params) {
        const g = grads.get(name)!;
        for (let i = 0; i < p.length; i++) p[i]! -= learningRate * g[i]!;
      }
    },
  };
}

/** Adam (Kingma & Ba 2015) with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, bias correction. */
function adam(beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Optimizer {
  const m = new Map<string, Float64Array>();
  const v = new Map<string, Float64Array>();
  let t = 0;
  return {
    kind: 'adam',
    step(params, grads, learningRate) {
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
 */
export function createOptimizer(kind: 'sgd' | 'adam'): Optimizer {
  return kind === 'sgd' ? sgd() : adam();
}
