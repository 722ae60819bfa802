/**
 * `@rs/cli`: the `rsmooth` command line, and its parts for programs that want them (results
 * files, resumable output, analysis, the plot, the backend registry).
 */
export { main, mainUsage } from './cli/main.js';
export { CliError, cliErrorFrom, type CliErrorOptions } from './errors.js';
export {
  registerBackend,
  getBackend,
  availableBackends,
  registerBuiltinBackends,
  type Backend,
  type BackendModel,
  type BackendOpenOptions,
} from './backends/index.js';
export {
  CERTIFY_HEADER,
  PREDICT_HEADER,
  formatTimedelta,
  formatCertifyRow,
  formatPredictRow,
  parseResultsTsv,
  type ResultRow,
  type ResultsTable,
} from './io/tsv.js';
export { openResumable, type ResumableOutput } from './io/resume.js';
export { AppendFile } from './io/append-file.js';
export { parseLog, diffSettings, RNG_ALGORITHM, type RunSettings } from './io/run-log.js';
export { runSettingsSchema, settingsLineSchema, certificateRecordSchema, predictionRecordSchema, RECORD_SCHEMAS } from './io/log-schema.js';
export { verifyRows, RECORD_CHECKS, RECORD_TYPE, type VerifyContext } from './io/verify-records.js';
export { lockOutput, lockOutputs, releaseAll, LOCK_STALE_MS, type OutputLock, type LockOwner } from './io/output-lock.js';
export { checkOutputPath, isStdout, sameFile } from './io/output-path.js';
export { selectIndices, type Selection } from './data/select.js';
export { loadData, type LoadedData } from './data/load.js';
export { parseRadii } from './analyze/radii.js';
export {
  analyzeTables,
  approximateCertifiedAccuracy,
  highProbabilityCertifiedAccuracy,
  type Analysis,
  type TableAnalysis,
  type NamedTable,
} from './analyze/certified-accuracy.js';
export { formatAnalysis, type AnalysisFormat } from './analyze/format.js';
export { certifiedAccuracySvg, accuracyCurve, niceTicks } from './plot/svg.js';
export { ProgressReporter, formatDuration } from './progress.js';
