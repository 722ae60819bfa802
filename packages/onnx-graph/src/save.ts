/**
 * Writing the IR back to ONNX model bytes.
 */
import { dtypeToCode } from './dtype.js';
import type { Attribute, Model, ValueInfo } from './ir.js';
import { type AttributeInit, type AttributeProto, AttributeType, encodeModel, type ModelInit, toInt64, type ValueInfoInit } from './proto.js';
import { tensorToProto } from './tensor.js';

const utf8 = new TextEncoder();

/**
 * Encodes an IR attribute as an `AttributeProto`.
 */
export function attributeToProto(name: string, a: Attribute): AttributeInit {
  const T = AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: toInt64(a.value) };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'string':
      return { name, type: T.STRING, s: utf8.encode(a.value) };
    case 'ints':
      return { name, type: T.INTS, ints: a.value.map(toInt64) };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'strings':
      return { name, type: T.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor':
      return { name, type: T.TENSOR, t: tensorToProto(a.value) };
    case 'raw':
      // kept as decoded by load.ts (graphs, sparse tensors, type protos): written back as read
      return { ...(a.value as AttributeProto), name };
  }
}

/**
 * Encodes a value info (dtype/shape) as a `ValueInfoProto`.
 */
export function valueInfoToProto(v: ValueInfo): ValueInfoInit {
  const out: ValueInfoInit = { name: v.name };
  if (v.dtype) {
    const shape = v.shape
      ? {
          dim: v.shape.map((d) =>
            typeof d === 'number'
              ? { value: { case: 'dimValue' as const, value: toInt64(d) } }
              : typeof d === 'string'
                ? { value: { case: 'dimParam' as const, value: d } }
                : {},
          ),
        }
      : undefined;
    out.type = { value: { case: 'tensorType', value: { elemType: dtypeToCode(v.dtype), shape } } };
  }
  return out;
}

/**
 * Converts the IR into a protobuf `ModelProto` object.
 */
export function modelToProto(model: Model): ModelInit {
  const g = model.graph;
  return {
    irVersion: toInt64(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport: [
      { domain: '', version: toInt64(model.opsetVersion) },
      ...Object.entries(model.otherOpsets).map(([domain, version]) => ({ domain, version: toInt64(version) })),
    ],
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        opType: n.opType,
        name: n.name,
        domain: n.domain || undefined,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([k, a]) => attributeToProto(k, a)),
      })),
      input: g.inputs.map(valueInfoToProto),
      output: g.outputs.map(valueInfoToProto),
      initializer: [...g.initializers.values()].map(tensorToProto),
      valueInfo: [...g.valueInfo.values()].filter((v) => v.dtype).map(valueInfoToProto),
    },
  };
}

/**
 * Serializes the IR to ONNX model bytes (initializers embedded as raw_data), loadable by
 * onnxruntime or any ONNX runtime.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('copy.onnx', saveModel(loadModel(bytes)));
 * ```
 */
export function saveModel(model: Model): Uint8Array {
  return encodeModel(modelToProto(model));
}
