import { attrIntOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { elementwiseKernel, f32, numel, u32 } from './wgsl.js';

/**
 * BatchNormalization in inference mode: `scale (x - mean) / sqrt(var + epsilon) + B` folded on
 * the host (float64) to one multiply-add per element with per-channel constants.
 */
export const batchNormLowering: OpLowering = (ctx) => {
  const { node } = ctx;
  if (node.outputs.slice(1).some((o) => o)) throw ctx.fail('BatchNormalization in training mode (running statistics outputs) is not supported');
  if (attrIntOf(node, 'training_mode', 0) !== 0) throw ctx.fail('BatchNormalization training_mode 1 is not supported');
  const x = ctx.input(0);
  const xs = ctx.shape(x);
  const params = [1, 2, 3, 4].map((k) => ctx.hostTensor(ctx.input(k)));
  const eps0 = node.attributes.epsilon?.kind === 'float' ? node.attributes.epsilon.value : 1e-5;
  if (params.some((p) => !p)) {
    // Parameters that change on the device (training) or are computed: evaluated per element.
    const c = xs[1] ?? 1;
    const inner = numel(xs.slice(2));
    const y = ctx.output(0, xs);
    ctx.kernel(
      elementwiseKernel(
        `BatchNormalization ${node.name}`,
        [
          { variable: 'xin', value: x },
          ...['sc', 'bi', 'mu', 'va'].map((variable, k) => ({ variable, value: ctx.input(k + 1) })),
          { variable: 'y', value: y, write: true },
        ],
        numel(xs),
        `  let ch = (i / ${u32(inner)}) % ${u32(c)};
  y[i] = (xin[i] - mu[ch]) * (sc[ch] / sqrt(va[ch] + ${f32(eps0)})) + bi[ch];`,
      ),
    );
    return;
  }
  const [scale, bias, mean, variance] = params.map((p) => Float64Array.from(p!.data as ArrayLike<number>)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const c = xs[1] ?? 1;
  const eps = node.attributes.epsilon?.kind === 'float' ? node.attributes.epsilon.value : 1e-5;
  const mul = new Float32Array(c);
  const add = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const s = scale[k]! / Math.sqrt(variance[k]! + Math.fround(eps));
    mul[k] = s;
    add[k] = bias[k]! - mean[k]! * s;
  }
  const mulName = ctx.constant('bn_mul', mul, [c]);
  const addName = ctx.constant('bn_add', add, [c]);
  const inner = numel(xs.slice(2));
  const y = ctx.output(0, xs);
  ctx.kernel(
    elementwiseKernel(
      `BatchNormalization ${node.name}`,
      [
        { variable: 'xin', value: x },
        { variable: 'mul', value: mulName },
        { variable: 'add', value: addName },
        { variable: 'y', value: y, write: true },
      ],
      numel(xs),
      `  let ch = (i / ${u32(inner)}) % ${u32(c)};\n  y[i] = xin[i] * mul[ch] + add[ch];`,
    ),
  );
};
