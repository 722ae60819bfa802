import { ClassifierContractError, RsRangeError } from '../errors.js';
import type { DefenceBase, DefenceOutput, Postprocessor, Preprocessor } from './defence.js';

/** A batch on its way through a chain of defences: its data and shape (batch dimension first). */
export interface Batch {
  data: Float32Array;
  shape: number[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The shape a preprocessor returns for a batch of `shape` (its `outputShape`, or `shape` itself).
 *
 * @example
 * shapeAfter(thermometerEncoding({ clipValues: [0, 1], numSpace: 10, channelsFirst: true }), [5, 1, 28, 28]); // [5, 10, 28, 28]
 */
export function shapeAfter(p: Preprocessor, shape: readonly number[]): number[] {
  return p.outputShape ? p.outputShape(shape) : [...shape];
}

/**
 * The raw input shape (one input, no batch dimension) of a model behind a chain of
 * preprocessors: `given` when the caller gave one (checked: the chain must map it to the model's
 * shape), else worked out backwards through each shape-changing preprocessor's `inputShapeFor`.
 * Throws a `RangeError` naming the preprocessor when neither works.
 *
 * @example
 * defendedInputShape([10, 28, 28], [thermometerEncoding({ clipValues: [0, 1], numSpace: 10, channelsFirst: true })]); // [1, 28, 28]
 */
export function defendedInputShape(modelShape: readonly number[], pre: readonly Preprocessor[], given?: readonly number[]): number[] {
  if (given) {
    let s = [1, ...given];
    for (const p of pre) s = shapeAfter(p, s);
    if (!sameShape(s.slice(1), modelShape)) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `'inputShape' ${fmt(given)} becomes ${fmt(s.slice(1))} through the preprocessing defences (${pre.map((p) => p.name).join(', ')}), but the model takes ${fmt(modelShape)}`,
      );
    }
    return [...given];
  }
  let s = [1, ...modelShape];
  for (let i = pre.length - 1; i >= 0; i--) {
    const p = pre[i]!;
    if (sameShape(shapeAfter(p, s), s)) continue;
    const before = p.inputShapeFor?.(s);
    if (!before || !sameShape(shapeAfter(p, before), s)) {
      throw new RsRangeError(
        'RS_INVALID_ARG_VALUE',
        `the preprocessing defence '${p.name}' changes the shape and has no input shape that it maps to the model's ${fmt(s.slice(1))}: give 'inputShape' (the raw input shape)`,
      );
    }
    s = before;
  }
  return s.slice(1);
}

/** Checks one defence's output against the shape it should have. */
function checked(d: DefenceBase, out: DefenceOutput, expected: readonly number[], role: string): Batch {
  if (out === null || typeof out !== 'object' || !(out.data instanceof Float32Array) || !Array.isArray(out.shape)) {
    throw new ClassifierContractError(`the ${role} '${d.name}' must return { data: Float32Array, shape: number[] }`);
  }
  if (!sameShape(out.shape, expected)) {
    throw new ClassifierContractError(`the ${role} '${d.name}' returned shape ${fmt(out.shape)}, expected ${fmt(expected)}`);
  }
  const size = expected.reduce((a, b) => a * b, 1);
  if (out.data.length !== size) {
    throw new ClassifierContractError(`the ${role} '${d.name}' returned ${out.data.length} values for shape ${fmt(expected)} (expected ${size})`);
  }
  return { data: out.data, shape: out.shape };
}

async function applyOne(d: Preprocessor | Postprocessor, input: Batch, expected: readonly number[], role: string): Promise<Batch> {
  let out: DefenceOutput;
  try {
    out = await d.apply(input.data, input.shape);
  } catch (err) {
    if (err instanceof ClassifierContractError) throw err;
    throw new ClassifierContractError(`the ${role} '${d.name}' failed on a batch of shape ${fmt(input.shape)}: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
    });
  }
  return checked(d, out, expected, role);
}

/**
 * Runs a batch through a chain of preprocessors, checking every output; returns the result and,
 * when `keep` is true, every defence's input (for the backward pass).
 */
export async function runPreprocessors(pre: readonly Preprocessor[], input: Batch, keep: boolean): Promise<{ out: Batch; inputs: Batch[] }> {
  const inputs: Batch[] = [];
  let current = input;
  for (const p of pre) {
    if (keep) inputs.push(current);
    current = await applyOne(p, current, shapeAfter(p, current.shape), 'preprocessing defence');
  }
  return { out: current, inputs };
}

/**
 * Runs probabilities `[batch, nbClasses]` through a chain of postprocessors (shape preserved).
 * With `surrogate`, a `'bpda'` postprocessor is skipped (the identity of the backward pass) and
 * the input of every other one is kept.
 */
export async function runPostprocessors(post: readonly Postprocessor[], input: Batch, surrogate: boolean): Promise<{ out: Batch; inputs: Batch[] }> {
  const inputs: Batch[] = [];
  let current = input;
  for (const p of post) {
    if (surrogate && p.gradient === 'bpda') {
      inputs.push(current);
      continue;
    }
    inputs.push(current);
    current = await applyOne(p, current, current.shape, 'postprocessing defence');
  }
  return { out: current, inputs };
}

/**
 * The backward pass through a chain of defences: from the gradient w.r.t. the chain's output to
 * the gradient w.r.t. its input, defence by defence (`vjp` for `'exact'` / `'estimate'`, the
 * identity for `'bpda'`). `inputs` are each defence's inputs from the forward pass.
 */
export async function backThrough(
  chain: readonly (Preprocessor | Postprocessor)[],
  inputs: readonly Batch[],
  upstream: Float32Array,
  role: string,
): Promise<Float32Array> {
  let g = upstream;
  for (let i = chain.length - 1; i >= 0; i--) {
    const d = chain[i]!;
    const x = inputs[i]!;
    if (d.gradient === 'bpda') {
      if (g.length !== x.data.length) {
        throw new ClassifierContractError(`the ${role} '${d.name}' changes the shape, so its gradient cannot be the identity ('bpda'): give it a vjp`);
      }
      continue;
    }
    let next: Float32Array;
    try {
      next = await d.vjp!(x.data, x.shape, g);
    } catch (err) {
      throw new ClassifierContractError(`the ${role} '${d.name}' failed in its backward pass: ${(err as Error)?.message ?? String(err)}`, {
        cause: err,
        code: 'RS_CLASSIFIER_FAILED',
      });
    }
    if (!(next instanceof Float32Array) || next.length !== x.data.length) {
      throw new ClassifierContractError(`the ${role} '${d.name}'.vjp must return a Float32Array of ${x.data.length} values (its input's size)`);
    }
    g = next;
  }
  return g;
}
