#!/usr/bin/env node
// `@example`s are documentation users copy, so they must compile. For every package entry point
// (package.json `exports`), this collects the `@example` of every exported declaration, writes each
// into a module that imports the package's public API (built `dist/`, so run after a build), declares
// the example's free names as `any` (its own inputs: `x`, `model`, ...), and type-checks it strictly.
// It also reports `@example`s on exports that are not public (examples belong to the public API only).
// Usage: node tools/lint/check-examples.mjs [--list]; exit code 1 on any problem.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const ts = createRequire(import.meta.url)(join(root, 'node_modules', 'typescript'));
const list = process.argv.includes('--list');

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The example text of a JSDoc tag, without the comment stars and code fences. */
function exampleText(tag) {
  const c = typeof tag.comment === 'string' ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? '');
  return c
    .split('\n')
    .filter((l) => !/^\s*```/.test(l))
    .join('\n')
    .trim();
}

const problems = [];
const examples = [];
const packagesDir = join(root, 'packages');
for (const name of readdirSync(packagesDir)) {
  const dir = join(packagesDir, name);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  const entries = Object.entries(pkg.exports ?? {}).filter(([, v]) => v && typeof v === 'object' && v.import);
  const program = ts.createProgram(sourceFiles(join(dir, 'src')), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const publicDecls = new Map(); // declaration node -> [specifier, exported name]
  for (const [sub, target] of entries) {
    const src = join(dir, target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
    const file = program.getSourceFile(src);
    if (!file) continue;
    const symbol = checker.getSymbolAtLocation(file);
    if (!symbol) continue;
    const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`;
    for (const exp of checker.getExportsOfModule(symbol)) {
      const s = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      for (const d of s.declarations ?? []) publicDecls.set(d, [spec, exp.name]);
    }
  }
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(join(dir, 'src'))) continue;
    const visit = (node) => {
      for (const tag of ts.getJSDocTags(node)) {
        if (tag.tagName.text !== 'example' || tag.parent?.parent !== node) continue;
        const where = `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        let owner = node;
        while (owner && !publicDecls.has(owner) && !ts.isSourceFile(owner)) owner = owner.parent;
        const pub = owner && publicDecls.get(owner);
        if (!pub) problems.push(`${where}: @example on a declaration that is not public API (not exported from ${pkg.name}'s entry points)`);
        else examples.push({ where, spec: pub[0], text: exampleText(tag), pkg: pkg.name });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
}

// Type-check each public example: one module per example, importing every public name of its package.
const work = join(root, 'node_modules', '.cache', 'rs-examples');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const publicNames = new Map();
function namesOf(spec) {
  if (!publicNames.has(spec)) {
    const p = ts.createProgram([join(work, 'probe.ts')], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      baseUrl: root,
    });
    writeFileSync(join(work, 'probe.ts'), `export * as m from '${spec}';\n`);
    const prog = ts.createProgram([join(work, 'probe.ts')], p.getCompilerOptions());
    const c = prog.getTypeChecker();
    const file = prog.getSourceFile(join(work, 'probe.ts'));
    const resolved = ts.resolveModuleName(spec, join(work, 'probe.ts'), prog.getCompilerOptions(), ts.sys).resolvedModule;
    const target = resolved && prog.getSourceFile(resolved.resolvedFileName);
    const sym = target && c.getSymbolAtLocation(target);
    publicNames.set(spec, sym ? c.getExportsOfModule(sym).map((s) => s.name) : []);
    void file;
  }
  return publicNames.get(spec);
}
const options = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
  typeRoots: [join(root, 'node_modules', '@types')],
};
const files = examples.map((e, i) => {
  const names = namesOf(e.spec);
  const imports = names.length ? `import { ${names.join(', ')} } from '${e.spec}';\n` : '';
  const path = join(work, `example-${i}.mts`);
  return { ...e, path, imports };
});
// First pass: find free names; second pass: declare them as `any` and report what remains.
for (let pass = 0; pass < 2; pass++) {
  for (const f of files) writeFileSync(f.path, `${f.imports}${(f.free ?? []).map((n) => `declare const ${n}: any;\n`).join('')}export {};\n${f.text}\n`);
  const program = ts.createProgram(
    files.map((f) => f.path),
    options,
  );
  for (const f of files) {
    const diags = ts.getPreEmitDiagnostics(program, program.getSourceFile(f.path));
    if (pass === 0) {
      f.free = [
        ...new Set(
          diags
            .filter((d) => d.code === 2304 || d.code === 2552 || d.code === 18004)
            .map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'))?.[1])
            .filter(Boolean),
        ),
      ];
    } else {
      for (const d of diags.filter((d) => d.code !== 6133 && d.code !== 6196)) {
        problems.push(`${f.where}: @example does not compile: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      }
    }
  }
}
rmSync(work, { recursive: true, force: true });
if (list) for (const e of examples) console.log(`${e.where} [${e.spec}]`);
for (const p of problems) console.error(p);
console.log(`@examples: ${examples.length} on public API type-checked, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
void dirname;
