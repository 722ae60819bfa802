/**
 * The stable error codes of the project, as data: code -> the class it comes with and what it means.
 * Every error the packages throw carries one of these in `err.code`; the
 * root README lists them in one table (a test keeps the two, and the codes used in the sources, equal).
 * A code never changes meaning; new ones are added, old ones are not reused.
 */
export const ERROR_CODES = Object.freeze({
  // Arguments and options (every package).
  RS_INVALID_ARG_TYPE: { error: 'TypeError', meaning: 'an argument or option has the wrong type' },
  RS_UNKNOWN_OPTION: { error: 'TypeError', meaning: 'an options object has a key the method does not take' },
  RS_INVALID_ARG_VALUE: { error: 'RangeError', meaning: 'an argument or option has a value outside its allowed range, or one that contradicts another' },
  RS_INVALID_INPUT: {
    error: 'RangeError',
    meaning: 'input data is unusable: a non-finite value, a value outside clipValues, the wrong size for the model, a label that is not a class',
  },
  RS_SAMPLES_INSUFFICIENT: { error: 'RangeError', meaning: 'n is too small for any certificate (certify) or non-abstaining prediction (predict) at alpha' },
  RS_BATCH_TOO_LARGE: { error: 'RangeError', meaning: 'the batch buffers (batchSize x input size) cannot be allocated' },
  RS_CAPABILITY_MISSING: { error: 'TypeError', meaning: 'the classifier does not have the capability the method needs (gradients, training, ...)' },
  RS_SEQUENTIAL_UNSUPPORTED: {
    error: 'RangeError',
    meaning: "sequential certification combined with an option it has no sound bound for (the message names it: radius 'top-two')",
  },
  // Running.
  RS_ABORTED: { error: 'AbortError', meaning: "the caller's AbortSignal was aborted; nothing partial is returned" },
  RS_FORWARD_TIMEOUT: {
    error: 'ForwardTimeoutError',
    meaning: 'a classifier call did not settle within forwardTimeoutMs (the message names the batch and the input ids)',
  },
  RS_CLASSIFIER_CONTRACT: {
    error: 'ClassifierContractError',
    meaning: 'a classifier returned output that breaks the contract: wrong type or length, NaN or infinite logits, counts that do not add up',
  },
  RS_CLASSIFIER_FAILED: { error: 'ClassifierContractError', meaning: 'a classifier call (forward, vjp, a training step, a device sampler) threw or rejected' },
  RS_TRAINING_DIVERGED: { error: 'ClassifierContractError', meaning: 'a training step returned a loss that is not finite' },
  RS_DISPOSED: { error: 'RsError', meaning: 'an object was used after dispose()' },
  RS_UNSUPPORTED_RUNTIME: { error: 'RsError', meaning: 'the JavaScript runtime lacks a feature the library needs (WebAssembly SIMD, worker threads)' },
  RS_INTERNAL: { error: 'RsError', meaning: 'an invariant of the library broke: a bug, please report it' },
  // Models and devices (the backends).
  RS_UNSUPPORTED_MODEL: {
    error: 'RsError',
    meaning:
      'a valid model uses what the backend does not support: an operator, several inputs or outputs, a non-float input, a binary topology, gradients through an operator without them',
  },
  RS_DEVICE_UNAVAILABLE: {
    error: 'RsError',
    meaning:
      'a device or runtime backend is not available: no WebGPU adapter, a TF.js backend that is not installed or fails to start, a dispatch beyond the device limits',
  },
  RS_DEVICE_LOST: { error: 'DeviceLostError', meaning: 'the WebGPU device was lost (driver reset, out of memory, dispose()): the work in flight is void' },
  RS_DEVICE_FAILED: { error: 'GpuExecutionError', meaning: 'the device reported a validation or out-of-memory error while running work' },
  // The job queue (@rs/queue).
  RS_QUEUE_FAILED: {
    error: 'QueueError',
    meaning: 'the job queue cannot be used: a bad --queue URL, Redis unreachable or refusing, a run that is not there or is stored corrupt',
  },
  RS_RUN_REFUSED: {
    error: 'RunRefusedError',
    meaning: "a worker refuses a run it cannot serve exactly (its model or data differ from the run's SHA-256, a backend it lacks)",
  },
  RS_RUN_FAILED: { error: 'RunFailedError', meaning: 'jobs of a queued run failed every attempt and nothing else is left to run' },
  RS_RUN_CANCELLED: { error: 'RunCancelledError', meaning: 'the queued run was cancelled while it was being collected' },
  // Files (@rs/datasets, @rs/cli).
  RS_FILE_NOT_FOUND: { error: 'RsError', meaning: 'a file to read does not exist' },
  RS_FILE_UNREADABLE: { error: 'RsError', meaning: 'a file exists but cannot be read (permissions, a directory, a device)' },
  RS_MALFORMED_FILE: {
    error: 'RsError',
    meaning: 'a file is not what it claims to be: bad magic, truncated, a malformed header, row or record (names the line)',
  },
  RS_UNSUPPORTED_FORMAT: { error: 'RsError', meaning: 'a well-formed file uses a variant the reader does not support (a .npy dtype, Fortran order)' },
  RS_DATASET_MISSING: { error: 'RsError', meaning: 'a named data set is not installed (the message gives the install command)' },
  // The command line (@rs/cli), exit status 2 unless noted.
  RS_USAGE: { error: 'CliError', meaning: 'a bad command line: unknown command or flag, a missing, repeated or invalid flag value' },
  RS_BACKEND_UNAVAILABLE: { error: 'CliError', meaning: 'the --backend is unknown or not installed' },
  RS_MODEL_LOAD_FAILED: { error: 'CliError', meaning: 'the backend cannot load the --model file' },
  RS_OUTPUT_NOT_REGULAR: { error: 'CliError', meaning: 'an output path is a directory, a device or a FIFO, not a regular file' },
  RS_OUTPUT_EXISTS: {
    error: 'CliError',
    meaning: 'an output file exists that this run did not create; nothing is overwritten (merge, analyze, train: --force)',
  },
  RS_OUTPUT_CONFLICT: { error: 'CliError', meaning: 'two outputs, or an output and an input, are the same file' },
  RS_OUTPUT_LOCKED: { error: 'CliError', meaning: "another process (named by its PID) is writing the run's outputs" },
  RS_OUTPUT_LOCK_LOST: { error: 'CliError', meaning: "the lock on the run's outputs was taken or removed while the run was writing (exit 1)" },
  RS_SETTINGS_MISMATCH: { error: 'CliError', meaning: 'a file being resumed or merged was made with other settings (each difference listed)' },
  RS_RECORD_MISMATCH: {
    error: 'CliError',
    meaning: 'a results row disagrees with its log record, a record with its recomputation, or the rows with the run (names the first line)',
  },
  RS_MERGE_OVERLAP: { error: 'CliError', meaning: 'merge: a data set index has rows in two files' },
  RS_MERGE_GAP: { error: 'CliError', meaning: 'merge: inputs of the selection have no row in any file' },
  RS_RENDERER_MISSING: { error: 'CliError', meaning: 'a PNG plot needs an SVG renderer (rsvg-convert or ImageMagick) that is not installed (exit 1)' },
  RS_WRITE_FAILED: { error: 'CliError', meaning: 'writing an output failed: disk full, I/O error, a short write (exit 1)' },
  RS_INTERRUPTED: { error: 'CliError', meaning: 'SIGINT or SIGTERM stopped the run; finished rows are kept (exit 130)' },
} as const satisfies Record<string, { error: string; meaning: string }>);

/** A stable error code: a key of {@link ERROR_CODES}. */
export type RsErrorCode = keyof typeof ERROR_CODES;
