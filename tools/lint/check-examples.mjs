#!/usr/bin/env node
// `@example`s are documentation users copy, so they must compile. For every package entry point
// (package.json `exports`), this collects the `@example` of every exported declaration, writes each
// into a module that imports the package's public API (built `dist/`, so run after a build), declares
// the example's free names as `any` (its own inputs: `x`, `model`, ...), and type-checks it strictly.
// It also reports `@example`s on declarations that are not public API (examples are for users;
// `--fix`, or `npm run lint:fix-examples`, removes them).
// Usage: node tools/lint/check-examples.mjs [--list] [--fix]; exit code 1 on any problem.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const ts = createRequire(import.meta.url)(join(root, 'node_modules', 'typescript'));
const list = process.argv.includes('--list');
/** `--fix`: remove the `@example`s of declarations that are not public API (examples are for users). */
const fix = process.argv.includes('--fix');
const internal = []; // { file, start, end } of each @example tag on a non-public declaration

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
    const entry = typeof target.import === 'string' ? target.import : target.import.default;
    if (typeof entry !== 'string') continue;
    const src = join(dir, entry.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
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
        if (pub) examples.push({ where, spec: pub[0], text: exampleText(tag), pkg: pkg.name });
        else {
          internal.push({ file: file.fileName, start: tag.getStart(), end: tag.end });
          problems.push(
            `${where}: @example on a declaration that is not public API (not exported from ${pkg.name}'s entry points; npm run lint:fix-examples removes it)`,
          );
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
}

if (fix) {
  // Remove whole lines: from the `@example` line to the line of the next tag or of the closing `*/`,
  // and the blank ` *` line before it when nothing follows but the end of the comment.
  const byFile = new Map();
  for (const t of internal) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t]);
  for (const [file, tags] of byFile) {
    let text = readFileSync(file, 'utf8');
    for (const t of tags.sort((a, b) => b.start - a.start)) {
      const from = text.lastIndexOf('\n', t.start) + 1;
      if (text.slice(from, t.start).includes('/**')) {
        // A one-line comment (`/** What it is. @example x */`): keep the text, drop the tag.
        const close = text.indexOf('*/', t.start);
        text = `${text.slice(0, t.start).trimEnd()} ${text.slice(close)}`;
        continue;
      }
      const rest = text.slice(t.end);
      const next = rest.search(/\S/);
      let to = text.lastIndexOf('\n', t.end + next) + 1;
      let cut = from;
      if (rest.slice(next).startsWith('*/')) {
        const prev = text.lastIndexOf('\n', from - 2) + 1;
        if (/^\s*\*\s*$/.test(text.slice(prev, from - 1))) cut = prev;
      }
      if (to < from) to = from;
      text = text.slice(0, cut) + text.slice(to);
    }
    writeFileSync(file, text);
  }
  console.log(`removed ${internal.length} @example(s) from non-public declarations in ${byFile.size} files`);
  process.exit(0);
}

// Type-check each public example: one module per example, importing every public name of its package.
const work = join(root, 'node_modules', '.cache', 'rs-examples');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const publicNames = new Map();
function namesOf(spec) {
  if (!publicNames.has(spec)) {
    // The module symbol of `spec` as an ES module importer sees it (the `import` condition).
    const probe = join(work, 'probe.mts');
    writeFileSync(probe, `import * as m from '${spec}';\nexport { m };\n`);
    const prog = ts.createProgram([probe], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
    });
    const c = prog.getTypeChecker();
    const decl = prog.getSourceFile(probe)?.statements.find((st) => ts.isImportDeclaration(st));
    const sym = decl && c.getSymbolAtLocation(decl.moduleSpecifier);
    if (!sym) throw new Error(`check-examples: cannot resolve ${spec} (build the packages first: npm run build)`);
    publicNames.set(
      spec,
      c.getExportsOfModule(sym).map((s) => s.name),
    );
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
  types: ['node', '@webgpu/types'],
  // An example shows a call, not type annotations: untyped callback parameters and catch variables are fine.
  noImplicitAny: false,
  useUnknownInCatchVariables: false,
};
const files = examples.map((e, i) => {
  // Names the example imports itself are not imported again.
  const own = new Set(
    [...e.text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}/g)].flatMap((m) =>
      m[1].split(',').map((n) =>
        n
          .trim()
          .split(/\s+as\s+/)
          .pop(),
      ),
    ),
  );
  const names = namesOf(e.spec).filter((n) => !own.has(n));
  const imports = names.length ? `import { ${names.join(', ')} } from '${e.spec}';\n` : '';
  const path = join(work, `example-${i}.mts`);
  return { ...e, path, imports };
});
// First pass: find free names; second pass: declare them as `any` and report what remains.
for (let pass = 0; pass < 2; pass++) {
  for (const f of files)
    writeFileSync(f.path, `${f.imports}${(f.free ?? []).map((n) => `declare const ${n}: any;\ntype ${n} = any;\n`).join('')}export {};\n${f.text}\n`);
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
