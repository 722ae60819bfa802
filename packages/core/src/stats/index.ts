/**
 * Statistics for randomized smoothing: normal distribution, incomplete beta and
 * beta quantiles, binomial distribution, Clopper-Pearson bounds, the exact
 * binomial test and the certified radius. Accuracy is checked against
 * scipy 1.10 / statsmodels 0.13 reference values (test/fixtures/oracle.json)
 * and 40-digit mpmath values.
 */

export { normalCdf, normalSf, normalPdf, logNormalCdf, logNormalPdf } from './normal.js';
export { normalPpf } from './normal-ppf.js';
export { regularizedIncompleteBeta, regularizedIncompleteBetaComplement } from './incomplete-beta.js';
export { betaPpf } from './beta-ppf.js';
export { binomialPmf, binomialCdf, binomialSf } from './binomial.js';
export { logBeta, stirlerr } from './saddle-point.js';
export { clopperPearsonLower, clopperPearsonUpper } from './clopper-pearson.js';
export { binomialTestPValue } from './binomial-test.js';
export { certifiedRadius, RADIUS_NORMS, type RadiusNorm, type RadiusOptions } from './certified-radius.js';
export { nextDown, nextUp, ulpDistance } from './ulp.js';
export { topTwoBounds, topTwoRadius, type TopTwoBounds } from './top-two-radius.js';
