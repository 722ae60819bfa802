/**
 * WGSL code generation helpers shared by every kernel: the thread-per-element kernel skeleton,
 * exact float literals and index arithmetic.
 */
import { RsRangeError } from '@rs/core';

/** Threads per workgroup of the element-wise kernels (within every WebGPU device's default limit of 256). */
export const WORKGROUP_SIZE = 64;

/** The WGSL type of a storage binding's elements. */
export type ElementType = 'f32' | 'vec4<f32>' | 'u32' | 'i32' | 'vec4<u32>' | 'atomic<u32>';

/** One storage binding of a kernel, in binding order. */
export interface KernelBinding {
  /** The WGSL variable name. */
  variable: string;
  /** The value (tensor name or internal buffer key) bound to it. */
  value: string;
  type?: ElementType;
  /** Written by the kernel (read_write); default false (read). */
  write?: boolean;
}

/**
 * One compute dispatch: WGSL code with the per-sample shapes baked in, its bindings and its
 * thread count. Sizes that change with the batch (the thread count) are not in `code` but in
 * `meta`, read by the kernel as the uniform `meta_` bound after the storage bindings: one
 * compiled pipeline then serves every batch size (SwiftShader compiles slowly).
 */
export interface KernelSpec {
  label: string;
  code: string;
  bindings: KernelBinding[];
  threads: number;
  /** Up to 4 u32 values of the uniform `meta_: vec4<u32>` (binding `bindings.length`); none: no uniform. */
  meta?: readonly number[];
}

/**
 * WGSL declaration of the `meta_` uniform of a kernel with `storageBindings` storage bindings before it.
 *
 * metaDeclaration(2); // '@group(0) @binding(2) var<uniform> meta_: vec4<u32>;'
 */
export function metaDeclaration(storageBindings: number): string {
  return `@group(0) @binding(${storageBindings}) var<uniform> meta_: vec4<u32>;`;
}

/**
 * An exact f32 literal (the bit pattern of `Math.fround(v)`), so generated code loses nothing to
 * decimal formatting.
 */
export function f32(v: number): string {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  const bits = b.getUint32(0, true);
  return `bitcast<f32>(0x${bits.toString(16).padStart(8, '0')}u)`;
}

/**
 * A u32 literal.
 */
export function u32(v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RsRangeError('RS_BATCH_TOO_LARGE', `value ${v} does not fit a u32 index`);
  return `${v}u`;
}

/**
 * WGSL declarations of storage bindings, in order.
 *
 * storageDeclarations([{ variable: 'x', value: 'a' }]); // '@group(0) @binding(0) var<storage, read> x: array<f32>;'
 */
export function storageDeclarations(bindings: readonly KernelBinding[]): string {
  return bindings
    .map((b, k) => `@group(0) @binding(${k}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.variable}: array<${b.type ?? 'f32'}>;`)
    .join('\n');
}

/**
 * Generates a kernel with one thread per element: `body` runs with `i` (u32) the element index,
 * `i < total` guaranteed. `total` is the kernel's `meta_.x` (the code does not depend on it, so
 * plans of every batch size share the pipeline) unless `bake` writes it into the code (kernels
 * bound by hand, without the uniform); `meta` adds up to 3 more sizes (`meta_.y`, `.z`, `.w`).
 * Dispatch it with {@link dispatchSize}.
 */
export function elementwiseKernel(
  label: string,
  bindings: KernelBinding[],
  total: number,
  body: string,
  prelude = '',
  options: { bake?: boolean; meta?: readonly number[] } = {},
): KernelSpec {
  const code = `${storageDeclarations(bindings)}
${options.bake ? '' : metaDeclaration(bindings.length)}
${prelude}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP_SIZE}u + lid;
  if (i >= ${options.bake ? u32(total) : 'meta_.x'}) { return; }
${body}
}
`;
  return options.bake ? { label, code, bindings, threads: total } : { label, code, bindings, threads: total, meta: [total, ...(options.meta ?? [])] };
}

/**
 * Workgroup counts (x, y) covering `threads` threads, within `maxPerDimension` workgroups per
 * dimension (the device's maxComputeWorkgroupsPerDimension).
 */
export function dispatchSize(threads: number, maxPerDimension: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP_SIZE));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxPerDimension)
    throw new RsRangeError(
      'RS_BATCH_TOO_LARGE',
      `${threads} threads exceed the device's dispatch limits (${maxPerDimension}^2 workgroups of ${WORKGROUP_SIZE})`,
    );
  return [x, y];
}

/**
 * WGSL statements decomposing the flat index `index` over `dims` (row-major) and accumulating
 * `sum_d coord_d * strides[k][d]` into each `targets[k]` (declared here as `var`, u32).
 */
export function decompose(index: string, dims: readonly number[], targets: ReadonlyArray<readonly [string, readonly number[]]>): string {
  const lines = [`  var rem_ = ${index};`, ...targets.map(([t]) => `  var ${t} = 0u;`)];
  for (let d = dims.length - 1; d >= 0; d--) {
    const used = targets.filter(([, s]) => s[d] !== 0);
    if (used.length === 0 && d > 0) {
      lines.push(`  rem_ = rem_ / ${u32(dims[d]!)};`);
      continue;
    }
    // The outermost coordinate is what remains (the index is below the total): no modulo, and no batch size in the code.
    lines.push(d === 0 ? '  { let c_ = rem_;' : `  { let c_ = rem_ % ${u32(dims[d]!)}; rem_ = rem_ / ${u32(dims[d]!)};`);
    for (const [t, s] of used) lines.push(`    ${t} = ${t} + c_ * ${u32(s[d]!)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}

/**
 * Row-major strides of a shape.
 */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= dims[d]!;
  }
  return s;
}

/**
 * Number of elements of a shape.
 */
export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
