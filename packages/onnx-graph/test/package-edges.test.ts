import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('package edges', () => {
  it('@rs/onnx-graph depends only on the ONNX protobuf code and zod (no @rs package: weight init takes its random source from the caller)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).sort()).toEqual(['@bufbuild/protobuf', 'zod']);
    const imports = sources(join(root, 'src')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^(?:import|export)[^;]*? from '(@rs\/[^']+)'/gms)].map((m) => `${f}: ${m[1]}`),
    );
    expect(imports).toEqual([]);
  });
});
