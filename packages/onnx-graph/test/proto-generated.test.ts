import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const script = new URL('../scripts/generate-proto.mjs', import.meta.url).pathname;

describe('ONNX protobuf code', () => {
  it('proto/onnx.proto is the official file of ONNX v1.22.0, unchanged (its git blob id)', () => {
    const bytes = readFileSync(new URL('../proto/onnx.proto', import.meta.url));
    const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    expect(blob).toBe('d1f5dcd92543a661a4d5af9b81e5e68cf9be320b'); // git rev-parse v1.22.0:onnx/onnx.proto in onnx/onnx
  });

  it('src/onnx-pb.generated.ts is what scripts/generate-proto.mjs makes from proto/onnx.proto', () => {
    const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(out).toMatch(/is up to date/);
  });
});
