/**
 * Error classes thrown by `@rs/onnx-graph`.
 */

/**
 * Base class of every error thrown by this package.
 *
 * @example
 * ```ts
 * try { loadModel(bytes); } catch (e) { if (e instanceof OnnxGraphError) console.error(e.message); }
 * ```
 */
export class OnnxGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxGraphError';
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
    super(message);
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
    super(`unsupported ONNX op '${opType}' (node '${nodeName}')${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
    this.opType = opType;
    this.nodeName = nodeName;
  }
}
