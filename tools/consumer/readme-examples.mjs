// The README blocks that quote examples/*.ts: each is a ```ts block right after a line
// `<!-- examples/NAME.ts: ... -->`. `node tools/consumer/readme-examples.mjs --write` copies each
// example file into its blocks; test/readme-examples.test.ts checks they are equal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const READMES = ['README.md', 'packages/tfjs/README.md', 'packages/webgpu-native/README.md'];
const BLOCK = /(<!-- (examples\/[\w-]+\.ts):[^\n]*-->\n```ts\n)([\s\S]*?)(```)/g;

/** Each quoted block of a README: the example it quotes and the block's text. */
export function quotedExamples(readme) {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  return [...text.matchAll(BLOCK)].map((m) => ({ example: m[2], block: m[3] }));
}

if (process.argv.includes('--write')) {
  for (const readme of READMES) {
    const path = join(ROOT, readme);
    const text = readFileSync(path, 'utf8').replace(BLOCK, (_, head, example, _block, end) => `${head}${readFileSync(join(ROOT, example), 'utf8')}${end}`);
    writeFileSync(path, text);
  }
}
