import { compose, crossEntropyHead, defendedClassifier, ensemble, type ImageModel, type Preprocessor } from '../../src/index.js';
import { runAdapterConformance } from '../../src/testing/index.js';
import { softmaxRegression, uniforms } from '../smoothing/helpers.js';

// Compositions are classifiers like any backend's: the shared contract holds for each.
const dim = 4;
const inputs = Float32Array.from(uniforms(3 * dim, 5), (u) => u * 0.8 + 0.1);
const labels = Int32Array.of(0, 1, 2);
const affine: ImageModel = {
  inputShape: [dim],
  outputShape: [dim],
  forward: (x) => x.map((v, i) => 0.5 * v + 0.1 * (i % dim)),
  gradients: { vjp: (_x, _b, up) => up.map((u) => 0.5 * u) },
};
const cube: Preprocessor = {
  name: 'Cube',
  params: {},
  gradient: 'exact',
  apply: (d, shape) => ({ data: d.map((v) => v * v * v), shape: [...shape] }),
  vjp: (x, _s, up) => up.map((u, i) => 3 * x[i]! * x[i]! * u),
};

runAdapterConformance({
  name: 'ensemble (mean-softmax) of three softmax regressions',
  create: () => ensemble([softmaxRegression(dim, 3, 1), softmaxRegression(dim, 3, 2), softmaxRegression(dim, 3, 3)]),
  inputs,
  labels,
  capabilities: { gradients: true, training: false },
});
runAdapterConformance({
  name: 'compose(affine denoiser, softmax regression)',
  create: () => compose(affine, softmaxRegression(dim, 3, 4)),
  inputs,
  labels,
  capabilities: { gradients: true, training: false },
});
runAdapterConformance({
  // A trainable linear denoiser (a softmax regression's linear map with dim outputs): the
  // composition's training steps the denoiser only, through the frozen classifier.
  name: 'compose(trainable linear denoiser, softmax regression)',
  create: async () => {
    const classifier = softmaxRegression(dim, 3, 4);
    const x = Float32Array.from(uniforms(30 * dim, 9), (u) => u * 2 - 1);
    const y = Int32Array.from({ length: 30 }, (_, i) => i % 3);
    for (let s = 0; s < 30; s++) await classifier.training!.step(x, 30, crossEntropyHead(y, 3), { optimizer: 'sgd', learningRate: 1 });
    return compose({ ...softmaxRegression(dim, dim, 8), outputShape: [dim] }, { ...classifier, training: undefined });
  },
  inputs,
  labels,
  capabilities: { gradients: true, training: true },
});
runAdapterConformance({
  name: 'defended classifier (an exact preprocessing defence)',
  create: () =>
    defendedClassifier(softmaxRegression(dim, 3, 6), { preprocessingDefences: [cube], postprocessingDefences: [], preprocessing: null, inputShape: [dim] }),
  inputs,
  labels,
  capabilities: { gradients: true, training: true },
});
