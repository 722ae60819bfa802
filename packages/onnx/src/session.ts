import { RsError, type RsErrorOptions } from '@rs/core';
import * as ort from 'onnxruntime-node';

/** Where a session runs. */
export interface DeviceInfo {
  /** What was asked for. */
  requested: 'cpu' | 'gpu';
  /** What runs: ONNX Runtime's execution provider. */
  provider: 'cpu' | 'cuda';
  /** True when `'gpu'` was asked, the CUDA provider was missing and `gpuFallback: 'cpu'` allowed the CPU. */
  fellBack: boolean;
}

/** Settings of {@link createSession}. */
export interface SessionSettings {
  deviceType: 'cpu' | 'gpu';
  gpuFallback: 'error' | 'cpu';
  deviceId: number;
  intraOpNumThreads?: number | undefined;
  interOpNumThreads?: number | undefined;
  /** Let ONNX Runtime's intra-op threads busy-wait between runs (default false: they would steal the core that draws the noise). */
  intraOpSpinning?: boolean | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

/** The install hint for the CUDA execution provider. */
export const CUDA_INSTALL_HINT =
  'this onnxruntime-node has only its CPU provider (installed with ONNXRUNTIME_NODE_INSTALL=skip, or offline); on a Linux x64 machine with CUDA 12 and cuDNN 9, reinstall it with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` to get the CUDA provider';

/**
 * Creates an ONNX Runtime session on the requested device. Errors: a model ONNX Runtime cannot load
 * ("not a valid ONNX model (label): ..."), and `'gpu'` without the CUDA provider (with the install
 * hint), unless `gpuFallback: 'cpu'`, which warns and uses the CPU.
 *
 * @example
 * const { session, device } = await createSession(bytes, 'model.onnx', { deviceType: 'gpu', gpuFallback: 'cpu', deviceId: 0 });
 */
export async function createSession(bytes: Uint8Array, label: string, s: SessionSettings): Promise<{ session: ort.InferenceSession; device: DeviceInfo }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: s.intraOpSpinning ? '1' : '0' } } },
    ...(s.intraOpNumThreads ? { intraOpNumThreads: s.intraOpNumThreads } : {}),
    ...(s.interOpNumThreads ? { interOpNumThreads: s.interOpNumThreads } : {}),
  };
  const open = async (providers: ort.InferenceSession.SessionOptions['executionProviders']) => {
    try {
      return await ort.InferenceSession.create(bytes, { ...base, executionProviders: providers });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/cuda/i.test(message) && providers?.some((p) => (typeof p === 'string' ? p : p.name) === 'cuda')) {
        throw new GpuUnavailableError(
          `deviceType 'gpu' needs ONNX Runtime's CUDA execution provider, which could not be loaded: ${firstLine(message)}. ${CUDA_INSTALL_HINT}`,
          { cause: err },
        );
      }
      throw new RsError('RS_MALFORMED_FILE', `not a valid ONNX model (${label}): ${firstLine(message)}`, { cause: err });
    }
  };
  if (s.deviceType === 'cpu') return { session: await open(['cpu']), device: { requested: 'cpu', provider: 'cpu', fellBack: false } };
  try {
    return { session: await open([{ name: 'cuda', deviceId: s.deviceId }]), device: { requested: 'gpu', provider: 'cuda', fellBack: false } };
  } catch (err) {
    if (!(err instanceof GpuUnavailableError) || s.gpuFallback !== 'cpu') throw err;
    (s.onWarning ?? console.warn)(`@rs/onnx: ${err.message}. Falling back to the CPU provider (gpuFallback: 'cpu').`);
    return { session: await open(['cpu']), device: { requested: 'gpu', provider: 'cpu', fellBack: true } };
  }
}

/** Thrown when `deviceType: 'gpu'` is asked and the CUDA provider cannot be loaded. */
export class GpuUnavailableError extends RsError {
  constructor(message: string, options?: RsErrorOptions) {
    super('RS_DEVICE_UNAVAILABLE', message, options);
    this.name = 'GpuUnavailableError';
  }
}

function firstLine(message: string): string {
  // ORT messages carry ANSI colours and long source paths: keep the informative part.
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour escapes (ESC [ ... m) from native messages
  const clean = message.replace(/\u001b\[[0-9;]*m/g, '').trim();
  return clean.length > 600 ? `${clean.slice(0, 600)}...` : clean;
}
