#!/usr/bin/env node
// Package boundaries, checked by `npm run lint`: what each package may depend on (package.json) and
// import (its src/ files), so the graph stays the one ARCHITECTURE.md draws: @rs/core knows no
// framework and no other @rs package, @rs/onnx-graph knows no @rs package, browser-safe code imports
// no Node built-in, and the package graph has no cycle. Prints each violation with its file and exits 1.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Per package: module specifiers it must not depend on or import, and src folders that must stay browser-safe. */
const RULES = {
  '@rs/core': {
    forbid: [/^@rs\//, /^onnxruntime/, /^@tensorflow\//, /^webgpu$/, /^onnx-proto$/, /^protobufjs$/],
    browserSafe: ['src'],
    nodeAllowed: ['src/node', 'src/testing'],
  },
  '@rs/onnx-graph': { forbid: [/^@rs\//, /^onnxruntime/, /^@tensorflow\//, /^webgpu$/], browserSafe: [], nodeAllowed: [] },
  '@rs/datasets': { forbid: [/^@rs\/(?!core$)/, /^onnxruntime/, /^@tensorflow\//, /^webgpu$/], browserSafe: [], nodeAllowed: [] },
  '@rs/queue': { forbid: [/^@rs\/(?!core$)/, /^onnxruntime/, /^@tensorflow\//, /^webgpu$/], browserSafe: [], nodeAllowed: [] },
  '@rs/webgpu-native': { forbid: [/^onnxruntime/, /^@tensorflow\//], browserSafe: ['src/engine'], nodeAllowed: [] },
  '@rs/defences': { forbid: [/^@rs\/(?!core$)/, /^onnxruntime/, /^@tensorflow\//, /^webgpu$/], browserSafe: ['src'], nodeAllowed: [] },
  '@rs/onnx': { forbid: [/^@tensorflow\//, /^webgpu$/], browserSafe: [], nodeAllowed: [] },
  '@rs/tfjs': { forbid: [/^onnxruntime/, /^webgpu$/, /^@rs\/onnx/], browserSafe: [], nodeAllowed: [] },
};

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(source) {
  // Comments (JSDoc examples quote imports) are not imports.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs = [];
  const re = /(?:^|[^\w.])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

const packages = new Map();
for (const base of ['packages', 'tools']) {
  for (const name of readdirSync(join(root, base))) {
    const dir = join(root, base, name);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      packages.set(pkg.name, { dir, pkg });
    } catch {
      // not a package
    }
  }
}

const problems = [];
for (const [name, { dir, pkg }] of packages) {
  const rule = RULES[name];
  if (!rule) continue;
  const deps = { ...pkg.dependencies, ...pkg.peerDependencies };
  for (const dep of Object.keys(deps)) {
    if (rule.forbid.some((re) => re.test(dep))) problems.push(`${name}: package.json depends on '${dep}', which it must not`);
  }
  const src = join(dir, 'src');
  for (const file of files(src)) {
    const rel = relative(dir, file);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (rule.forbid.some((re) => re.test(spec))) problems.push(`${name}: ${rel} imports '${spec}', which it must not`);
      const safe = rule.browserSafe.some((p) => rel.startsWith(`${p}/`)) && !rule.nodeAllowed.some((p) => rel.startsWith(`${p}/`));
      if (safe && spec.startsWith('node:')) problems.push(`${name}: ${rel} imports '${spec}' in browser-safe code`);
    }
  }
}

// No cycle among workspace packages (dependencies, peer and dev dependencies alike).
const edges = new Map();
for (const [name, { pkg }] of packages) {
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }).filter((d) => packages.has(d));
  edges.set(name, deps);
}
const state = new Map();
const stack = [];
function visit(n) {
  state.set(n, 'open');
  stack.push(n);
  for (const d of edges.get(n) ?? []) {
    if (state.get(d) === 'open') problems.push(`package cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' -> ')}`);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(n, 'done');
}
for (const n of edges.keys()) if (!state.has(n)) visit(n);

if (problems.length) {
  for (const p of problems) console.error(`boundary: ${p}`);
  process.exit(1);
}
console.log(`package boundaries: ${packages.size} packages, ${Object.keys(RULES).length} rule sets, no violation, no cycle`);
