/// <reference types="@webgpu/types" />
/**
 * The Node-specific part: the GPU object from Dawn (the `webgpu` npm package). Everything else of
 * this package (src/engine) only uses the WebGPU API and runs wherever `navigator.gpu` exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { NoAdapterError, VULKAN_INSTALL_HINT } from './engine/errors.js';

/** Debian's SwiftShader Vulkan driver (package chromium-common). @example SWIFTSHADER_ICD === '/usr/lib/chromium/vk_swiftshader_icd.json' */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let cached: Promise<GPU> | undefined;

/** Where Vulkan loaders look for installed drivers' manifests (ICD JSON files). */
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/**
 * Names of the Vulkan drivers installed system-wide that Dawn can use (lavapipe, `lvp_icd*`, is left
 * out: Dawn rejects it).
 *
 * @example
 * installedVulkanDrivers(); // ['nvidia_icd.json'] on a machine with NVIDIA's driver
 */
export function installedVulkanDrivers(): string[] {
  return ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('lvp_icd'));
    } catch {
      return [];
    }
  });
}

/**
 * Points the Vulkan loader at SwiftShader when `VK_ICD_FILENAMES` is unset, no usable system Vulkan
 * driver is installed (a real GPU's driver always wins), and SwiftShader's ICD file exists: so tests
 * and users on a machine without a GPU need no environment variable. A `VK_ICD_FILENAMES` you set
 * yourself is left alone. Returns the value in effect.
 *
 * @example
 * defaultVulkanDriver(); // '/usr/lib/chromium/vk_swiftshader_icd.json' on a Debian box without a GPU driver
 */
export function defaultVulkanDriver(): string | undefined {
  if (process.env.VK_ICD_FILENAMES === undefined && installedVulkanDrivers().length === 0 && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  return process.env.VK_ICD_FILENAMES;
}

/**
 * The GPU object of Dawn for Node (`create([])` of the `webgpu` package), created once per process.
 * Sets `VK_ICD_FILENAMES` first (see {@link defaultVulkanDriver}). Throws a NoAdapterError when
 * the `webgpu` package (a peer dependency) is missing or fails to load.
 *
 * @example
 * const gpu = await nodeGpu();
 * const adapter = await gpu.requestAdapter();
 */
export function nodeGpu(): Promise<GPU> {
  cached ??= (async () => {
    defaultVulkanDriver();
    let mod: { create: (flags: string[]) => GPU };
    try {
      mod = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU };
    } catch (err) {
      cached = undefined;
      throw new NoAdapterError(`cannot load the 'webgpu' package (npm install webgpu): ${(err as Error).message}; ${VULKAN_INSTALL_HINT}`, { cause: err });
    }
    return mod.create([]);
  })();
  return cached;
}
