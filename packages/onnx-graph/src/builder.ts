/**
 * A small programmatic ONNX graph builder, used to write models by hand (tests, user code)
 * and by the autodiff to emit gradient nodes.
 */
import type { DType, TensorData } from './dtype.js';
import { cloneModel, type Attribute, type Dim, type Model, type Node, type Tensor } from './ir.js';
import { saveModel } from './save.js';
import { dtypeOfArray, makeTensor } from './tensor.js';
import { OnnxGraphError } from './errors.js';

/**
 * Attribute values accepted by {@link GraphBuilder.node}: plain numbers/arrays are inferred
 * (integers become `int`/`ints` except for known float attributes such as `alpha`, `beta`,
 * `epsilon`, `ratio`), strings, tensors, or an explicit tagged {@link Attribute}.
 * @example
 * ```ts
 * b.node('Gemm', [x, w], { transB: 1, alpha: 1 }); // transB -> int, alpha -> float
 * ```
 */
export type AttrInput = number | number[] | string | string[] | Tensor | Attribute;

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum', 'ratio', 'gamma', 'bias', 'lambd', 'value_float', 'spatial_scale']);
const FLOAT_LIST_ATTRS = new Set(['value_floats', 'scales']);

/**
 * Converts a plain attribute value to a tagged IR attribute.
 */
export function toAttribute(name: string, v: AttrInput): Attribute {
  if (typeof v === 'number') {
    return FLOAT_ATTRS.has(name) || !Number.isInteger(v) ? { kind: 'float', value: v } : { kind: 'int', value: v };
  }
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { kind: 'strings', value: v as string[] };
    const nums = v as number[];
    return FLOAT_LIST_ATTRS.has(name) || nums.some((x) => !Number.isInteger(x)) ? { kind: 'floats', value: [...nums] } : { kind: 'ints', value: [...nums] };
  }
  if ('kind' in v) return v;
  return { kind: 'tensor', value: v };
}

/**
 * Options of {@link GraphBuilder.node}.
 * @example
 * ```ts
 * b.node('Relu', [x], {}, { name: 'relu1', outputs: ['h1'] });
 * ```
 */
export interface NodeOptions {
  /** Node name (default: a unique `<OpType>_<n>`). */
  name?: string;
  /** Output names, or a number of outputs to name automatically (default 1). */
  outputs?: number | string[];
  /** Operator domain (default ''). */
  domain?: string;
}

/**
 * Options of the {@link GraphBuilder} constructor.
 * @example
 * ```ts
 * new GraphBuilder({ opset: 17, name: 'mlp' });
 * ```
 */
export interface BuilderOptions {
  /** Default-domain opset version (default 13). */
  opset?: number;
  /** IR version (default 8). */
  irVersion?: number;
  /** Graph name (default 'graph'). */
  name?: string;
  /** Producer name (default '@rs/onnx-graph'). */
  producerName?: string;
}

/**
 * Builds ONNX graphs node by node. Names are made unique automatically; every method that
 * creates a value returns its name.
 *
 * @example
 * ```ts
 * const b = new GraphBuilder({ opset: 13 });
 * const x = b.input('x', 'float32', ['batch', 4]);
 * const w = b.initializer('w', new Float32Array(12).fill(0.1), [3, 4]);
 * const y = b.node('Gemm', [x, w], { transB: 1 }, { outputs: ['y'] });
 * b.output(y, 'float32', ['batch', 3]);
 * const bytes = b.toBytes();
 * ```
 */
export class GraphBuilder {
  readonly model: Model;
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(opts: BuilderOptions = {}) {
    this.model = {
      irVersion: opts.irVersion ?? 8,
      opsetVersion: opts.opset ?? 13,
      otherOpsets: {},
      producerName: opts.producerName ?? '@rs/onnx-graph',
      producerVersion: '0.1.0',
      graph: {
        name: opts.name ?? 'graph',
        nodes: [],
        inputs: [],
        outputs: [],
        initializers: new Map(),
        valueInfo: new Map(),
      },
    };
  }

  /**
   * Starts a builder from (a copy of) an existing model, e.g. to append nodes.
   *
   * @example
   * ```ts
   * const b = GraphBuilder.from(loadModel(bytes));
   * const p = b.node('Softmax', ['logits'], { axis: 1 });
   * b.output(p);
   * ```
   */
  static from(model: Model, copy = true): GraphBuilder {
    const b = new GraphBuilder();
    const m = copy ? cloneModel(model) : model;
    Object.assign(b.model, m);
    const g = b.model.graph;
    for (const i of g.inputs) b.used.add(i.name);
    for (const k of g.initializers.keys()) b.used.add(k);
    for (const n of g.nodes) {
      b.used.add(n.name);
      for (const o of n.outputs) b.used.add(o);
    }
    return b;
  }

  /**
   * Returns `base` if unused, else `base_1`, `base_2`, ... and reserves the name.
   *
   * @example
   * ```ts
   * b.uniqueName('grad_x'); // 'grad_x'
   * ```
   */
  uniqueName(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Marks a name as taken without creating anything. @example b.reserve('labels'); */
  reserve(name: string): void {
    this.used.add(name);
  }

  /**
   * Adds a graph input. Returns its name.
   *
   * @example
   * ```ts
   * const x = b.input('x', 'float32', ['batch', 3, 8, 8]);
   * ```
   */
  input(name: string, dtype: DType, shape: Dim[] | undefined): string {
    if (this.model.graph.inputs.some((i) => i.name === name)) throw new OnnxGraphError(`input '${name}' already exists`);
    this.used.add(name);
    this.model.graph.inputs.push({ name, dtype, shape: shape ? [...shape] : undefined });
    return name;
  }

  /**
   * Declares a value as a graph output (dtype/shape optional but recommended).
   *
   * @example
   * ```ts
   * b.output('y', 'float32', ['batch', 10]);
   * ```
   */
  output(name: string, dtype?: DType, shape?: Dim[]): string {
    this.model.graph.outputs.push({ name, dtype, shape: shape ? [...shape] : undefined });
    return name;
  }

  /**
   * Adds an initializer with exactly this name (throws if the name is taken).
   *
   * @example
   * ```ts
   * const w = b.initializer('conv.weight', new Float32Array(8 * 3 * 3 * 3), [8, 3, 3, 3]);
   * ```
   */
  initializer(name: string, data: TensorData, dims: number[], dtype?: DType): string {
    if (this.used.has(name) && !this.model.graph.initializers.has(name)) {
      throw new OnnxGraphError(`name '${name}' is already used`);
    }
    this.used.add(name);
    this.model.graph.initializers.set(name, makeTensor(name, data, dims, dtype));
    return name;
  }

  /**
   * Adds a constant as an initializer with a unique name derived from `hint`; small
   * identical constants are shared.
   *
   * @example
   * ```ts
   * const axes = b.constant(new BigInt64Array([1n]), [1], 'axes');
   * ```
   */
  constant(data: TensorData, dims: number[], hint = 'const', dtype?: DType): string {
    const dt = dtype ?? dtypeOfArray(data);
    let key: string | undefined;
    if (data.length <= 64) {
      key = `${dt}|${dims.join(',')}|${Array.from(data as ArrayLike<number | bigint>, String).join(',')}`;
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const name = this.uniqueName(hint);
    this.model.graph.initializers.set(name, makeTensor(name, data, dims, dt));
    if (key) this.constCache.set(key, name);
    return name;
  }

  /**
   * An int64 1-D constant (e.g. axes, shapes).
   *
   * @example
   * ```ts
   * b.node('Reshape', [x, b.int64s([-1, 10])]);
   * ```
   */
  int64s(values: readonly number[], hint = 'ints'): string {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], hint);
  }

  /**
   * A scalar (rank-0) float constant of the given float dtype.
   *
   * @example
   * ```ts
   * b.node('Mul', [x, b.scalar(0.5, 'float32')]);
   * ```
   */
  scalar(value: number, dtype: DType = 'float32', hint = 'scalar'): string {
    const data = dtype === 'float64' ? new Float64Array([value]) : new Float32Array([value]);
    return this.constant(data, [], hint);
  }

  /**
   * Appends a node and returns the name of its first output.
   *
   * @example
   * ```ts
   * const h = b.node('Relu', [x]);
   * const y = b.node('Conv', [h, w, bias], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'conv2' });
   * ```
   */
  node(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined> = {}, opts: NodeOptions = {}): string {
    const [first] = this.nodeMulti(opType, inputs, attrs, opts);
    if (first === undefined) throw new OnnxGraphError(`node(${opType}): a node must have an output (use nodeMulti for none)`);
    return first;
  }

  /**
   * Appends a node and returns all its output names.
   *
   * @example
   * ```ts
   * const [y, indices] = b.nodeMulti('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: 2 });
   * ```
   */
  nodeMulti(opType: string, inputs: string[], attrs: Record<string, AttrInput | undefined> = {}, opts: NodeOptions = {}): string[] {
    const name = this.uniqueName(opts.name ?? `${opType}_${this.model.graph.nodes.length}`);
    const outSpec = opts.outputs ?? 1;
    const outputs =
      typeof outSpec === 'number'
        ? Array.from({ length: outSpec }, (_, i) => this.uniqueName(`${name}_out${i === 0 ? '' : i}`))
        : outSpec.map((o) => {
            if (o) this.used.add(o);
            return o;
          });
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) attributes[k] = toAttribute(k, v);
    const node: Node = { opType, name, domain: opts.domain ?? '', inputs: [...inputs], outputs, attributes };
    this.model.graph.nodes.push(node);
    return outputs;
  }

  /**
   * Returns the model built so far (the builder's own object; clone it before mutating).
   *
   * @example
   * ```ts
   * const model = b.build();
   * ```
   */
  build(): Model {
    return this.model;
  }

  /**
   * Serializes the model built so far to ONNX bytes.
   *
   * @example
   * ```ts
   * const session = await ort.InferenceSession.create(b.toBytes());
   * ```
   */
  toBytes(): Uint8Array {
    return saveModel(this.model);
  }
}
