import ort from 'onnxruntime-node';
import type { DType } from '../src/index.js';

export type Feed = Record<string, { data: Float32Array | Float64Array | BigInt64Array; dims: number[] }>;

const sessions = new WeakMap<Uint8Array, Promise<ort.InferenceSession>>();

export function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(bytes);
  if (!s) {
    s = ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    sessions.set(bytes, s);
  }
  return s;
}

export async function run(bytes: Uint8Array, feeds: Feed): Promise<Record<string, { data: Float64Array; dims: number[] }>> {
  const s = await session(bytes);
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) {
    const type = v.data instanceof Float32Array ? 'float32' : v.data instanceof Float64Array ? 'float64' : 'int64';
    f[k] = new ort.Tensor(type, v.data, v.dims);
  }
  const out = await s.run(f);
  const res: Record<string, { data: Float64Array; dims: number[] }> = {};
  for (const [k, t] of Object.entries(out)) {
    res[k] = { data: Float64Array.from(t.data as ArrayLike<number | bigint>, Number), dims: [...t.dims] };
  }
  return res;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArray(dtype: DType, n: number, r: () => number, scale = 1): Float32Array | Float64Array {
  const a = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
