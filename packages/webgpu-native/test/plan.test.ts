import { describe, expect, it } from 'vitest';
import { analyzeGradients } from '../src/engine/gradients.js';
import { planGraph } from '../src/engine/graph-plan.js';
import { prepareModel } from '../src/engine/prepared-model.js';
import { fixture } from './helpers.js';

const f = fixture();

// SwiftShader takes about a second per model to compile WGSL: kernels whose code changed with the
// batch size would compile again for every batch size a caller uses.
describe('plans (host only, no device)', () => {
  it('emit the same WGSL for every batch size (forward and VJP), so pipelines are shared', () => {
    const forward = prepareModel(f.model);
    const support = analyzeGradients(forward, [1, 28, 28]);
    expect(support.vjp.ok).toBe(true);
    const graphs = [forward, ...(support.vjp.ok ? [support.vjp.prepared] : [])];
    for (const pm of graphs) {
      const [a, b] = [3, 500].map((batch) => planGraph(pm, [1, 28, 28], batch).kernels);
      expect(a!.map((k) => k.code)).toEqual(b!.map((k) => k.code));
      expect(a!.map((k) => k.meta?.[0])).not.toEqual(b!.map((k) => k.meta?.[0]));
    }
  });
});
