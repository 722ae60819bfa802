import { CliError } from '../errors.js';
import { BACKEND_PACKAGES } from './registry.js';
import { missingPackages } from './load-package.js';
import { modelKind } from './model-files.js';
import { onnxBackend } from './onnx.js';
import type { Backend, BackendModel, BackendOpenOptions } from './registry.js';
import { tfjsBackend } from './tfjs.js';
import { webgpuBackend } from './webgpu.js';

const BY_NAME = { onnx: onnxBackend, tfjs: tfjsBackend, webgpu: webgpuBackend } as const;
type Name = keyof typeof BY_NAME;

/**
 * The backends `auto` tries, in order, for a model kind: a TF.js model.json goes to tfjs; an .onnx
 * model to ONNX Runtime first (the fastest on a CPU; CUDA with `--device gpu`), then WebGPU (with
 * `--device gpu`, a hardware adapter only).
 */
export function autoCandidates(kind: ReturnType<typeof modelKind>): Name[] {
  if (kind === 'tfjs') return ['tfjs'];
  if (kind === 'onnx') return ['onnx', 'webgpu'];
  return [];
}

/**
 * `--backend auto`: picks a backend by the model file's type and the devices there are (see
 * {@link autoCandidates}), skipping those whose packages are not installed, and says what it picked
 * (the first of the model's `notes`); when none works, the error lists each backend tried and why.
 */
export const autoBackend: Backend = {
  name: 'auto',
  description: 'picks by the model file (.onnx: onnx, else webgpu; model.json: tfjs) and the device',
  async open(o: BackendOpenOptions): Promise<BackendModel> {
    const kind = modelKind(o.model);
    const candidates = autoCandidates(kind);
    if (candidates.length === 0)
      throw new CliError(`--backend auto cannot tell what kind of model ${o.model} is: give an .onnx file or a TF.js model.json (or its folder)`, {
        code: 'RS_USAGE',
      });
    const tried: string[] = [];
    for (const name of candidates) {
      const missing = missingPackages(name);
      if (missing.length > 0) {
        tried.push(`${name}: ${missing.join(', ')} not installed (${BACKEND_PACKAGES[name].install})`);
        continue;
      }
      let m: BackendModel;
      try {
        m = await BY_NAME[name].open(o);
      } catch (err) {
        tried.push(`${name}: ${(err as Error).message}`);
        continue;
      }
      // A software adapter (SwiftShader) runs on the CPU: not what --device gpu asks for.
      if (name === 'webgpu' && o.device === 'gpu' && /swiftshader|fallback adapter/i.test(m.device)) {
        await m.dispose();
        tried.push(`webgpu: its adapter is a CPU implementation (${m.device})`);
        continue;
      }
      const why =
        kind === 'tfjs'
          ? 'the model is a TF.js model.json'
          : name === 'onnx'
            ? `the model is ONNX; ONNX Runtime ${o.device === 'gpu' ? 'with its CUDA provider' : 'is the fastest on the CPU'}`
            : `the model is ONNX and ${tried.join('; ')}`;
      return { ...m, notes: [`--backend auto picked '${name}': ${why}; running on ${m.device}`, ...m.notes] };
    }
    throw new CliError(`--backend auto found no backend for ${o.model} (device ${o.device}): ${tried.map((t) => `[${t}]`).join(' ')}`, {
      code: 'RS_BACKEND_UNAVAILABLE',
    });
  },
};
