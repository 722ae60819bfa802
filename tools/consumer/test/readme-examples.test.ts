import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { quotedExamples, READMES, ROOT } from '../readme-examples.mjs';

describe('the READMEs quote the example files the consumer test runs', () => {
  const quotes = (READMES as string[]).flatMap((readme) => (quotedExamples(readme) as { example: string; block: string }[]).map((q) => ({ readme, ...q })));

  it('quotes each of examples/core, onnx, tfjs and webgpu', () => {
    expect(quotes.map((q) => q.example).sort()).toEqual(['examples/core.ts', 'examples/onnx.ts', 'examples/tfjs.ts', 'examples/webgpu.ts']);
  });

  it.each(quotes.map((q) => [q.readme, q.example, q.block] as const))(
    '%s quotes %s verbatim (node tools/consumer/readme-examples.mjs --write)',
    (_readme, example, block) => {
      expect(block).toBe(readFileSync(join(ROOT as string, example), 'utf8'));
    },
  );
});
