import { nodeGpu } from '../src/index.js';

/** Whether a WebGPU adapter can be had here (SwiftShader or a GPU); the reason when not. */
export const adapter: { available: boolean; reason: string } = await (async () => {
  try {
    const a = await (await nodeGpu()).requestAdapter();
    return a ? { available: true, reason: '' } : { available: false, reason: 'no WebGPU adapter (install libvulkan1 chromium-common)' };
  } catch (err) {
    return { available: false, reason: `no WebGPU: ${(err as Error).message}` };
  }
})();

/** The fixture CNN and PyTorch's reference outputs (shared with the other backends' tests). */
export { loadFmnistCnn as fixture, relativeError } from '@rs/fixtures';
