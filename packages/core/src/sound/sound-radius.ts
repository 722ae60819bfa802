/**
 * The certificate of the sound mode (Voracek & Hein, "Sound Randomized Smoothing in Floating-Point
 * Arithmetic", ICLR 2023), with its theorem.
 *
 * Setting. Inputs lie on the grid h Z^d, h = 1 / levels (refused otherwise: OffGridInputError); a
 * grid point is given to the classifier as v(m) = float32(m h) componentwise, a fixed function of
 * the integer vector m, so F(m) = f(v(m)) is a function on Z^d whatever f computes from the float
 * bits. The noise is the integer vector J with iid coordinates of the law D of
 * discrete-gaussian.ts; x + noise is the exact integer sum m + J.
 *
 * Theorem. Let N ~ N(0, sigma^2 I_d), R(y) = round(y / h) (componentwise nearest integer), and
 * f~(y) = F(R(y)) for y in R^d, a classifier on R^d, with its Gaussian smoothing g~. Let tv be the
 * per-coordinate total-variation bound of the sampled law D against the discretized Gaussian, and
 * L a (1 - alpha) Clopper-Pearson lower bound on P(F(m + J) = A) from n samples of J ~ D^d. Then
 * with probability at least 1 - alpha, g~(h m') = A for every grid point h m' with
 * ||h m' - h m||_2 < sigma Phi^-1(L - d tv) (when L - d tv > 1/2), and g~(h m') is what the sound
 * mode's smoothed classifier predicts at h m'.
 *
 * Proof. For x = h m, R(x + N) = m + round(N / h), and the coordinates of round(N / h) are iid
 * discretized Gaussians P(j) = Phi((j + 1/2) h / sigma) - Phi((j - 1/2) h / sigma) (ties have
 * probability 0). So P(f~(x + N) = A) = P(F(m + G) = A), G iid discretized Gaussian, and the same at
 * every grid point: g~ at grid points is the smoothed classifier the sound mode estimates. For any
 * event E, |P(J in E) - P(G in E)| <= TV(D^d, G^d) <= d tv (coupling coordinate by coordinate), so
 * P(F(m + G) = A) >= P(F(m + J) = A) - d tv >= L - d tv on the Clopper-Pearson event. Cohen et al.'s
 * Theorem 1 holds for any measurable classifier, f~ included: g~(x + delta) = A for
 * ||delta||_2 < sigma Phi^-1(L - d tv). The grid points within that distance are among those x + delta.
 * No floating-point operation lies between the random integers and the classifier's input, so the
 * float-rounding attack of the paper (a classifier that reads how x + noise was rounded) has nothing
 * to read. QED.
 *
 * The same correction applies to the top-two certificate (L_A - d tv, U_B + d tv).
 */

/**
 * The sound mode's lower bound on the discretized Gaussian's p_A: `pALower - dim * tv`, rounded down,
 * at least 0.
 *
 * @example
 * soundPALower(0.999, 784, 1e-16); // 0.998999999999922 (or just below)
 */
export function soundPALower(pALower: number, dim: number, tv: number): number {
  const v = (pALower - dim * tv) * (1 - Number.EPSILON);
  return v > 0 ? v : 0;
}

/**
 * The sound mode's upper bound on the runner-up: `pBUpper + dim * tv`, rounded up, at most 1.
 *
 * @example
 * soundPBUpper(0.2, 784, 1e-16);
 */
export function soundPBUpper(pBUpper: number, dim: number, tv: number): number {
  const v = (pBUpper + dim * tv) * (1 + Number.EPSILON);
  return v < 1 ? v : 1;
}
