/**
 * Reading ONNX model bytes into the IR.
 */
import { dtypeFromCode } from './dtype.js';
import { InvalidModelError } from './errors.js';
import type { Attribute, Dim, Model, Node, Tensor, ValueInfo } from './ir.js';
import { type AttributeProto, AttributeType, decodeModel, type ModelProto, toNumber, type ValueInfoProto } from './proto.js';
import { tensorFromProto } from './tensor.js';

const utf8 = new TextDecoder();

/**
 * Decodes an `AttributeProto` into an IR attribute.
 */
export function attributeFromProto(a: AttributeProto): Attribute {
  const T = AttributeType;
  let type = a.type;
  if (type === T.UNDEFINED) {
    // Pre-IR-v3 models may omit the type: infer from the populated field.
    if (a.ints.length) type = T.INTS;
    else if (a.floats.length) type = T.FLOATS;
    else if (a.strings.length) type = T.STRINGS;
    else if (a.t) type = T.TENSOR;
    else if (a.s.length) type = T.STRING;
    else if (a.f !== 0) type = T.FLOAT;
    else type = T.INT;
  }
  switch (type) {
    case T.INT:
      return { kind: 'int', value: toNumber(a.i) };
    case T.FLOAT:
      return { kind: 'float', value: a.f };
    case T.STRING:
      return { kind: 'string', value: utf8.decode(a.s) };
    case T.INTS:
      return { kind: 'ints', value: a.ints.map(toNumber) };
    case T.FLOATS:
      return { kind: 'floats', value: [...a.floats] };
    case T.STRINGS:
      return { kind: 'strings', value: a.strings.map((s) => utf8.decode(s)) };
    case T.TENSOR:
      if (!a.t) throw new InvalidModelError(`attribute '${a.name}' has type TENSOR but no tensor`);
      return { kind: 'tensor', value: tensorFromProto(a.t) };
    default:
      return { kind: 'raw', value: a };
  }
}

/**
 * Decodes a `ValueInfoProto` (tensor types only; other types give a ValueInfo without dtype).
 */
export function valueInfoFromProto(v: ValueInfoProto): ValueInfo {
  const out: ValueInfo = { name: v.name };
  if (v.type?.value.case === 'tensorType') {
    const tt = v.type.value.value;
    const dt = dtypeFromCode(tt.elemType);
    if (dt) out.dtype = dt;
    if (tt.shape) {
      out.shape = tt.shape.dim.map((d): Dim => {
        if (d.value.case === 'dimParam') return d.value.value || null;
        if (d.value.case === 'dimValue') {
          const n = toNumber(d.value.value);
          return Number.isFinite(n) && n >= 0 ? n : null;
        }
        return null; // neither: an unknown dimension
      });
    }
  }
  return out;
}

/**
 * Converts a decoded `ModelProto` into the IR (validates the pieces the IR relies on).
 */
export function modelFromProto(m: ModelProto): Model {
  const g = m.graph;
  if (!g) throw new InvalidModelError('not a valid ONNX model: the model has no graph');
  let opsetVersion = -1;
  const otherOpsets: Record<string, number> = {};
  for (const o of m.opsetImport) {
    const dom = o.domain;
    if (dom === '' || dom === 'ai.onnx') opsetVersion = toNumber(o.version);
    else otherOpsets[dom] = toNumber(o.version);
  }
  if (opsetVersion < 0) {
    throw new InvalidModelError('not a valid ONNX model: no opset import for the default ONNX domain');
  }
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) {
    const tensor = tensorFromProto(t);
    initializers.set(tensor.name, tensor);
  }
  if (g.sparseInitializer.length > 0) {
    throw new InvalidModelError('sparse initializers are not supported');
  }
  const nodes: Node[] = g.node.map((n, i) => {
    if (!n.opType) throw new InvalidModelError(`not a valid ONNX model: node #${i} has no op_type`);
    const attributes: Record<string, Attribute> = {};
    for (const a of n.attribute) {
      if (!a.name) continue;
      attributes[a.name] = attributeFromProto(a);
    }
    return {
      opType: n.opType,
      name: n.name || `${n.opType}_${i}`,
      domain: n.domain,
      inputs: [...n.input],
      outputs: [...n.output],
      attributes,
    };
  });
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.valueInfo) {
    const vi = valueInfoFromProto(v);
    if (vi.name) valueInfo.set(vi.name, vi);
  }
  return {
    irVersion: toNumber(m.irVersion),
    opsetVersion,
    otherOpsets,
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    graph: {
      name: g.name,
      nodes,
      inputs: g.input.map(valueInfoFromProto),
      outputs: g.output.map(valueInfoFromProto),
      initializers,
      valueInfo,
    },
  };
}

/**
 * Parses ONNX model bytes into the IR: nodes, graph inputs/outputs with dtypes and shapes
 * (symbolic dims as strings), initializers as typed arrays, and the default-domain opset.
 *
 * Throws {@link InvalidModelError} with a message starting with `not a valid ONNX model:` for
 * corrupt or truncated bytes or a model without a graph. It does not check that the ops are
 * differentiable; use `checkSupported` (which `buildGradientModel` calls) for that.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const model = loadModel(readFileSync('model.onnx'));
 * console.log(model.opsetVersion, model.graph.inputs[0].shape); // 13 ['batch', 1, 28, 28]
 * ```
 */
export function loadModel(bytes: Uint8Array): Model {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidModelError('not a valid ONNX model: expected a Uint8Array of model bytes');
  }
  if (bytes.length === 0) throw new InvalidModelError('not a valid ONNX model: empty input');
  let proto: ModelProto;
  try {
    proto = decodeModel(bytes);
  } catch (e) {
    throw new InvalidModelError(`not a valid ONNX model: ${(e as Error).message} (corrupt or truncated bytes?)`);
  }
  try {
    return modelFromProto(proto);
  } catch (e) {
    if (e instanceof InvalidModelError) {
      if (e.message.startsWith('not a valid ONNX model')) throw e;
      throw new InvalidModelError(`not a valid ONNX model: ${e.message}`);
    }
    throw new InvalidModelError(`not a valid ONNX model: ${(e as Error).message}`);
  }
}
