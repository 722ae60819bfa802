/**
 * Dimension algebra on shapes whose dims may be symbolic (`'batch'`) or unknown (null):
 * broadcasting, products, Reshape targets, and the output size and padding of a sliding window.
 */
import { InvalidModelError } from '../errors.js';
import { attrInts, attrString, type Dim, type Node } from '../ir.js';

/**
 * Broadcasts two dims (numpy rules); null when undecidable.
 */
export function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (a === b) return a;
  if (typeof a === 'number' && typeof b !== 'number') return a;
  if (typeof b === 'number' && typeof a !== 'number') return b;
  return null;
}

/**
 * Broadcasts shapes (numpy rules).
 */
export function broadcastShapes(...shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  const known: Dim[][] = [];
  for (const s of shapes) {
    if (!s) return undefined;
    known.push(s);
  }
  const rank = Math.max(...known.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of known) {
      const j = i - (rank - s.length);
      if (j >= 0) d = broadcastDim(d, s[j]!);
    }
    out.push(d);
  }
  return out;
}

/** Product of dims: numeric factor, symbolic factors, or unknown. */
function dimProduct(dims: Dim[]): { num: number; syms: string[]; unknown: boolean } {
  let num = 1;
  const syms: string[] = [];
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') num *= d;
    else if (typeof d === 'string') syms.push(d);
    else unknown = true;
  }
  return { num, syms, unknown };
}

/**
 * Multiplies dims into one dim (symbolic when exactly one symbol and numeric factor 1).
 */
export function productDim(dims: Dim[]): Dim {
  const p = dimProduct(dims);
  if (p.unknown) return null;
  if (p.syms.length === 0) return p.num;
  if (p.syms.length === 1 && p.num === 1) return p.syms[0]!;
  return null;
}

/**
 * Resolves a Reshape target against the input shape (0 = copy unless allowzero, -1 = infer).
 */
export function reshapeShape(input: Dim[] | undefined, target: Dim[], allowzero = false): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowzero ? (input ? (input[i] ?? null) : null) : t));
  const inferIdx = out.indexOf(-1);
  if (inferIdx >= 0) {
    out[inferIdx] = null;
    if (input) {
      const pin = dimProduct(input);
      const others = out.filter((_, i) => i !== inferIdx);
      const pout = dimProduct(others);
      if (!pin.unknown && !pout.unknown) {
        const syms = [...pin.syms];
        let ok = true;
        for (const s of pout.syms) {
          const k = syms.indexOf(s);
          if (k < 0) ok = false;
          else syms.splice(k, 1);
        }
        if (ok && pout.num !== 0 && pin.num % pout.num === 0) {
          const num = pin.num / pout.num;
          if (syms.length === 0) out[inferIdx] = num;
          else if (syms.length === 1 && num === 1) out[inferIdx] = syms[0]!;
        }
      }
    }
  }
  return out;
}

/**
 * Output spatial size of a convolution/pooling window (NOTSET padding).
 */
export function windowOutSize(inSize: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceilMode: boolean): number {
  const span = (kernel - 1) * dilation + 1;
  const num = inSize + padBegin + padEnd - span;
  let out = (ceilMode ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // A window must start inside the input or the leading padding (PyTorch / onnxruntime rule).
  if (ceilMode && (out - 1) * stride >= inSize + padBegin) out--;
  return out;
}

/**
 * Checks that each per-axis attribute of a window node (kernel_shape, strides, dilations) has one
 * value per spatial axis; throws an InvalidModelError naming the node and the attribute.
 */
export function checkPerAxis(node: Node, values: Readonly<Record<string, readonly unknown[]>>, r: number): void {
  for (const [name, v] of Object.entries(values)) {
    if (v.length !== r) throw new InvalidModelError(`node '${node.name}' (${node.opType}): '${name}' has ${v.length} values for ${r} spatial axes`);
  }
}

/**
 * Explicit begin/end pads of a conv/pool node for a given input spatial shape, resolving
 * `auto_pad` (SAME_UPPER/SAME_LOWER/VALID). Returns [begins..., ends...].
 */
export function resolvePads(node: Node, spatial: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const r = spatial.length;
  checkPerAxis(node, { kernel_shape: kernel, strides, dilations }, r);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = attrInts(node, 'pads') ?? new Array<number>(2 * r).fill(0);
    if (pads.length !== 2 * r)
      throw new InvalidModelError(`node '${node.name}' (${node.opType}): 'pads' has ${pads.length} values for ${r} spatial axes (needs ${2 * r})`);
    return pads;
  }
  if (autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < r; i++) {
    const [size, stride, k, dilation] = [spatial[i]!, strides[i]!, kernel[i]!, dilations[i]!];
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + (k - 1) * dilation + 1 - size);
    const small = Math.floor(total / 2);
    if (autoPad === 'SAME_UPPER') {
      begins.push(small);
      ends.push(total - small);
    } else {
      begins.push(total - small);
      ends.push(small);
    }
  }
  return [...begins, ...ends];
}

/**
 * An axis counted from the end (negative) as counted from the start.
 */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * Sum of dims (Concat's axis); null unless every dim is a number.
 */
export function sumDims(ds: Dim[]): Dim {
  let sum = 0;
  for (const d of ds) {
    if (typeof d !== 'number') return null;
    sum += d;
  }
  return sum;
}
