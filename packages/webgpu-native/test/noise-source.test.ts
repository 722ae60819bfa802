import { NOISE_KNOWN_ANSWER_SHA256, createWasmNoiseGenerator, noiseSourceOf, runNoiseSelfTest, sourceDigest } from '@rs/core';
import { describe, expect, it } from 'vitest';
import { WebGpuNoiseSource } from '../src/index.js';
import { adapter } from './helpers.js';

describe.skipIf(!adapter.available)(
  `WebGpuNoiseSource: the device's noise in core's self-test${adapter.available ? '' : ` (skipped: ${adapter.reason})`}`,
  () => {
    it('has the known-answer digest of the layout and passes the self-test, bitwise equal to the WASM kernel', async () => {
      const gpu = await WebGpuNoiseSource.create();
      expect(await sourceDigest(gpu)).toBe(NOISE_KNOWN_ANSWER_SHA256);
      const report = await runNoiseSelfTest([noiseSourceOf(createWasmNoiseGenerator()), gpu], { draws: 1e6 });
      expect(report.rows.filter((r) => !r.pass)).toEqual([]);
      expect(report.rows.filter((r) => r.source === gpu.name && r.test.startsWith('bitwise equal') && r.pass)).toHaveLength(3);
      gpu.dispose();
    });
  },
);
