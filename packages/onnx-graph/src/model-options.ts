import { z } from 'zod';

/** An integer in [`min`, 2^32 - 1], with the message `@rs/core`'s option schemas use. */
function integerAtLeast(min: number) {
  const msg = `must be an integer >= ${min}`;
  return z.number({ error: msg }).refine((v) => Number.isInteger(v) && v >= min && v <= 2 ** 32 - 1, { error: msg });
}

/**
 * The zod fields every backend that runs ONNX models accepts to say which model and how to read its
 * contract: `model` (a path to an .onnx file, or its bytes), optional `inputShape` / `nbClasses`
 * (read from the model when its dims are fixed) and `inputName` / `outputName` (default: the first
 * input / output). Spread it into a backend's options object.
 */
export const onnxModelOptionsShape = {
  model: z.union(
    [
      z.string().min(1, { error: 'must be a non-empty path' }),
      z.custom<Uint8Array>((v) => v instanceof Uint8Array, { error: 'must be a path or a Uint8Array of .onnx bytes' }),
      z.custom<ArrayBuffer>((v) => v instanceof ArrayBuffer, { error: 'must be a path or a Uint8Array of .onnx bytes' }),
    ],
    { error: 'must be a path to an .onnx file or its bytes (Uint8Array)' },
  ),
  inputShape: z.array(integerAtLeast(1)).min(1, { error: 'must have at least one dimension' }).optional(),
  nbClasses: integerAtLeast(2).optional(),
  inputName: z.string().min(1).optional(),
  outputName: z.string().min(1).optional(),
};
