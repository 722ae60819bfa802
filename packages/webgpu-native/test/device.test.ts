import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DeviceLostError, NoAdapterError, WebGpuClassifier, WebGpuRandomizedSmoothing } from '../src/index.js';
import { adapter, fixture, relativeError } from './helpers.js';

const f = fixture();

describe('no adapter', () => {
  it('fails with a clear error and the Vulkan driver hint', async () => {
    const gpu = { requestAdapter: async () => null };
    const err = await WebGpuClassifier.create({ model: f.model, gpu }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoAdapterError);
    expect(err).toMatchObject({ name: 'NoAdapterError', code: 'RS_DEVICE_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/no WebGPU adapter.*apt-get install libvulkan1 chromium-common/);
  });
});

describe.skipIf(!adapter.available)(`WebGPU device handling${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`, () => {
  it('reports the adapter and matches PyTorch on all 20 fixture images', async () => {
    const c = await WebGpuClassifier.create({ model: f.model });
    expect(c.adapter.name).toMatch(/\//);
    expect(typeof c.adapter.isFallbackAdapter).toBe('boolean');
    console.log(`adapter: ${JSON.stringify(c.adapter)}, maxBatchSize ${c.maxBatchSize}`);
    const logits = await c.forward(f.x, 20);
    const err = relativeError(logits, f.logits);
    console.log(`fixture CNN, 20 images: max |logit error| / max |logit| = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
    await c.dispose();
  });

  it('turns a lost device into a DeviceLostError, never results', async () => {
    const c = await WebGpuClassifier.create({ model: f.model });
    c.device.destroy(); // what a driver reset looks like to the engine
    await new Promise((r) => setTimeout(r, 50));
    await expect(c.forward(f.x.slice(0, 784), 1)).rejects.toThrow(DeviceLostError);
    const rs = await WebGpuRandomizedSmoothing.create({ model: f.model, scale: 0.25, seed: 1 });
    rs.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await expect(rs.predictClasses(f.x.slice(0, 784), { n: 32 })).rejects.toThrow(/device lost/);
    await c.dispose();
    await rs.dispose();
  });

  it('errors after dispose instead of computing', async () => {
    const c = await WebGpuClassifier.create({ model: f.model });
    await c.dispose();
    await expect(c.forward(f.x.slice(0, 784), 1)).rejects.toThrow(DeviceLostError);
  });

  it('lets Node exit after dispose()', () => {
    // The built entry point (nx builds before testing; build here when it is missing).
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    if (!existsSync(entry))
      spawnSync(
        process.execPath,
        [
          fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url)),
          '-p',
          fileURLToPath(new URL('../tsconfig.build.json', import.meta.url)),
        ],
        { stdio: 'inherit' },
      );
    const model = fileURLToPath(new URL('../../../tools/fixtures/fmnist-cnn/model.onnx', import.meta.url));
    const script = `
      const { WebGpuClassifier } = await import(${JSON.stringify(entry)});
      const c = await WebGpuClassifier.create({ model: ${JSON.stringify(model)} });
      await c.forward(new Float32Array(784), 1);
      await c.dispose();
      console.log('disposed');`;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50_000, env: { ...process.env } });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.stdout, r.stderr).toContain('disposed');
    expect(r.signal, 'killed by the timeout: the process did not exit').toBeNull();
    expect(r.status).toBe(0);
    // No time limit beyond the kill timeout: a live device or worker would keep Node running until killed.
    console.log(`child process exited ${seconds.toFixed(1)} s after start`);
  });
});
