import { RsError } from '@rs/core';
/// <reference types="@webgpu/types" preserve="true" />
/**
 * Where the engine gets its GPU object and reads / writes model files. The default uses the
 * browser's `navigator.gpu` and `fetch`; the Node entry point of this package installs Dawn for
 * Node and the file system on import.
 */

/**
 * The host services the engine needs.
 *
 * @example
 * setGpuEnvironment({ gpu: async () => navigator.gpu, readModel: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()) });
 */
export interface GpuEnvironment {
  /** The WebGPU entry object (navigator.gpu, or Dawn's `create([])`). */
  gpu(): Promise<GPU>;
  /** Bytes of a model given as a path or URL. */
  readModel(path: string): Promise<Uint8Array>;
  /** Writes a file (the `save` capability is declared only when present). */
  writeFile?: ((path: string, bytes: Uint8Array) => Promise<void>) | undefined;
}

const browserEnvironment: GpuEnvironment = {
  gpu: async () => {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (!gpu) throw new RsError('RS_DEVICE_UNAVAILABLE', 'navigator.gpu is not available in this environment');
    return gpu;
  },
  readModel: async (path) => {
    const res = await fetch(path);
    if (!res.ok) throw new RsError(res.status === 404 ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE', `cannot fetch model ${path}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  },
};

let current: GpuEnvironment = browserEnvironment;

/**
 * Which driver a GPU object's adapters come from, as its environment chose it: reported in the
 * adapter report (`driver`, `notice`).
 *
 * @example
 * const note: GpuDriverNote = { driver: 'SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json)', notice: 'no adapter from the installed drivers; using SwiftShader' };
 */
export interface GpuDriverNote {
  /** The driver in words. */
  driver: string;
  /** One line saying why, when the choice was a fallback. */
  notice?: string | undefined;
}

const driverNotes = new WeakMap<object, GpuDriverNote>();

/**
 * Records which driver `gpu`'s adapters come from; returns `gpu`.
 *
 * @example
 * const gpu = noteGpuDriver(create([]), { driver: 'system Vulkan drivers' });
 */
export function noteGpuDriver(gpu: GPU, note: GpuDriverNote): GPU {
  driverNotes.set(gpu, note);
  return gpu;
}

/**
 * The driver recorded for `gpu` by its environment, if any.
 *
 * @example
 * gpuDriverNote(await nodeGpu())?.driver; // 'SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json)'
 */
export function gpuDriverNote(gpu: GPU): GpuDriverNote | undefined {
  return driverNotes.get(gpu);
}

/**
 * Installs the host services (the Node entry point of this package does it on import).
 *
 * @example
 * setGpuEnvironment(myEnvironment);
 */
export function setGpuEnvironment(env: GpuEnvironment): void {
  current = env;
}

/**
 * The host services in use.
 *
 * @example
 * const gpu = await getGpuEnvironment().gpu();
 */
export function getGpuEnvironment(): GpuEnvironment {
  return current;
}
