/**
 * A progress report, passed to `onProgress` after every model call of a long run.
 *
 * @example
 * await smoothed.certify(x, { n: 100_000, onProgress: (p) => console.log(p.phase, p.inputsDone, '/', p.inputsTotal, Math.round(p.samplesPerSecond)) });
 */
export interface Progress {
  /** What is running: `'selection'` and `'estimation'` (certify), `'predict'`, `'fit'`, `'gradient'`. */
  phase: 'selection' | 'estimation' | 'predict' | 'fit' | 'gradient';
  /** Inputs (or, in `fit`, batches) whose work in this phase is complete. */
  inputsDone: number;
  inputsTotal: number;
  /** Noisy samples evaluated so far in this phase, and in all. */
  samplesDone: number;
  samplesTotal: number;
  /** Seconds since the phase started. */
  elapsedSeconds: number;
  /** Noisy samples per second so far in this phase. */
  samplesPerSecond: number;
  /** Epoch index (only in `fit`). */
  epoch?: number;
  /** Mean training loss so far in this epoch (only in `fit`). */
  loss?: number;
  /** Mean of each loss term so far in this epoch, e.g. `{ classification, robustness }` (only in `fit`). */
  lossTerms?: Readonly<Record<string, number>>;
}
