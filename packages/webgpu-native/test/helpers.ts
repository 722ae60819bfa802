import { readFmnistCnn } from '@rs/fixtures';
import { readNpy } from '@rs/onnx-graph';
import { nodeGpu } from '../src/index.js';

/** Whether a WebGPU adapter can be had here (SwiftShader or a GPU); the reason when not. */
export const adapter: { available: boolean; reason: string } = await (async () => {
  try {
    const a = await (await nodeGpu()).requestAdapter();
    return a ? { available: true, reason: '' } : { available: false, reason: 'no WebGPU adapter (install libvulkan1 chromium-common)' };
  } catch (err) {
    return { available: false, reason: `no WebGPU: ${(err as Error).message}` };
  }
})();

/** The fixture CNN's bytes and PyTorch's reference outputs for its 20 images. */
export function fixture() {
  const f32 = (name: string) => readNpy(readFmnistCnn(name)).data as Float32Array;
  return {
    model: readFmnistCnn('model.onnx'),
    x: f32('x.npy'),
    y: Int32Array.from(readNpy(readFmnistCnn('y.npy')).data as BigInt64Array, (v) => Number(v)),
    logits: f32('logits.npy'),
    lossGrad: f32('loss_grad_sum.npy'),
    classGrad: f32('class_grad.npy'),
  };
}

/** max |a - b| / max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / Math.max(scale, 1e-30);
}
