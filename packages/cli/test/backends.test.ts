import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSETS_DIR } from '../src/assets.js';
import { loadBackendPackage } from '../src/backends/load-package.js';
import { rsmooth, tempDir } from './helpers.js';

// The bundled default (assets/model.onnx) and its TF.js twin (assets/tfjs, the same weights) on
// every backend, same seed: the noise is the same everywhere (core's stream layout, drawn on the
// host for onnx and tfjs, by WGSL on the device for webgpu), so the counts differ only where a
// noisy sample's top two logits tie within float rounding.
const TFJS_MODEL = join(ASSETS_DIR, 'tfjs', 'model.json');
const adapterName = await (async () => {
  try {
    const { nodeGpu } = await import('@rs/webgpu-native');
    const a = await (await nodeGpu()).requestAdapter();
    return a ? `${a.info.vendor}/${a.info.architecture}` : undefined;
  } catch {
    return undefined;
  }
})();
const hasAdapter = adapterName !== undefined;
const cpuOnly = adapterName === 'google/swiftshader';
const dir = tempDir();
const RUN = ['certify', '--max', '6', '--n0', '100', '--n', '1000', '--batch', '550', '--seed', '7', '--threads', '1'];

function run(backend: string, extra: string[] = []) {
  const out = join(dir, `${backend}.tsv`);
  const r = rsmooth([...RUN, '--backend', backend, ...extra, '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n').slice(1);
  const counts = readFileSync(`${out}.jsonl`, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as { selectionCounts: number[]; estimationCounts: number[]; backend: string; device: string });
  return { columns: rows.map((l) => l.split('\t').slice(0, 5).join('\t')), counts, stderr: r.stderr };
}

/** Samples whose class differs between two runs: half the L1 distance of their count vectors. */
function differingSamples(a: ReturnType<typeof run>, b: ReturnType<typeof run>): number {
  let d = 0;
  a.counts.forEach((ra, i) => {
    const rb = b.counts[i]!;
    for (const key of ['selectionCounts', 'estimationCounts'] as const) {
      ra[key].forEach((v, c) => {
        d += Math.abs(v - rb[key][c]!) / 2;
      });
    }
  });
  return d;
}

describe('rsmooth --backend onnx | tfjs | webgpu | auto on the same model and seed', () => {
  let onnx: ReturnType<typeof run>;
  beforeAll(() => {
    onnx = run('onnx');
  });
  const samples = 6 * 1100;

  it('tfjs (the TF.js twin, wasm) gives the rows of onnx', () => {
    const tfjs = run('tfjs', [
      '--model',
      TFJS_MODEL,
      '--data',
      join(ASSETS_DIR, 'x.npy'),
      '--labels',
      join(ASSETS_DIR, 'y.npy'),
      '--sigma',
      '0.25',
      '--clip',
      '0:1',
    ]);
    expect(tfjs.counts[0]!.backend).toBe('tfjs');
    expect(tfjs.counts[0]!.device).toMatch(/^tfjs (wasm|tensorflow|cpu)/);
    const differ = differingSamples(onnx, tfjs);
    console.log(
      `onnx vs tfjs: ${differ} of ${samples} noisy samples classified differently; TSV rows differing in columns 1-5: ${onnx.columns.filter((c, i) => c !== tfjs.columns[i]).length} of 6`,
    );
    expect(differ / samples).toBeLessThanOrEqual(0.002);
    onnx.columns.forEach((c, i) => {
      if (differingSamples({ ...onnx, counts: [onnx.counts[i]!] }, { ...tfjs, counts: [tfjs.counts[i]!] }) === 0) expect(tfjs.columns[i]).toBe(c);
    });
  });

  it.skipIf(!hasAdapter)(
    `webgpu gives the rows of onnx${hasAdapter ? '' : ' (skipped: no WebGPU adapter; apt-get install libvulkan1 chromium-common)'}`,
    () => {
      const webgpu = run('webgpu');
      expect(webgpu.counts[0]!.device).toMatch(/^webgpu /);
      const differ = differingSamples(onnx, webgpu);
      console.log(
        `onnx vs webgpu: ${differ} of ${samples} noisy samples classified differently; TSV rows differing in columns 1-5: ${onnx.columns.filter((c, i) => c !== webgpu.columns[i]).length} of 6`,
      );
      expect(differ / samples).toBeLessThanOrEqual(0.002);
      onnx.columns.forEach((c, i) => {
        if (differingSamples({ ...onnx, counts: [onnx.counts[i]!] }, { ...webgpu, counts: [webgpu.counts[i]!] }) === 0) expect(webgpu.columns[i]).toBe(c);
      });
    },
  );

  it('auto picks by the model file and says what it picked; the bundled default follows --backend tfjs', () => {
    const onnxAuto = run('auto');
    expect(onnxAuto.stderr).toMatch(
      /rsmooth certify: --backend auto picked 'onnx': the model is ONNX; ONNX Runtime is the fastest on the CPU; running on onnxruntime cpu/,
    );
    expect(onnxAuto.counts[0]!.backend).toBe('onnx');
    expect(onnxAuto.columns).toEqual(onnx.columns);
    const tfjsAuto = rsmooth([
      'certify',
      '--backend',
      'auto',
      '--model',
      join(ASSETS_DIR, 'tfjs'),
      '--data',
      join(ASSETS_DIR, 'x.npy'),
      '--labels',
      join(ASSETS_DIR, 'y.npy'),
      '--sigma',
      '0.25',
      '--max',
      '1',
      '--n',
      '200',
    ]);
    expect(tfjsAuto.stderr).toMatch(/--backend auto picked 'tfjs': the model is a TF\.js model\.json; running on tfjs /);
    expect(tfjsAuto.status).toBe(0);
    const bundledTfjs = rsmooth(['certify', '--backend', 'tfjs', '--max', '1', '--n', '200', '--quiet']);
    expect(bundledTfjs.status, bundledTfjs.stderr).toBe(0);
    expect(bundledTfjs.stdout).toMatch(/^idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t9\t9\t/);
  });

  it('auto with --device gpu takes CUDA or a hardware WebGPU adapter, never SwiftShader, and otherwise says why each was passed over', () => {
    const r = rsmooth(['certify', '--backend', 'auto', '--device', 'gpu', '--max', '1', '--n', '100', '--out', join(dir, 'gpu.tsv')]);
    if (r.status === 0) {
      expect(r.stderr).toMatch(/--backend auto picked '(onnx': the model is ONNX; ONNX Runtime with its CUDA provider|webgpu': )/);
      expect(r.stderr).not.toMatch(/running on webgpu google\/swiftshader/);
    } else {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        /--backend auto found no backend for .*model\.onnx \(device gpu\): \[onnx: .*CUDA execution provider.*ONNXRUNTIME_NODE_INSTALL=cuda12.*\] \[webgpu: /,
      );
      if (cpuOnly) expect(r.stderr).toMatch(/\[webgpu: its adapter is a CPU implementation \(webgpu google\/swiftshader/);
    }
  });

  it('a model of the wrong kind, or of no kind auto knows, is refused before sampling', () => {
    const notJson = rsmooth([
      'certify',
      '--backend',
      'webgpu',
      '--model',
      TFJS_MODEL,
      '--data',
      join(ASSETS_DIR, 'x.npy'),
      '--labels',
      join(ASSETS_DIR, 'y.npy'),
      '--sigma',
      '0.25',
    ]);
    expect(notJson.stderr).toMatch(/--backend webgpu takes an \.onnx model, not .*model\.json/);
    expect(notJson.status).toBe(2);
    const unknown = rsmooth([
      'certify',
      '--backend',
      'auto',
      '--model',
      join(ASSETS_DIR, 'x.npy'),
      '--data',
      join(ASSETS_DIR, 'x.npy'),
      '--labels',
      join(ASSETS_DIR, 'y.npy'),
      '--sigma',
      '0.25',
    ]);
    expect(unknown.stderr).toMatch(/--backend auto cannot tell what kind of model .*x\.npy is: give an \.onnx file or a TF\.js model\.json/);
    expect(unknown.status).toBe(2);
  });
});

describe('a backend package is loaded only when asked for, and a missing one is named with its install line', () => {
  it('names the package that is missing and the install line', async () => {
    const err = await loadBackendPackage('tfjs', () => import('@rs/not-installed-here' as string)).catch((e: unknown) => e as Error);
    expect(err.message).toBe(
      "backend 'tfjs' needs '@rs/not-installed-here', which is not installed; install it with: npm install @rs/tfjs @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (or @tensorflow/tfjs-node)",
    );
  });

  it('rsmooth --help lists the backends without loading them', () => {
    const r = rsmooth(['--help']);
    expect(r.stdout).toMatch(/Backends \(--backend\): auto, onnx, tfjs, webgpu/);
  });
});
