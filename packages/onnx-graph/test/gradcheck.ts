import { expect } from 'vitest';
import { buildGradientModel, saveModel, type GradientOptions, type Model } from '../src/index.js';
import { maxAbs, randArray, rng, run, type Feed } from './helpers.js';

export interface GradCheckOptions {
  /** Batch size to substitute for symbolic dims. */
  batch?: number;
  /** FD step. */
  h?: number;
  /** Tolerance relative to max(1e-3, max |grad|). */
  tol?: number;
  seed?: number;
  /** Custom input generator. */
  inputs?: Record<string, Float32Array | Float64Array>;
  gradOptions?: GradientOptions;
  /** Check weights too (default true). */
  weights?: boolean;
  label?: string;
}

/**
 * Builds the gradient model of `model` (wrt every float input and every trainable weight),
 * runs it on ORT and compares every gradient entry with central finite differences of
 * L = sum(seed * y), all done through the same gradient model (weights fed as inputs).
 */
export async function gradCheck(model: Model, opts: GradCheckOptions = {}): Promise<{ maxErr: number; checked: number; errors: Record<string, number> }> {
  const batch = opts.batch ?? 2;
  const r = rng(opts.seed ?? 1);
  const gm = buildGradientModel(model, { weights: opts.weights !== false, ...opts.gradOptions });
  const outName = gm.output;
  const outInfo = gm.outputs.find((o) => o.name === outName)!;
  const dtype = outInfo.dtype ?? 'float32';
  const feeds: Feed = {};
  const concrete = (shape: (number | string | null)[] | undefined) => (shape ?? []).map((d) => (typeof d === 'number' ? d : batch));
  for (const inp of model.graph.inputs) {
    if (model.graph.initializers.has(inp.name)) continue;
    const dims = concrete(inp.shape);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = opts.inputs?.[inp.name] ?? randArray(inp.dtype ?? 'float32', n, r);
    feeds[inp.name] = { data, dims };
  }
  for (const w of gm.weightInputs) {
    const t = model.graph.initializers.get(w)!;
    feeds[w] = { data: (t.data as Float32Array | Float64Array).slice(), dims: [...t.dims] };
  }
  // run the forward model once to learn the output shape
  const fwd = saveModel(model);
  const probe = await run(fwd, Object.fromEntries(Object.entries(feeds).filter(([k]) => !gm.weightInputs.includes(k))));
  const outDims = probe[outName]!.dims;
  expect(outDims, `declared output shape of ${opts.label}`).toEqual(concrete(outInfo.shape).map((d, i) => (outInfo.shape?.[i] === null ? outDims[i] : d)));
  const seed = randArray(
    dtype,
    outDims.reduce((a, b) => a * b, 1),
    r,
  );
  const seedFeed = { data: seed, dims: outDims };
  const all: Feed = { ...feeds, [gm.seedInput!]: seedFeed };
  const res = await run(gm.bytes, all);
  expect(res[outName]!.dims).toEqual(outDims);
  const L = async (f: Feed) => {
    const o = await run(gm.bytes, f);
    const y = o[outName]!.data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += seed[i]! * y[i]!;
    return s;
  };
  const h = opts.h ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  const tol = opts.tol ?? (dtype === 'float64' ? 1e-6 : 3e-3);
  const targets: [string, string][] = [...Object.entries(gm.inputGradients), ...Object.entries(gm.weightGradients)];
  let maxErr = 0;
  let checked = 0;
  const errors: Record<string, number> = {};
  for (const [name, gname] of targets) {
    const analytic = res[gname]!.data;
    const dims = all[name]!.dims;
    expect(res[gname]!.dims, `${gname} shape`).toEqual(dims);
    const base = all[name]!.data as Float32Array | Float64Array;
    const fd = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const plus = base.slice();
      plus[i]! += h;
      const minus = base.slice();
      minus[i]! -= h;
      const lp = await L({ ...all, [name]: { data: plus, dims } });
      const lm = await L({ ...all, [name]: { data: minus, dims } });
      fd[i] = (lp - lm) / (plus[i]! - minus[i]!);
    }
    const scale = Math.max(1e-3, maxAbs(fd));
    let err = 0;
    let worstAt = -1;
    for (let i = 0; i < fd.length; i++) {
      const e = Math.abs(fd[i]! - analytic[i]!) / scale;
      if (e > err) {
        err = e;
        worstAt = i;
      }
    }
    checked += fd.length;
    errors[name] = err;
    maxErr = Math.max(maxErr, err);
    expect(
      err,
      `${opts.label ?? ''} d/d${name}: rel err ${err.toExponential(2)} at ${worstAt} (analytic ${analytic[worstAt]}, fd ${fd[worstAt]})`,
    ).toBeLessThan(tol);
    expect(maxAbs(fd), `${opts.label ?? ''} d/d${name} is identically zero (test would be vacuous)`).toBeGreaterThan(0);
  }
  return { maxErr, checked, errors };
}
