// The committed WAT text and the TS module holding the assembled binary must be what
// scripts/gen-noise-wasm.mjs produces now (run it after editing the kernel generator).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble, generate, TS_PATH, WAT_PATH } from '../../scripts/gen-noise-wasm.mjs';
import { decodeBase64 } from '../../src/noise/wasm-generator.js';
import { NOISE_WASM_BASE64, NOISE_WASM_BYTE_LENGTH } from '../../src/noise/wasm-bytes.generated.js';

describe('generated WASM kernel', () => {
  it('philox-normal.wat and wasm-bytes.generated.ts are up to date', async () => {
    const { wat, ts } = await generate();
    expect(readFileSync(WAT_PATH, 'utf8').replace(/\r\n/g, '\n'), 'run: node packages/core/scripts/gen-noise-wasm.mjs').toBe(wat);
    expect(readFileSync(TS_PATH, 'utf8').replace(/\r\n/g, '\n'), 'run: node packages/core/scripts/gen-noise-wasm.mjs').toBe(ts);
  });

  it('the embedded bytes are the committed WAT assembled by wabt', async () => {
    const bytes = await assemble(readFileSync(WAT_PATH, 'utf8').replace(/\r\n/g, '\n'));
    const embedded = decodeBase64(NOISE_WASM_BASE64);
    expect(embedded.length).toBe(NOISE_WASM_BYTE_LENGTH);
    expect(Buffer.from(embedded).equals(Buffer.from(bytes))).toBe(true);
  });

  it('decodeBase64 matches Buffer', () => {
    for (const s of ['', 'AA==', 'AGE=', 'AGFzbQ==', Buffer.from('hello world!?').toString('base64')]) {
      expect(Buffer.from(decodeBase64(s)).equals(Buffer.from(s, 'base64'))).toBe(true);
    }
  });
});
