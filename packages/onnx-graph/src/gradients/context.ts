/**
 * The context handed to gradient rules: emits backward nodes into the gradient graph and
 * answers shape/dtype questions about forward values.
 */
import type { AttrInput, GraphBuilder } from '../builder.js';
import { dtypeToCode, type DType } from '../dtype.js';
import { UnsupportedOpError } from '../errors.js';
import type { Dim, Node } from '../ir.js';
import type { ShapeAnalysis } from '../shape-inference.js';
import { makeTensor } from '../tensor.js';

/**
 * A vector-Jacobian-product rule: given the node and the gradients flowing into its outputs
 * (undefined where none flows), returns the gradient for each input (undefined where not
 * needed or not differentiable). Rules only compute inputs for which `ctx.needs(i)` is true.
 */
export type GradRule = (ctx: GradContext, node: Node, gy: (string | undefined)[]) => (string | undefined)[];

/**
 * Emission helpers and forward-graph facts for gradient rules.
 */
export class GradContext {
  /** The node whose rule is running. */
  node!: Node;

  constructor(
    readonly b: GraphBuilder,
    readonly analysis: ShapeAnalysis,
    private readonly active: ReadonlySet<string>,
  ) {}

  /** Default-domain opset of the gradient model (may be raised by {@link requireOpset}). */
  get opset(): number {
    return this.b.model.opsetVersion;
  }

  /** Raises the gradient model's opset to at least `v` (safe for the supported op set). */
  requireOpset(v: number): void {
    if (this.b.model.opsetVersion < v) this.b.model.opsetVersion = v;
  }

  /** True when input `i` of the current node needs a gradient. */
  needs(i: number): boolean {
    const x = this.node.inputs[i];
    return !!x && this.active.has(x);
  }

  /** Name of input `i` of the current node; fails naming the node when it is absent. */
  input(i: number): string {
    const x = this.node.inputs[i];
    if (!x) this.fail(`input ${i} is missing`);
    return x;
  }

  /** Name of output `i` of the current node; fails naming the node when it is absent. */
  output(i: number): string {
    const y = this.node.outputs[i];
    if (!y) this.fail(`output ${i} is missing`);
    return y;
  }

  /** Dtype of a forward value (float32 if unknown). */
  dtype(name: string): DType {
    return this.analysis.info.get(name)?.dtype ?? 'float32';
  }

  /** Inferred shape of a forward value (undefined if the rank is unknown). */
  shape(name: string): Dim[] | undefined {
    return this.analysis.info.get(name)?.shape;
  }

  /** Rank of a forward value; throws if unknown. */
  rank(name: string): number {
    const s = this.shape(name);
    if (!s) this.fail(`the rank of '${name}' could not be inferred`);
    return s.length;
  }

  /**
   * Static dims of `name` at the given axes (all axes by default); throws an
   * UnsupportedOpError naming the node if any is not static.
   */
  staticDims(name: string, axes?: number[]): number[] {
    const s = this.shape(name);
    if (!s) this.fail(`the shape of '${name}' could not be inferred`);
    const ax = axes ?? s.map((_, i) => i);
    return ax.map((a) => {
      const d = s[a];
      if (typeof d !== 'number') this.fail(`dimension ${a} of '${name}' must be static (got ${d === null ? 'unknown' : `'${d}'`})`);
      return d;
    });
  }

  /** Throws an UnsupportedOpError for the current node. */
  fail(detail: string): never {
    throw new UnsupportedOpError(this.node.opType, this.node.name, detail);
  }

  /**
   * Emits a node (named after the current forward node) and returns its first output.
   */
  emit(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined> = {}): string {
    return this.b.node(opType, inputs, attrs, { name: `${this.node.name}/grad/${opType}` });
  }

  /** Emits a multi-output node. */
  emitMulti(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined>, outputs: number): string[] {
    return this.b.nodeMulti(opType, inputs, attrs, { name: `${this.node.name}/grad/${opType}`, outputs });
  }

  /** A scalar constant of the given float dtype. */
  scalar(v: number, dtype: DType): string {
    return this.b.scalar(v, dtype);
  }

  /** An int64 1-D constant. */
  ints(values: readonly number[]): string {
    return this.b.int64s(values, 'grad_ints');
  }

  /**
   * ReduceSum over `axes` (nothing emitted for no axes).
   */
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    if (this.opset >= 13) return this.emit('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.emit('ReduceSum', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /** Unsqueeze with opset-appropriate axes. */
  unsqueeze(x: string, axes: number[]): string {
    if (this.opset >= 13) return this.emit('Unsqueeze', [x, this.ints(axes)]);
    return this.emit('Unsqueeze', [x], { axes });
  }

  /** Squeeze with opset-appropriate axes. */
  squeeze(x: string, axes: number[]): string {
    if (this.opset >= 13) return this.emit('Squeeze', [x, this.ints(axes)]);
    return this.emit('Squeeze', [x], { axes });
  }

  /**
   * The shape of forward value `like` as an int64 tensor: a constant when static, else a
   * Shape node.
   */
  shapeOf(like: string): string {
    const s = this.shape(like);
    if (s?.every((d) => typeof d === 'number')) return this.ints(s as number[]);
    return this.emit('Shape', [like]);
  }

  /** Reshapes `g` to the shape of forward value `like`. */
  reshapeLike(g: string, like: string): string {
    return this.emit('Reshape', [g, this.shapeOf(like)]);
  }

  /**
   * Sums a gradient of shape `gShape` (a broadcast result) back to the shape of forward value
   * `target` (numpy broadcasting rules).
   */
  reduceToShape(g: string, gShape: Dim[] | undefined, target: string): string {
    const t = this.shape(target);
    if (!gShape || !t) {
      if (gShape && t === undefined) this.fail(`the shape of '${target}' could not be inferred (needed to undo broadcasting)`);
      return g;
    }
    const lead = gShape.length - t.length;
    if (lead < 0) this.fail(`unexpected ranks while undoing broadcasting to '${target}'`);
    const axes: number[] = [];
    for (let i = 0; i < lead; i++) axes.push(i);
    for (let i = 0; i < t.length; i++) if (t[i] === 1 && gShape[i + lead] !== 1) axes.push(i + lead);
    if (axes.length === 0) return g;
    const keptAxesAreAllLeading = axes.every((a) => a < lead);
    if (keptAxesAreAllLeading) return this.reduceSum(g, axes, false);
    const r = this.reduceSum(g, axes, true);
    return lead > 0 ? this.reshapeLike(r, target) : r;
  }

  /**
   * A zero tensor shaped like forward value `like`, of its dtype.
   */
  zerosLike(like: string): string {
    const dt = this.dtype(like);
    const value = makeTensor('value', dt === 'float64' ? new Float64Array(1) : new Float32Array(1), [1]);
    return this.emit('ConstantOfShape', [this.shapeOf(like)], { value });
  }

  /** Casts to a dtype. */
  cast(x: string, dtype: DType): string {
    return this.emit('Cast', [x], { to: dtypeToCode(dtype) });
  }
}
