import { RsError, type RsErrorOptions, RsRangeError } from '@rs/core';
import * as tf from '@tensorflow/tfjs';

/** A TF.js backend this package can run on in Node. @example const name: TfjsBackendName = 'wasm'; */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

/**
 * Where the classifier runs, as chosen by {@link selectBackend}.
 *
 * @example
 * const info: BackendInfo = { name: 'wasm', deviceType: 'cpu', package: '@tensorflow/tfjs-backend-wasm', fellBack: false };
 */
export interface BackendInfo {
  /** The TF.js backend name (`tf.getBackend()` while this classifier runs). */
  name: TfjsBackendName;
  /** `'gpu'` only for `@tensorflow/tfjs-node-gpu`'s CUDA build. */
  deviceType: 'cpu' | 'gpu';
  /** The npm package that provides the backend (`'@tensorflow/tfjs'` for the built-in cpu backend). */
  package: string;
  /** True when `deviceType: 'gpu'` was asked for and `gpuFallback: 'cpu'` took a CPU backend instead. */
  fellBack: boolean;
}

/**
 * What {@link selectBackend} is asked for.
 *
 * @example
 * const request: BackendRequest = { deviceType: 'gpu', gpuFallback: 'cpu' };
 */
export interface BackendRequest {
  /** `'auto'` (default): tfjs-node-gpu, tfjs-node, wasm, cpu, in that order; or a backend by name. */
  backend?: 'auto' | TfjsBackendName;
  /** `'gpu'` requires `@tensorflow/tfjs-node-gpu`; `'cpu'` never takes it. Default: whatever `backend` finds. */
  deviceType?: 'cpu' | 'gpu';
  /** With `deviceType: 'gpu'` and no CUDA build: `'error'` (default) or `'cpu'` (warn and take the best CPU backend). */
  gpuFallback?: 'error' | 'cpu';
  /** Receives the fallback warning (default `console.warn`). */
  onWarning?: (message: string) => void;
}

/**
 * The install line for CUDA: `@tensorflow/tfjs-node-gpu` downloads libtensorflow (GPU) at install
 * time and needs CUDA 11.8 + cuDNN 8.6 on Linux x64.
 */
export const TFJS_GPU_INSTALL_HINT =
  'npm install @tensorflow/tfjs-node-gpu (Linux x64 with CUDA 11.8 and cuDNN 8.6; its install script downloads libtensorflow)';

/**
 * `deviceType: 'gpu'` was asked for but `@tensorflow/tfjs-node-gpu` could not be loaded.
 *
 * @example
 * try { await selectBackend({ deviceType: 'gpu' }); } catch (e) { if (e instanceof GpuUnavailableError) console.log(e.message); }
 */
export class GpuUnavailableError extends RsError {
  constructor(message: string, options?: RsErrorOptions) {
    super('RS_DEVICE_UNAVAILABLE', message, options);
    this.name = 'GpuUnavailableError';
  }
}

const PACKAGES: Record<'gpu' | 'node' | 'wasm', string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

const imports = new Map<string, Promise<string | undefined>>();

/** Imports a package once; resolves to undefined on success, else to why it failed. */
function tryImport(pkg: string): Promise<string | undefined> {
  let p = imports.get(pkg);
  if (!p) {
    // A variable specifier: these are optional peers that TypeScript must not resolve.
    const specifier: string = pkg;
    p = import(specifier).then(
      () => undefined,
      (err: unknown) => {
        const e = err as NodeJS.ErrnoException;
        const message = (e?.message ?? String(err)).split('\n')[0]!;
        const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve|Failed to load url/.test(message);
        return missing && message.includes(pkg) ? 'not installed' : message;
      },
    );
    imports.set(pkg, p);
  }
  return p;
}

/** Loads the package of a candidate and checks its backend is registered in *this* @tensorflow/tfjs. */
async function load(candidate: 'gpu' | 'node' | 'wasm' | 'cpu'): Promise<{ info?: Omit<BackendInfo, 'fellBack'>; why?: string }> {
  if (candidate === 'cpu') return { info: { name: 'cpu', deviceType: 'cpu', package: '@tensorflow/tfjs' } };
  const pkg = PACKAGES[candidate];
  const why = await tryImport(pkg);
  if (why) return { why: `${pkg}: ${why}` };
  const name: TfjsBackendName = candidate === 'wasm' ? 'wasm' : 'tensorflow';
  if (!tf.findBackendFactory(name)) {
    return {
      why: `${pkg} loaded but its '${name}' backend is not registered in the @tensorflow/tfjs this package uses (two copies of @tensorflow/tfjs-core? run npm dedupe)`,
    };
  }
  return { info: { name, deviceType: candidate === 'gpu' ? 'gpu' : 'cpu', package: pkg } };
}

/**
 * Makes `name` the active TF.js backend (initializing it on first use); a no-op when it already is.
 *
 * @example
 * await activateBackend('cpu');
 */
export async function activateBackend(name: TfjsBackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  const ok = await tf.setBackend(name);
  if (!ok) throw new RsError('RS_DEVICE_UNAVAILABLE', `the TF.js '${name}' backend failed to initialize`);
  await tf.ready();
}

/**
 * Chooses, loads and activates a TF.js backend. Optional backends are optional peer dependencies,
 * tried by dynamic import: `@tensorflow/tfjs-node-gpu` (backend 'tensorflow' on CUDA),
 * `@tensorflow/tfjs-node` ('tensorflow' on the CPU), `@tensorflow/tfjs-backend-wasm` ('wasm'), and
 * the cpu backend built into `@tensorflow/tfjs`. A backend asked for by name that cannot be loaded is
 * an error naming the package to install.
 *
 * TF.js has one active backend per process: classifiers on different backends in the same process
 * switch it before every call (tensors then move between backends), so keep one backend per process.
 *
 * @example
 * const info = await selectBackend({ backend: 'wasm' }); // { name: 'wasm', deviceType: 'cpu', package: '@tensorflow/tfjs-backend-wasm', fellBack: false }
 */
export async function selectBackend(request: BackendRequest = {}): Promise<BackendInfo> {
  const backend = request.backend ?? 'auto';
  const deviceType = request.deviceType;
  if (deviceType === 'gpu' && (backend === 'wasm' || backend === 'cpu')) {
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `deviceType 'gpu' needs the 'tensorflow' backend of @tensorflow/tfjs-node-gpu, not backend '${backend}'`);
  }
  const cpuOrder: Array<'node' | 'wasm' | 'cpu'> = backend === 'auto' ? ['node', 'wasm', 'cpu'] : backend === 'tensorflow' ? ['node'] : [backend];
  let fellBack = false;
  const reasons: string[] = [];
  if (deviceType === 'gpu' || (deviceType === undefined && (backend === 'auto' || backend === 'tensorflow'))) {
    const gpu = await load('gpu');
    if (gpu.info) {
      await activateBackend(gpu.info.name);
      return { ...gpu.info, fellBack: false };
    }
    reasons.push(gpu.why!);
    if (deviceType === 'gpu') {
      if (request.gpuFallback !== 'cpu') {
        throw new GpuUnavailableError(
          `deviceType 'gpu' needs @tensorflow/tfjs-node-gpu, which could not be loaded (${gpu.why}). Install it: ${TFJS_GPU_INSTALL_HINT}; or pass gpuFallback: 'cpu' to run on the best CPU backend`,
        );
      }
      fellBack = true;
    }
  }
  for (const candidate of cpuOrder) {
    const got = await load(candidate);
    if (got.info) {
      await activateBackend(got.info.name);
      if (fellBack)
        (request.onWarning ?? console.warn)(
          `@rs/tfjs: deviceType 'gpu' asked for but @tensorflow/tfjs-node-gpu is unavailable (${reasons[0]}). Falling back to the '${got.info.name}' backend (${got.info.package}).`,
        );
      return { ...got.info, fellBack };
    }
    reasons.push(got.why!);
  }
  const hint = backend === 'wasm' ? 'npm install @tensorflow/tfjs-backend-wasm' : 'npm install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA)';
  throw new RsError('RS_DEVICE_UNAVAILABLE', `backend '${backend}' is not available (${reasons.join('; ')}). Install it: ${hint}`);
}
