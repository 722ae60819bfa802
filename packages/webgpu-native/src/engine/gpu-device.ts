/// <reference types="@webgpu/types" preserve="true" />
import { gpuDriverNote } from './environment.js';
import { DeviceLostError, GpuExecutionError, NoAdapterError, VULKAN_INSTALL_HINT } from './errors.js';

/**
 * What the adapter in use is, as WebGPU reports it.
 *
 * @example
 * const a: AdapterReport = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device (Subzero)', isFallbackAdapter: false };
 */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A fallback adapter (a software implementation the browser/Dawn flags as such). */
  isFallbackAdapter: boolean;
  /** `vendor/architecture`, e.g. `'google/swiftshader'`. */
  name: string;
  /** The driver the environment chose (Node: which Vulkan driver), when it says. */
  driver?: string | undefined;
  /** One line when that choice was a fallback (Node: SwiftShader because the installed drivers gave no adapter). */
  notice?: string | undefined;
}

/** Options of {@link openGpuDevice}. */
export interface GpuDeviceOptions {
  powerPreference?: GPUPowerPreference | undefined;
  /** Ask for the fallback (software) adapter. */
  forceFallbackAdapter?: boolean | undefined;
}

/**
 * A WebGPU device with its adapter report, its limits, and its loss / error state: every operation
 * of the engine calls {@link GpuDevice.check} after awaiting the device, so a lost device or an
 * uncaptured validation / out-of-memory error becomes an exception, never silent wrong results.
 *
 * @example
 * const dev = await openGpuDevice(gpu, { powerPreference: 'high-performance' });
 * dev.adapter.name; // 'google/swiftshader'
 * dev.destroy();
 */
export class GpuDevice {
  readonly device: GPUDevice;
  readonly adapter: AdapterReport;
  readonly limits: GPUSupportedLimits;
  #lost: DeviceLostError | undefined;
  #error: GpuExecutionError | undefined;
  #destroyed = false;

  constructor(device: GPUDevice, adapter: AdapterReport) {
    this.device = device;
    this.adapter = adapter;
    this.limits = device.limits;
    void device.lost.then((info) => {
      this.#lost = new DeviceLostError(
        this.#destroyed ? 'destroyed' : String(info.reason ?? 'unknown'),
        this.#destroyed ? 'the classifier was disposed' : info.message,
      );
    });
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.#error ??= new GpuExecutionError(`WebGPU error: ${e.message}`);
    });
  }

  /** The loss error once the device is lost, else undefined. */
  get lost(): DeviceLostError | undefined {
    return this.#lost;
  }

  /** Throws if the device was lost, destroyed or reported an error. */
  check(): void {
    if (this.#lost) throw this.#lost;
    if (this.#destroyed) throw new DeviceLostError('destroyed', 'the classifier was disposed');
    if (this.#error) throw this.#error;
  }

  /** Destroys the device (idempotent); pending and later work fails with a DeviceLostError. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.device.destroy();
  }
}

/**
 * Requests an adapter and a device with the adapter's full storage-buffer and dispatch limits.
 * Throws a {@link NoAdapterError} with an installation hint when there is no adapter.
 *
 * @example
 * const dev = await openGpuDevice(navigator.gpu);
 */
export async function openGpuDevice(gpu: GPU, options: GpuDeviceOptions = {}): Promise<GpuDevice> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference, forceFallbackAdapter: options.forceFallbackAdapter ?? false });
  } catch (err) {
    throw new NoAdapterError(`no WebGPU adapter: requestAdapter failed (${(err as Error).message}); ${VULKAN_INSTALL_HINT}`, { cause: err });
  }
  const note = gpuDriverNote(gpu);
  if (!adapter) throw new NoAdapterError(`no WebGPU adapter available${note ? ` from ${note.driver}` : ''}; ${VULKAN_INSTALL_HINT}`);
  const info = adapter.info;
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const report: AdapterReport = {
    vendor,
    architecture,
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean(
      (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    ),
    name: `${vendor || 'unknown'}/${architecture || 'unknown'}`,
    ...(note ? { driver: note.driver, ...(note.notice ? { notice: note.notice } : {}) } : {}),
  };
  const l = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      },
    });
  } catch (err) {
    throw new NoAdapterError(`the WebGPU adapter ${report.name} refused a device: ${(err as Error).message}`, { cause: err });
  }
  return new GpuDevice(device, report);
}
