export { floorScaledNormalCdf, normalCdfFixedPoint } from './exact-normal-cdf.js';
export { discreteGaussianSample, discreteGaussianTable, type DiscreteGaussianTable } from './discrete-gaussian.js';
export { fillSoundNoisy } from './sound-sampler.js';
export { gridCoordinates, OffGridInputError } from './grid.js';
export { soundPALower, soundPBUpper } from './sound-radius.js';
export { soundSampling } from './sound-sampling.js';
