import type { Model } from './ir.js';
import { OnnxGraphError } from './errors.js';

/**
 * Where {@link initialWeights} draws its numbers: the `count` uniforms in [0, 1) of the parameter
 * tensor at position `tensorIndex` of the weights map. It must be counter-based (the same arguments
 * give the same numbers) for a reset to be reproducible; `@rs/core`'s `philoxUniformSource(seed,
 * NOISE_STREAM.onnxWeightInit)` is the one the backends use.
 *
 * @example
 * const random: WeightRandomSource = { uniform: (_t, count) => Float64Array.from({ length: count }, Math.random) };
 */
export interface WeightRandomSource {
  uniform(tensorIndex: number, count: number): Float64Array;
}

/**
 * Fan-in of a weight as PyTorch computes it for `kaiming_uniform_(a = sqrt(5))`: the product of
 * all dims but the output one. Conv weights are `[out, in/groups, ...kernel]`; a Gemm `B` with
 * `transB = 1` (PyTorch's Linear) is `[out, in]`, without it `[in, out]`; a MatMul `B` is `[in, out]`.
 */
function fanIn(dims: number[], transposedInFirst: boolean): number {
  if (dims.length < 2) return dims[0] ?? 1;
  if (transposedInFirst) return dims[0]!;
  return dims.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Fresh weights with PyTorch's default initialization (uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
 * Conv/Gemm/MatMul weights and their biases, which is what `kaiming_uniform_(a = sqrt(5))` gives;
 * BatchNormalization scale 1 and bias 0), the uniforms drawn from `random` (tensor index = position
 * in `weights`). Parameters whose role cannot be told from the graph keep their current values.
 *
 * @example
 * const fresh = initialWeights(model, weights, philoxUniformSource(0n, NOISE_STREAM.onnxWeightInit));
 */
export function initialWeights(model: Model, weights: Map<string, Float32Array>, random: WeightRandomSource): Map<string, Float32Array> {
  const roles = new Map<string, { kind: 'uniform'; bound: number } | { kind: 'const'; value: number }>();
  const dims = (name: string) => model.graph.initializers.get(name)?.dims ?? [];
  for (const node of model.graph.nodes) {
    const [, w, b] = node.inputs;
    if (!w || !weights.has(w)) {
      if (node.opType === 'BatchNormalization') {
        if (node.inputs[1] && weights.has(node.inputs[1])) roles.set(node.inputs[1], { kind: 'const', value: 1 });
        if (node.inputs[2] && weights.has(node.inputs[2])) roles.set(node.inputs[2], { kind: 'const', value: 0 });
      }
      continue;
    }
    let fan: number | undefined;
    if (node.opType === 'Conv') fan = fanIn(dims(w), false);
    else if (node.opType === 'Gemm') {
      const transB = node.attributes.transB;
      fan = fanIn(dims(w), !(transB && transB.kind === 'int' && transB.value === 1));
    } else if (node.opType === 'MatMul') fan = dims(w)[0];
    else if (node.opType === 'BatchNormalization') {
      roles.set(w, { kind: 'const', value: 1 });
      if (b && weights.has(b)) roles.set(b, { kind: 'const', value: 0 });
      continue;
    }
    if (fan === undefined) continue;
    const bound = 1 / Math.sqrt(Math.max(1, fan));
    roles.set(w, { kind: 'uniform', bound });
    if (b && weights.has(b)) roles.set(b, { kind: 'uniform', bound });
  }
  const out = new Map<string, Float32Array>();
  let tensorIndex = 0;
  for (const [name, current] of weights) {
    const role = roles.get(name);
    const fresh = new Float32Array(current.length);
    if (!role) fresh.set(current);
    else if (role.kind === 'const') fresh.fill(role.value);
    else {
      const u = random.uniform(tensorIndex, fresh.length);
      if (u.length !== fresh.length) throw new OnnxGraphError(`random.uniform(${tensorIndex}, ${fresh.length}) returned ${u.length} numbers`);
      for (let i = 0; i < fresh.length; i++) fresh[i] = u[i]! * 2 * role.bound - role.bound;
    }
    out.set(name, fresh);
    tensorIndex++;
  }
  return out;
}
