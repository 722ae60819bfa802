import { readFileSync } from 'node:fs';
import { readNpy } from '@rs/datasets';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/** A float32 .npy fixture: its values and shape. */
export function npy(path: string): { data: Float32Array; shape: number[] } {
  const a = readNpy(new Uint8Array(readFileSync(new URL(path, FIXTURES)))); // a copy: Buffer.slice shares its pool
  if (!(a.data instanceof Float32Array)) throw new Error(`${path}: expected float32, got ${a.dtype}`);
  return { data: a.data, shape: a.shape };
}

/** Positions where two float32 arrays differ (bitwise, NaN equal to NaN). */
export function mismatches(a: Float32Array, b: Float32Array): number[] {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) out.push(i);
  return out;
}
