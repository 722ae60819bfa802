import { crossEntropyHead, epochOrder, NOISE_STREAM, philoxUniformSource, type Classifier, type TrainingHyperParameters } from '@rs/core';
import { getInitializers, GraphBuilder, initialWeights, loadModel, replaceInitializers } from '@rs/onnx-graph';

/**
 * The fixture CNN's architecture (Conv-Relu-MaxPool x2, Gemm-Relu-Gemm) with fresh weights:
 * PyTorch's default initialization drawn from Philox with `seed`.
 *
 * @example
 * const bytes = freshCnn(readFmnistCnn('model.onnx'), 1n);
 */
export function freshCnn(architecture: Uint8Array, seed: bigint): Uint8Array {
  const current = new Map([...getInitializers(architecture)].map(([name, t]) => [name, t.data]));
  return replaceInitializers(architecture, initialWeights(loadModel(architecture), current, philoxUniformSource(seed, NOISE_STREAM.onnxWeightInit)));
}

/**
 * A small residual denoiser for 28 x 28 grey images (DnCNN-style: it predicts the noise):
 * `x - Conv(Relu(Conv(Relu(Conv(x)))))`, 3 x 3 convolutions with `channels` channels, PyTorch's
 * default initialization from Philox with `seed`.
 *
 * @example
 * const bytes = denoiserModel(16, 0n); // input 'input' [batch, 1, 28, 28], output 'denoised' [batch, 1, 28, 28]
 */
export function denoiserModel(channels: number, seed: bigint): Uint8Array {
  const b = new GraphBuilder({ opset: 13, name: 'denoiser' });
  const x = b.input('input', 'float32', ['batch', 1, 28, 28]);
  const conv = (input: string, cin: number, cout: number, name: string) =>
    b.node(
      'Conv',
      [
        input,
        b.initializer(`${name}.weight`, new Float32Array(cout * cin * 9), [cout, cin, 3, 3]),
        b.initializer(`${name}.bias`, new Float32Array(cout), [cout]),
      ],
      {
        pads: [1, 1, 1, 1],
        kernel_shape: [3, 3],
      },
    );
  const h1 = b.node('Relu', [conv(x, 1, channels, 'conv1')]);
  const h2 = b.node('Relu', [conv(h1, channels, channels, 'conv2')]);
  const noise = conv(h2, channels, 1, 'conv3');
  b.output(b.node('Sub', [x, noise], {}, { outputs: ['denoised'] }), 'float32', ['batch', 1, 28, 28]);
  return freshCnn(b.toBytes(), seed);
}

/**
 * Trains a classifier on clean images (no noise): `epochs` shuffled passes (core's Philox shuffle
 * with `seed`) of one optimizer step per batch through its `training` capability. Returns each
 * epoch's mean loss.
 *
 * @example
 * const losses = await trainClean(classifier, train.x, train.y, { epochs: 2, batchSize: 64, seed: 0n, optimizer: 'adam', learningRate: 1e-3 });
 */
export async function trainClean(
  classifier: Classifier,
  x: Float32Array,
  y: Int32Array,
  o: { epochs: number; batchSize: number; seed: bigint } & TrainingHyperParameters,
): Promise<number[]> {
  const training = classifier.training;
  if (!training) throw new Error('the classifier has no training capability');
  const dim = x.length / y.length;
  const losses: number[] = [];
  const xb = new Float32Array(o.batchSize * dim);
  const yb = new Int32Array(o.batchSize);
  for (let e = 0; e < o.epochs; e++) {
    const order = epochOrder(y.length, o.seed, e);
    let sum = 0;
    for (let start = 0; start < y.length; start += o.batchSize) {
      const rows = Math.min(o.batchSize, y.length - start);
      for (let r = 0; r < rows; r++) {
        const i = order[start + r]!;
        xb.set(x.subarray(i * dim, (i + 1) * dim), r * dim);
        yb[r] = y[i]!;
      }
      const head = crossEntropyHead(yb.slice(0, rows), classifier.nbClasses);
      sum += rows * (await training.step(xb.subarray(0, rows * dim), rows, head, { optimizer: o.optimizer, learningRate: o.learningRate }));
    }
    losses.push(sum / y.length);
  }
  await training.endFit?.();
  return losses;
}
