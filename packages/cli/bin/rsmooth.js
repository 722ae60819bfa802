#!/usr/bin/env node
// The `rsmooth` executable npm links at install time. It is committed (dist/ is built later, so a
// bin pointing into dist/ would not be linked after `npm ci` in a fresh clone) and runs the
// compiled program, or says how to build it.
import { existsSync } from 'node:fs';

const program = new URL('../dist/bin/rsmooth.js', import.meta.url);
if (!existsSync(program)) {
  process.stderr.write(`rsmooth is not built yet (${program.pathname} is missing): run 'npm run build' at the repository root\n`);
  process.exit(1);
}
await import(program.href);
