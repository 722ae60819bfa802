/**
 * Philox stream ids (counter word c3) of each method that draws noise. Separate streams make the
 * selection and estimation samples of certify independent, as Cohen et al.'s CERTIFY requires,
 * and keep every method reproducible on its own.
 */
export const NOISE_STREAM = Object.freeze({
  /** certify: the `sampleSize` (n0) samples that select the top class. */
  selection: 0,
  /** certify: the `n` samples that estimate its probability. */
  estimation: 1,
  /** predict: the samples of the two-sided test. */
  predict: 2,
  /** fit: one noisy copy per training example per epoch (sample index = epoch). */
  training: 3,
  /** lossGradient / classGradient with sampling: `sampleSize` noisy copies per input. */
  gradient: 4,
  /** fit: the Philox words of each epoch's shuffle (not Gaussian noise). */
  shuffle: 5,
  /** reset of the ONNX backends (@rs/onnx, @rs/webgpu-native): PyTorch's default init, uniform Philox words (not Gaussian noise). */
  onnxWeightInit: 6,
  /** reset of @rs/tfjs: Keras' Glorot-uniform init, uniform Philox words (not Gaussian noise). */
  layersWeightInit: 7,
  /**
   * fit with `method: 'macer'`: the `gaussianSamples` (m) noisy copies of each example, sample
   * index `epoch * m + j` for copy j (so every epoch draws fresh noise).
   */
  macer: 8,
  /** fit with `method: 'consistency'`: the `numNoiseVec` (m) copies of each example, sample index `epoch * m + j`. */
  consistency: 9,
  /** fit with `method: 'smoothAdv'`: the `numNoiseVec` (m) noise vectors of each example (attack and step), sample index `epoch * m + j`. */
  smoothAdv: 10,
  /** fit with `method: 'smoothMix'`: the `numNoiseVec` (m) noise vectors of each example (attack and step), sample index `epoch * m + j`. */
  smoothMix: 11,
  /** SmoothMix's mixing weight of each example (raw Philox words, not normals): word 0 of counter (0, epoch, example id, 12). */
  smoothMixWeights: 12,
  /**
   * SmoothAdv's attacks, where the gradient of an example is exactly zero: a random direction
   * instead (as Salman et al. do), the normals of sample index `epoch * numSteps + step`.
   */
  attackDirection: 13,
  /**
   * `@rs/defences`' GaussianNoise postprocessor: the normals of an output row at counter
   * (block, row hash, row hash, 14). (8-13 are the training methods' streams above.)
   */
  gaussianNoise: 14,
} as const);
