import { RsError } from '@rs/core';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Model bytes with where they came from. */
export interface ModelSource {
  bytes: Uint8Array;
  /** The path, or `'<bytes>'` for an in-memory model. */
  label: string;
  /** SHA-256 of the bytes, hex (for provenance logs). */
  sha256: string;
}

/**
 * Reads a model given as a path or bytes. A missing or unreadable file is an error naming the path.
 *
 * @example
 * const { bytes, sha256 } = await readModelSource('model.onnx');
 */
export async function readModelSource(model: string | Uint8Array | ArrayBuffer): Promise<ModelSource> {
  let bytes: Uint8Array;
  let label: string;
  if (typeof model === 'string') {
    label = model;
    try {
      bytes = new Uint8Array(await readFile(model));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RsError(
        code === 'ENOENT' ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
        code === 'ENOENT' ? `model file not found: ${model}` : `cannot read model file ${model}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  } else {
    label = '<bytes>';
    bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
  }
  if (bytes.length === 0) throw new RsError('RS_MALFORMED_FILE', `not a valid ONNX model (${label}): the file is empty`);
  return { bytes, label, sha256: createHash('sha256').update(bytes).digest('hex') };
}
