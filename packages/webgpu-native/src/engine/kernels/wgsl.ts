/**
 * WGSL code generation helpers shared by every kernel: the thread-per-element kernel skeleton,
 * exact float literals and index arithmetic.
 */

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
 * One compute dispatch: WGSL code with every shape baked in, its bindings and its thread count.
 *
 * @example
 * const k: KernelSpec = { label: 'relu', code, bindings: [{ variable: 'x', value: 'a' }, { variable: 'y', value: 'b', write: true }], threads: 1024 };
 */
export interface KernelSpec {
  label: string;
  code: string;
  bindings: KernelBinding[];
  threads: number;
}

/**
 * An exact f32 literal (the bit pattern of `Math.fround(v)`), so generated code loses nothing to
 * decimal formatting.
 *
 * @example
 * f32(0.1); // 'bitcast<f32>(0x3dcccccdu)'
 */
export function f32(v: number): string {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  const bits = b.getUint32(0, true);
  return `bitcast<f32>(0x${bits.toString(16).padStart(8, '0')}u)`;
}

/**
 * A u32 literal.
 *
 * @example
 * u32(7); // '7u'
 */
export function u32(v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`value ${v} does not fit a u32 index`);
  return `${v}u`;
}

/**
 * Generates a kernel with one thread per element: `body` runs with `i` (u32) the element index,
 * `i < total` guaranteed. Dispatch it with {@link dispatchSize}.
 *
 * @example
 * elementwiseKernel('relu', [{ variable: 'x', value: 'a' }, { variable: 'y', value: 'b', write: true }], 1024, 'y[i] = max(x[i], 0.0);');
 */
export function elementwiseKernel(label: string, bindings: KernelBinding[], total: number, body: string, prelude = ''): KernelSpec {
  const decls = bindings
    .map((b, k) => `@group(0) @binding(${k}) var<storage, ${b.write ? 'read_write' : 'read'}> ${b.variable}: array<${b.type ?? 'f32'}>;`)
    .join('\n');
  const code = `${decls}
${prelude}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP_SIZE}u + lid;
  if (i >= ${u32(total)}) { return; }
${body}
}
`;
  return { label, code, bindings, threads: total };
}

/**
 * Workgroup counts (x, y) covering `threads` threads, within `maxPerDimension` workgroups per
 * dimension (the device's maxComputeWorkgroupsPerDimension).
 *
 * @example
 * dispatchSize(10_000_000, 65535); // [65535, 3]
 */
export function dispatchSize(threads: number, maxPerDimension: number): [number, number] {
  const groups = Math.max(1, Math.ceil(threads / WORKGROUP_SIZE));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxPerDimension) throw new RangeError(`${threads} threads exceed the device's dispatch limits (${maxPerDimension}^2 workgroups of ${WORKGROUP_SIZE})`);
  return [x, y];
}

/**
 * WGSL statements decomposing the flat index `index` over `dims` (row-major) and accumulating
 * `sum_d coord_d * strides[k][d]` into each `targets[k]` (declared here as `var`, u32).
 *
 * @example
 * decompose('i', [2, 3], [['ia', [3, 1]], ['ib', [0, 1]]]);
 */
export function decompose(index: string, dims: readonly number[], targets: ReadonlyArray<readonly [string, readonly number[]]>): string {
  const lines = [`  var rem_ = ${index};`, ...targets.map(([t]) => `  var ${t} = 0u;`)];
  for (let d = dims.length - 1; d >= 0; d--) {
    const used = targets.filter(([, s]) => s[d] !== 0);
    if (used.length === 0 && d > 0) {
      lines.push(`  rem_ = rem_ / ${u32(dims[d]!)};`);
      continue;
    }
    lines.push(`  { let c_ = rem_ % ${u32(dims[d]!)}; rem_ = rem_ / ${u32(dims[d]!)};`);
    for (const [t, s] of used) lines.push(`    ${t} = ${t} + c_ * ${u32(s[d]!)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}

/**
 * Row-major strides of a shape.
 *
 * @example
 * stridesOf([2, 3, 4]); // [12, 4, 1]
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
 *
 * @example
 * numel([2, 3]); // 6
 */
export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
