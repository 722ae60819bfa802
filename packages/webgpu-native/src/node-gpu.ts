/// <reference types="@webgpu/types" preserve="true" />
/**
 * The Node-specific part: the GPU object from Dawn (the `webgpu` npm package), and which Vulkan
 * driver it runs on. Everything else of this package (src/engine) only uses the WebGPU API and runs
 * wherever `navigator.gpu` exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type GpuDriverNote, noteGpuDriver } from './engine/environment.js';
import { NoAdapterError, VULKAN_INSTALL_HINT } from './engine/errors.js';

/** Debian's SwiftShader Vulkan driver (package chromium-common). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The folders where the Vulkan loader looks for drivers' manifests (ICD JSON files) on Linux when
 * `VK_ICD_FILENAMES` / `VK_DRIVER_FILES` are unset, in its order: `$XDG_CONFIG_HOME`,
 * `$XDG_CONFIG_DIRS` (default /etc/xdg), /etc, `$XDG_DATA_HOME`, `$XDG_DATA_DIRS` (default
 * /usr/local/share:/usr/share), each followed by `vulkan/icd.d`.
 *
 * @example
 * vulkanIcdDirs({}); // [~/.config/vulkan/icd.d, /etc/xdg/vulkan/icd.d, /etc/vulkan/icd.d, ~/.local/share/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /usr/share/vulkan/icd.d]
 */
export function vulkanIcdDirs(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const home = env.HOME ?? homedir();
  const list = (value: string | undefined, fallback: string) => (value || fallback).split(':').filter(Boolean);
  const roots = [
    env.XDG_CONFIG_HOME || join(home, '.config'),
    ...list(env.XDG_CONFIG_DIRS, '/etc/xdg'),
    '/etc',
    env.XDG_DATA_HOME || join(home, '.local/share'),
    ...list(env.XDG_DATA_DIRS, '/usr/local/share:/usr/share'),
  ];
  return [...new Set(roots.map((r) => join(r, 'vulkan/icd.d')))];
}

/**
 * The Vulkan drivers installed where the loader finds them (full paths of their manifests), except
 * lavapipe (`lvp_icd*`, which Dawn rejects).
 *
 * @example
 * installedVulkanDrivers(); // ['/usr/share/vulkan/icd.d/nvidia_icd.json'] on a machine with NVIDIA's driver
 */
export function installedVulkanDrivers(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  return vulkanIcdDirs(env).flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !f.startsWith('lvp_icd'))
        .sort()
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

/**
 * Options of {@link createNodeGpu}.
 *
 * @example
 * const o: NodeGpuOptions = { swiftShaderIcd: '/opt/swiftshader/vk_swiftshader_icd.json' };
 */
export interface NodeGpuOptions {
  /** SwiftShader's ICD manifest, the fallback driver (default {@link SWIFTSHADER_ICD}). */
  swiftShaderIcd?: string | undefined;
  /** Receives the one-line notice when SwiftShader is used as a fallback (default `console.warn`). */
  onNotice?: ((line: string) => void) | undefined;
}

type CreateGpu = (flags: string[]) => GPU;

async function loadDawn(): Promise<CreateGpu> {
  try {
    return ((await import('webgpu')) as unknown as { create: CreateGpu }).create;
  } catch (err) {
    throw new NoAdapterError(`cannot load the 'webgpu' package (npm install webgpu): ${(err as Error).message}; ${VULKAN_INSTALL_HINT}`, { cause: err });
  }
}

/**
 * Creates Dawn's GPU object with a Vulkan driver that gives an adapter, and records which driver
 * (the adapter report's `driver` and `notice`):
 * - `VK_ICD_FILENAMES` (or `VK_DRIVER_FILES`) set by you: used as is;
 * - no system driver installed (lavapipe aside) and SwiftShader present: SwiftShader;
 * - system drivers installed: those, when one gives an adapter (a GPU's driver always wins); when
 *   none does (Mesa's drivers on a CPU server: Dawn rejects lavapipe and finds no Intel/AMD GPU),
 *   SwiftShader where present, with a one-line notice.
 * Sets `VK_ICD_FILENAMES` for SwiftShader (the Vulkan loader reads it when Dawn creates an instance).
 * Throws a {@link NoAdapterError} naming `VK_ICD_FILENAMES` and the install line when nothing works.
 *
 * @example
 * const gpu = await createNodeGpu();
 * const adapter = await gpu.requestAdapter();
 */
export async function createNodeGpu(options: NodeGpuOptions = {}): Promise<GPU> {
  const create = await loadDawn();
  const swiftShader = options.swiftShaderIcd ?? SWIFTSHADER_ICD;
  const hasSwiftShader = existsSync(swiftShader);
  const make = (note: GpuDriverNote): GPU => noteGpuDriver(create([]), note);
  const userSet = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (userSet !== undefined) return make({ driver: `VK_ICD_FILENAMES=${userSet} (set in the environment)` });
  const system = installedVulkanDrivers();
  const useSwiftShader = (note: Omit<GpuDriverNote, 'driver'>): GPU => {
    process.env.VK_ICD_FILENAMES = swiftShader;
    return make({ driver: `SwiftShader (${swiftShader})`, ...note });
  };
  if (system.length === 0) {
    if (hasSwiftShader) return useSwiftShader({});
    throw new NoAdapterError(
      `no WebGPU adapter: no Vulkan driver is installed (searched ${vulkanIcdDirs().join(', ')}) and SwiftShader (${swiftShader}) is absent; ${VULKAN_INSTALL_HINT}`,
    );
  }
  const gpu = make({ driver: `system Vulkan drivers (${system.join(', ')})` });
  if (await gpu.requestAdapter().catch(() => null)) return gpu;
  if (!hasSwiftShader) {
    throw new NoAdapterError(
      `no WebGPU adapter from the installed Vulkan drivers (${system.join(', ')}: on a machine without a GPU, Dawn rejects Mesa's lavapipe and finds no Intel/AMD device), and SwiftShader (${swiftShader}) is absent; ${VULKAN_INSTALL_HINT}`,
    );
  }
  const notice = `@rs/webgpu-native: no WebGPU adapter from the installed Vulkan drivers (${system.map((p) => p.split('/').pop()).join(', ')}); using SwiftShader, a CPU Vulkan driver (${swiftShader}). Set VK_ICD_FILENAMES to choose a driver.`;
  (options.onNotice ?? console.warn)(notice);
  return useSwiftShader({ notice });
}

let cached: Promise<GPU> | undefined;

/**
 * The GPU object of Dawn for Node, created once per process by {@link createNodeGpu} (a failure is
 * not cached: a later call tries again).
 *
 * @example
 * const gpu = await nodeGpu();
 * const adapter = await gpu.requestAdapter();
 */
export function nodeGpu(): Promise<GPU> {
  cached ??= createNodeGpu().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
