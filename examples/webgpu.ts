// npm install @rs/core @rs/webgpu-native webgpu   (no GPU? apt-get install libvulkan1 chromium-common: SwiftShader)
import { readNpyFile } from '@rs/datasets';
import { WebGpuRandomizedSmoothing } from '@rs/webgpu-native';

const images = readNpyFile('x.npy').data as Float32Array; // [50, 1, 28, 28]
const rs = await WebGpuRandomizedSmoothing.create({
  model: 'model.onnx',
  scale: 0.25,
  sampleSize: 100,
  alpha: 0.001,
  clipValues: [0, 1],
  seed: 0,
  powerPreference: 'high-performance',
});
console.log(rs.adapter.name, rs.adapter.driver ?? ''); // e.g. google/swiftshader SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json)
// The whole Monte Carlo loop (noise, forward pass, argmax, counts) runs on the device.
const { prediction, radius } = await rs.certify(images.subarray(0, 2 * 784), { n: 10_000, batchSize: 1000 });
console.log(
  'predictions',
  [...prediction],
  'radii',
  [...radius].map((r) => r.toFixed(3)),
);
await rs.dispose(); // destroys the device: Node can exit
