import { create, equals } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, loadModel, saveModel } from '../src/index.js';
import { AttributeProtoSchema } from '../src/onnx-pb.generated.js';
import { AttributeType, decodeModel, encodeModel } from '../src/proto.js';

describe('ONNX protobuf reading and writing', () => {
  it('keeps unknown (null), symbolic and static dims through save and load', () => {
    const b = new GraphBuilder({ opset: 13 });
    const y = b.node('Relu', [b.input('x', 'float32', ['batch', null, 3])]);
    b.output(y, 'float32', ['batch', null, 3]);
    const again = loadModel(saveModel(b.build()));
    expect(again.graph.inputs[0]?.shape).toEqual(['batch', null, 3]);
    expect(again.graph.outputs[0]?.shape).toEqual(['batch', null, 3]);
  });

  it('writes int64 attributes and tensors exactly (negative, beyond 2^32)', () => {
    const b = new GraphBuilder({ opset: 13 });
    const x = b.input('x', 'float32', [2]);
    b.node('Constant', [], { value_ints: [-1, 2 ** 40, -(2 ** 52)] }, { name: 'c' });
    b.output(b.node('Relu', [x]), 'float32', [2]);
    const big = BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]);
    b.initializer('big', big, [2], 'int64');
    const again = loadModel(saveModel(b.build()));
    expect(again.graph.nodes.find((n) => n.name === 'c')?.attributes.value_ints).toEqual({ kind: 'ints', value: [-1, 2 ** 40, -(2 ** 52)] });
    expect(Array.from(again.graph.initializers.get('big')?.data as BigInt64Array)).toEqual(Array.from(big));
  });

  it('writes back attributes it does not interpret (a GRAPH attribute) as they were read', () => {
    const branch = { name: 'then', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] };
    const attribute = create(AttributeProtoSchema, { name: 'then_branch', type: AttributeType.GRAPH, g: branch });
    const bytes = encodeModel({
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 13n }],
      graph: {
        name: 'g',
        node: [{ opType: 'If', name: 'if0', input: ['cond'], output: ['out'], attribute: [attribute] }],
        input: [{ name: 'cond' }],
        output: [{ name: 'out' }],
      },
    });
    const model = loadModel(bytes);
    expect(model.graph.nodes[0]?.attributes.then_branch?.kind).toBe('raw');
    const written = decodeModel(saveModel(model)).graph?.node[0]?.attribute[0];
    expect(written && equals(AttributeProtoSchema, written, attribute)).toBe(true);
  });
});
