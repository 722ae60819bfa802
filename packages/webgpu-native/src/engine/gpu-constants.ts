/**
 * WebGPU flag values (from the WebGPU specification), so the engine does not depend on the
 * `GPUBufferUsage` / `GPUMapMode` globals, which Dawn for Node does not install.
 */

/** GPUBufferUsage flags. */
export const BUFFER_USAGE = Object.freeze({ MAP_READ: 0x1, MAP_WRITE: 0x2, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 });

/** GPUMapMode flags. */
export const MAP_MODE = Object.freeze({ READ: 0x1, WRITE: 0x2 });
