export { chiSquarePValue, gammaQ, kolmogorovPValue, logGamma, normalTwoSidedPValue } from './test-statistics.js';
export { familyCdf, familyMoments } from './family-distributions.js';
export { knownAnswerDigest, knownAnswerRequests, NOISE_KNOWN_ANSWER_SHA256, PHILOX_KAT, philoxKnownAnswers, type KnownAnswerFill } from './known-answer.js';
export {
  noiseSourceOf,
  runNoiseSelfTest,
  sourceDigest,
  type NoiseSelfTestOptions,
  type NoiseSelfTestReport,
  type NoiseSelfTestRow,
  type NoiseSource,
} from './noise-self-test.js';
