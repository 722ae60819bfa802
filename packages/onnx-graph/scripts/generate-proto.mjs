#!/usr/bin/env node
/**
 * Generates `src/onnx-pb.generated.ts` (the ONNX protobuf messages as @bufbuild/protobuf 2 schemas
 * and TypeScript types) from `proto/onnx.proto`, ONNX's official file copied unchanged from the
 * onnx/onnx repository at tag v1.22.0 (commit 2bb50465112feca9003e1ed654d77f01ff1415ca, path
 * onnx/onnx.proto, Apache-2.0). Uses the exact `buf` and `protoc-gen-es` versions of the lockfile.
 *
 *   npm run generate:proto -w @rs/onnx-graph           # rewrite the file
 *   node scripts/generate-proto.mjs --check            # exit 1 when the committed file differs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src', 'onnx-pb.generated.ts');
const require = createRequire(import.meta.url);
const bin = (pkg, name) => join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', name);

/** The generated TypeScript for proto/onnx.proto, as a string. */
export function generate() {
  const out = mkdtempSync(join(tmpdir(), 'onnx-proto-'));
  try {
    const template = { version: 'v2', plugins: [{ local: bin('@bufbuild/protoc-gen-es', 'protoc-gen-es'), out: '.', opt: ['target=ts'] }] };
    execFileSync(bin('@bufbuild/buf', 'buf'), ['generate', join(root, 'proto'), '--template', JSON.stringify(template), '-o', out], { stdio: 'inherit' });
    return readFileSync(join(out, 'onnx_pb.ts'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = generate();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== code) {
      console.error(`${target} differs from what proto/onnx.proto generates: run npm run generate:proto -w @rs/onnx-graph`);
      process.exit(1);
    }
    console.log(`${target} is up to date`);
  } else {
    writeFileSync(target, code);
    console.log(`wrote ${target}`);
  }
}
