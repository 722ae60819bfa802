import { RsError } from '@rs/core';
import { readFile, writeFile } from 'node:fs/promises';
import type { GpuEnvironment } from './engine/environment.js';
import { nodeGpu } from './node-gpu.js';

/**
 * Node's host services: Dawn's GPU object (the `webgpu` package, on a Vulkan driver that gives an
 * adapter: the system's, else SwiftShader where present; see `createNodeGpu`), model files from
 * the file system, `save` to a file.
 */
export const nodeEnvironment: GpuEnvironment = {
  gpu: nodeGpu,
  readModel: async (path) => {
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RsError(
        code === 'ENOENT' ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
        code === 'ENOENT' ? `model file not found: ${path}` : `cannot read model file ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  },
  writeFile: (path, bytes) => writeFile(path, bytes),
};
