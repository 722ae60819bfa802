// Writes the CommonJS entry points of an ES-module package, next to its compiled ESM (run by each
// package's `build` script after tsc, from the package's folder).
//
// The packages are ESM only (no second, CommonJS build: no dual-package hazard, one copy of module
// state such as TF.js's backend or Dawn's GPU object). For each subpath of package.json "exports":
//   "import":  { "types": "./dist/X.d.ts",  "default": "./dist/X.js" }
//   "require": { "types": "./dist/X.d.cts", "default": "./dist/X.cjs" }
// this script writes dist/X.cjs, which require()s ./X.js through Node's require(esm) (on by default
// in Node >= 20.19 and >= 22.12) and on an older Node throws an error that says so, and dist/X.d.cts,
// which re-exports X.d.ts's types for CommonJS consumers. It fails when "exports" does not have that
// shape, so package.json and the files cannot drift apart.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];
let written = 0;
for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
  if (subpath === './package.json') continue;
  const esm = entry?.import?.default;
  const want = esm?.replace(/\.js$/, '');
  if (!esm?.endsWith('.js') || entry.import.types !== `${want}.d.ts` || entry.require?.default !== `${want}.cjs` || entry.require?.types !== `${want}.d.cts`) {
    problems.push(`exports["${subpath}"] must be { import: { types: X.d.ts, default: X.js }, require: { types: X.d.cts, default: X.cjs } }`);
    continue;
  }
  if (!existsSync(join(dir, esm))) {
    problems.push(`exports["${subpath}"]: ${esm} does not exist (did tsc run?)`);
    continue;
  }
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const target = `./${basename(esm)}`;
  writeFileSync(
    join(dir, `${want}.cjs`),
    `'use strict';
// require('${specifier}'): the ES module ${target} through Node's require(esm) (written by tools/build/require-entries.mjs).
try {
  module.exports = require('${target}');
} catch (err) {
  if (err && err.code === 'ERR_REQUIRE_ESM') {
    throw new Error(
      "${specifier} is an ES module and this Node.js (" + process.version + ") cannot require() ES modules: use Node >= 20.19 or >= 22.12 (require(esm) on by default), or load it with import('${specifier}')",
      { cause: err },
    );
  }
  throw err;
}
`,
  );
  writeFileSync(
    join(dir, `${want}.d.cts`),
    `// Types of require('${specifier}'): those of the ES module (written by tools/build/require-entries.mjs).\nexport * from '${target}';\n`,
  );
  written++;
}
if (problems.length > 0) {
  console.error(`${pkg.name}: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`${pkg.name}: ${written} CommonJS entry point(s) written`);
