/**
 * Error classes thrown by `@rs/onnx-graph`.
 */

/** The codes of this package's errors (entries of `ERROR_CODES` in `@rs/core`, listed in the root README). */
export type OnnxGraphErrorCode = 'RS_INVALID_ARG_VALUE' | 'RS_MALFORMED_FILE' | 'RS_UNSUPPORTED_MODEL';

/**
 * Base class of every error thrown by this package, with a stable `code`: `'RS_INVALID_ARG_VALUE'`
 * (a bad argument: a name that is not in the graph, data that does not fit a shape) unless a
 * subclass says otherwise, so `isRsError(err)` from `@rs/core` holds for it.
 *
 * @example
 * ```ts
 * try { loadModel(bytes); } catch (e) { if (e instanceof OnnxGraphError) console.error(e.message); }
 * ```
 */
export class OnnxGraphError extends Error {
  readonly code: OnnxGraphErrorCode;
  constructor(message: string, code: OnnxGraphErrorCode = 'RS_INVALID_ARG_VALUE') {
    super(message);
    this.name = 'OnnxGraphError';
    this.code = code;
  }
}

/**
 * The bytes are not a (usable) ONNX model: corrupt, truncated, no graph, external data, ...
 *
 * @example
 * ```ts
 * expect(() => loadModel(new Uint8Array([1, 2, 3]))).toThrow(InvalidModelError);
 * ```
 */
export class InvalidModelError extends OnnxGraphError {
  constructor(message: string) {
    super(message, 'RS_MALFORMED_FILE');
    this.name = 'InvalidModelError';
  }
}

/**
 * A node uses an operator (or an attribute value / opset) this package cannot differentiate.
 * `opType` and `nodeName` name the offending node.
 *
 * @example
 * ```ts
 * try { checkSupported(model); } catch (e) {
 *   if (e instanceof UnsupportedOpError) console.log(e.opType, e.nodeName);
 * }
 * ```
 */
export class UnsupportedOpError extends OnnxGraphError {
  readonly opType: string;
  readonly nodeName: string;
  constructor(opType: string, nodeName: string, detail?: string) {
    super(`unsupported ONNX op '${opType}' (node '${nodeName}')${detail ? `: ${detail}` : ''}`, 'RS_UNSUPPORTED_MODEL');
    this.name = 'UnsupportedOpError';
    this.opType = opType;
    this.nodeName = nodeName;
  }
}
