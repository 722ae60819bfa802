/**
 * The in-memory graph IR: plain, runtime-independent objects (no onnxruntime types), so the
 * same IR can feed onnxruntime (through `saveModel`) or another executor (e.g. WebGPU).
 */
import type { DType, TensorData } from './dtype.js';
import { InvalidModelError } from './errors.js';

/**
 * One dimension of a shape: a number (static), a string (symbolic, e.g. `'batch'`), or
 * `null` (unknown).
 * @example
 * ```ts
 * const shape: Dim[] = ['batch', 3, 32, 32];
 * ```
 */
export type Dim = number | string | null;

/**
 * A constant tensor (initializer or attribute value). `data` is row-major; `dims` is the shape.
 *
 * @example
 * ```ts
 * const t: Tensor = { name: 'w', dtype: 'float32', dims: [2, 3], data: new Float32Array(6) };
 * ```
 */
export interface Tensor {
  name: string;
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/**
 * Type and (possibly partial) shape of a graph value. `shape` is undefined when the rank is
 * unknown.
 *
 * @example
 * ```ts
 * const vi: ValueInfo = { name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] };
 * ```
 */
export interface ValueInfo {
  name: string;
  dtype?: DType;
  shape?: Dim[];
}

/**
 * A node attribute, tagged with its ONNX attribute type.
 *
 * @example
 * ```ts
 * const a: Attribute = { kind: 'ints', value: [1, 1] };
 * ```
 */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: Tensor }
  /** Attributes this package does not interpret (graphs, sparse tensors, ...), kept as protobuf objects. */
  | { kind: 'raw'; value: unknown };

/**
 * A graph node. Empty strings in `inputs` denote omitted optional inputs, as in ONNX.
 *
 * @example
 * ```ts
 * const n: Node = { opType: 'Relu', name: 'relu1', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} };
 * ```
 */
export interface Node {
  opType: string;
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
}

/**
 * A graph: nodes in topological order, graph inputs/outputs, initializers and known value
 * infos (intermediate values).
 *
 * @example
 * ```ts
 * const g = model.graph;
 * g.nodes.map((n) => n.opType); // ['Conv', 'Relu', ...]
 * ```
 */
export interface Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  valueInfo: Map<string, ValueInfo>;
}

/**
 * A model: one graph plus the opset (default domain) and metadata that must survive a
 * round trip.
 *
 * @example
 * ```ts
 * const model = loadModel(bytes);
 * model.opsetVersion; // 13
 * ```
 */
export interface Model {
  irVersion: number;
  opsetVersion: number;
  /** Other opset imports (domain -> version), kept for round trips. */
  otherOpsets: Record<string, number>;
  producerName: string;
  producerVersion: string;
  graph: Graph;
}

/**
 * Deep-copies a model. Tensor data arrays are shared unless `copyData` is true (the IR
 * never mutates tensor data in place, so sharing is safe for the functions of this package).
 *
 * @example
 * ```ts
 * const copy = cloneModel(model);
 * copy.graph.nodes.pop(); // model is unchanged
 * ```
 */
export function cloneModel(model: Model, copyData = false): Model {
  const cloneTensor = (t: Tensor): Tensor => ({
    ...t,
    dims: [...t.dims],
    data: copyData ? (t.data.slice() as typeof t.data) : t.data,
  });
  const cloneAttr = (a: Attribute): Attribute => {
    if (a.kind === 'tensor') return { kind: 'tensor', value: cloneTensor(a.value) };
    if (Array.isArray(a.value)) return { ...a, value: [...a.value] } as Attribute;
    return { ...a };
  };
  const cloneVi = (v: ValueInfo): ValueInfo => ({ ...v, shape: v.shape ? [...v.shape] : undefined });
  const g = model.graph;
  return {
    ...model,
    otherOpsets: { ...model.otherOpsets },
    graph: {
      name: g.name,
      nodes: g.nodes.map((n) => ({
        ...n,
        inputs: [...n.inputs],
        outputs: [...n.outputs],
        attributes: Object.fromEntries(Object.entries(n.attributes).map(([k, a]) => [k, cloneAttr(a)])),
      })),
      inputs: g.inputs.map(cloneVi),
      outputs: g.outputs.map(cloneVi),
      initializers: new Map([...g.initializers].map(([k, t]) => [k, cloneTensor(t)])),
      valueInfo: new Map([...g.valueInfo].map(([k, v]) => [k, cloneVi(v)])),
    },
  };
}

/**
 * Reads an int attribute (with default).
 */
export function attrInt(node: Node, name: string, dflt: number): number {
  const a = node.attributes[name];
  if (!a) return dflt;
  if (a.kind === 'int' || a.kind === 'float') return a.value;
  throw new InvalidModelError(`attribute ${name} of node ${node.name} is not an int`);
}

/**
 * Reads a float attribute (with default).
 */
export function attrFloat(node: Node, name: string, dflt: number): number {
  return attrInt(node, name, dflt);
}

/**
 * Reads an ints attribute (undefined when absent).
 */
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  if (!a) return undefined;
  if (a.kind === 'ints' || a.kind === 'floats') return a.value;
  throw new InvalidModelError(`attribute ${name} of node ${node.name} is not a list of ints`);
}

/**
 * Reads a string attribute (with default).
 */
export function attrString(node: Node, name: string, dflt: string): string {
  const a = node.attributes[name];
  if (!a) return dflt;
  if (a.kind === 'string') return a.value;
  throw new InvalidModelError(`attribute ${name} of node ${node.name} is not a string`);
}

/**
 * Sorts nodes topologically (stable: keeps the given order where it is already valid).
 * Throws on cycles.
 *
 * @example
 * ```ts
 * model.graph.nodes = topologicalSort(model.graph);
 * ```
 */
export function topologicalSort(graph: Graph): Node[] {
  const available = new Set<string>(['']);
  for (const i of graph.inputs) available.add(i.name);
  for (const k of graph.initializers.keys()) available.add(k);
  const remaining = [...graph.nodes];
  const out: Node[] = [];
  while (remaining.length > 0) {
    let progressed = false;
    for (let i = 0; i < remaining.length; i++) {
      const n = remaining[i]!;
      if (n.inputs.every((x) => available.has(x))) {
        out.push(n);
        for (const o of n.outputs) available.add(o);
        remaining.splice(i, 1);
        i--;
        progressed = true;
      }
    }
    if (!progressed) {
      const n = remaining[0]!; // the loop runs while nodes remain
      const missing = n.inputs.filter((x) => !available.has(x));
      throw new InvalidModelError(`graph has a cycle or undefined inputs (node '${n.name}' waits for ${missing.join(', ')})`);
    }
  }
  return out;
}

/**
 * Map from value name to the nodes consuming it.
 *
 * @example
 * ```ts
 * consumers(model.graph).get('x')?.length;
 * ```
 */
export function consumers(graph: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      let arr = m.get(i);
      if (!arr) {
        arr = [];
        m.set(i, arr);
      }
      if (!arr.includes(n)) arr.push(n);
    }
  }
  return m;
}

/**
 * Map from value name to the node producing it.
 *
 * @example
 * ```ts
 * producers(model.graph).get('logits')?.opType; // 'Gemm'
 * ```
 */
export function producers(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/**
 * Number of elements of a static shape.
 */
export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
