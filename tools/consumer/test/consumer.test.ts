import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAssets, kib, PACKAGES, type PackageDir, packAll, ROOT, scratchProject, sh, typeCheck, workspaceVersion, writeExample } from './scratch.js';

// The packages as a stranger gets them: `npm pack` (each prepack builds), then `npm install` of the
// tarballs and registry packages into projects in a temporary folder outside the workspace, one per
// README install line. There: the README's examples (examples/*.ts), a strict TypeScript consumer per
// package (skipLibCheck false), require() from CommonJS, rsmooth, and publint / attw on each tarball.
const work = mkdtempSync(join(tmpdir(), 'rs-consumer-'));
afterAll(() => {
  if (!process.env.RS_KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
});
const v = (name: string) => `${name}@${workspaceVersion(name)}`;
const hasSwiftShaderOrGpu = existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') || existsSync('/usr/share/vulkan/icd.d');

/** One row per package of the table printed at the end. */
const table = new Map<PackageDir, Record<string, string>>(PACKAGES.map((p) => [p, {}]));
const note = (p: PackageDir, column: string, value: string) => {
  table.get(p)![column] = value;
};
let tarballs: Record<PackageDir, string>;
const started = performance.now();

beforeAll(() => {
  const t0 = performance.now();
  tarballs = packAll(join(work, 'tarballs'));
  console.log(`npm pack of ${PACKAGES.length} packages (prepack builds each): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const p of PACKAGES) {
    note(p, 'tarball', kib(tarballs[p]));
    console.log(`  ${tarballs[p].split('/').pop()}: ${kib(tarballs[p])}`);
  }
}, 900_000);

afterAll(() => {
  const columns = ['tarball', 'install', 'example', 'type-check', 'require()', 'publint', 'attw'];
  const lines = [`| package | ${columns.join(' | ')} |`, `| --- | ${columns.map(() => '---').join(' | ')} |`];
  for (const [p, row] of table) lines.push(`| @rs/${p} | ${columns.map((c) => row[c] ?? '-').join(' | ')} |`);
  console.log(`\n${lines.join('\n')}\n\nconsumer test: ${((performance.now() - started) / 1000).toFixed(0)} s in all (${work})`);
});

/** Runs an example of examples/ in a project; returns its output. */
function runExample(dir: string, name: string): string {
  const file = writeExample(dir, name);
  const r = sh(process.execPath, [file], { cwd: dir, timeout: 180_000 });
  expect(r.status, `${name} example failed:\n${r.stderr.slice(-3000)}`).toBe(0);
  console.log(`examples/${name}.ts: ${r.seconds.toFixed(1)} s\n${r.stdout.trim()}`);
  return r.stdout;
}

describe('@rs/core alone', () => {
  let dir: string;
  beforeAll(() => {
    const p = scratchProject(join(work, 'core'), [tarballs.core], []);
    dir = p.dir;
    note('core', 'install', `\`${p.install}\` (${p.seconds.toFixed(0)} s)`);
  }, 600_000);

  it('runs examples/core.ts: the certified radius of a linear model, below the exact one', () => {
    const out = runExample(dir, 'core');
    const [, radius, exact] = /certified radius ([\d.]+) \(exact: ([\d.]+)\)/.exec(out) ?? [];
    expect(Number(radius)).toBeGreaterThan(1.3);
    expect(Number(radius)).toBeLessThan(Number(exact));
    note('core', 'example', 'core.ts ok');
  });
});

describe('@rs/core + @rs/onnx (+ @rs/cli)', () => {
  let dir: string;
  beforeAll(() => {
    const p = scratchProject(
      join(work, 'onnx'),
      [tarballs.core, tarballs['onnx-graph'], tarballs.onnx, tarballs.datasets, tarballs.defences, tarballs.queue, tarballs.cli],
      [v('onnxruntime-node')],
    );
    dir = p.dir;
    copyAssets(dir);
    for (const k of ['onnx', 'onnx-graph', 'datasets', 'queue', 'cli'] as const) note(k, 'install', `\`${p.install}\` (${p.seconds.toFixed(0)} s)`);
  }, 600_000);

  it('runs examples/onnx.ts: certify, smoothed gradient, fit, save', () => {
    const out = runExample(dir, 'onnx');
    expect(out).toMatch(/labels \[ 9, 2, 1, 1 \] predictions \[ 9, 2, 1, 1 \]/);
    expect(existsSync(join(dir, 'trained.onnx'))).toBe(true);
    note('onnx', 'example', 'onnx.ts ok');
    note('datasets', 'example', 'readNpyFile in the examples');
  });

  it('npx rsmooth certifies the bundled default, and names a backend that is not installed with its install line', () => {
    const r = sh('npx', ['--no-install', 'rsmooth', 'certify', '--max', '2', '--n', '1000', '--quiet'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t9\t9\t/);
    const tfjs = sh('npx', ['--no-install', 'rsmooth', 'certify', '--backend', 'tfjs', '--max', '1'], { cwd: dir });
    expect(tfjs.status).toBe(2);
    expect(tfjs.stderr).toMatch(
      /error: backend 'tfjs' needs '@rs\/tfjs' and '@tensorflow\/tfjs', which are not installed; install it with: npm install @rs\/tfjs @tensorflow\/tfjs @tensorflow\/tfjs-backend-wasm/,
    );
    const help = sh('npx', ['--no-install', 'rsmooth', '--help'], { cwd: dir });
    expect(help.stdout).toMatch(
      /Backends \(--backend\): auto, onnx, tfjs \(not installed: npm install @rs\/tfjs .*\), webgpu \(not installed: npm install @rs\/webgpu-native webgpu\)/,
    );
    note('cli', 'example', '`npx rsmooth certify` ok; `--backend tfjs` names the install line');
  });
});

describe('@rs/core + @rs/tfjs (wasm)', () => {
  let dir: string;
  beforeAll(() => {
    const p = scratchProject(
      join(work, 'tfjs'),
      [tarballs.core, tarballs.tfjs, tarballs.datasets],
      [v('@tensorflow/tfjs'), v('@tensorflow/tfjs-backend-wasm')],
    );
    dir = p.dir;
    copyAssets(dir);
    note('tfjs', 'install', `\`${p.install}\` (${p.seconds.toFixed(0)} s)`);
  }, 600_000);

  it('runs examples/tfjs.ts: certify with the TF.js CNN on wasm, train a dense model on wasm', () => {
    const out = runExample(dir, 'tfjs');
    expect(out).toMatch(/wasm predictions \[ 9, 2 \]/);
    const losses = /epoch losses \[ '([\d.]+)', '([\d.]+)', '([\d.]+)' \]/.exec(out);
    expect(losses, out).not.toBeNull();
    expect(Number(losses![3])).toBeLessThan(Number(losses![1]));
    note('tfjs', 'example', 'tfjs.ts ok (wasm)');
  });
});

describe('@rs/core + @rs/webgpu-native', () => {
  let dir: string;
  beforeAll(() => {
    const p = scratchProject(join(work, 'webgpu'), [tarballs.core, tarballs['onnx-graph'], tarballs['webgpu-native'], tarballs.datasets], [v('webgpu')]);
    dir = p.dir;
    copyAssets(dir);
    note('webgpu-native', 'install', `\`${p.install}\` (${p.seconds.toFixed(0)} s)`);
  }, 600_000);

  it.skipIf(!hasSwiftShaderOrGpu)(
    `runs examples/webgpu.ts: certify with the Monte Carlo loop on the device${hasSwiftShaderOrGpu ? '' : ' (skipped: no Vulkan driver; apt-get install libvulkan1 chromium-common)'}`,
    () => {
      const out = runExample(dir, 'webgpu');
      expect(out).toMatch(/predictions \[ 9, 2 \]/);
      note('webgpu-native', 'example', `webgpu.ts ok (${/^(\S+\/\S+)/m.exec(out)?.[1] ?? 'adapter'})`);
    },
  );
});

describe('every package, installed together', () => {
  let dir: string;
  beforeAll(() => {
    const registry = ['onnxruntime-node', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'webgpu', 'typescript', '@types/node', 'vitest'].map(v);
    dir = scratchProject(
      join(work, 'all'),
      PACKAGES.map((p) => tarballs[p]),
      registry,
    ).dir;
    writeFileSync(
      join(dir, 'check-cjs.cts'),
      `${PACKAGES.map((p, i) => `import m${i} = require('@rs/${p}');`).join('\n')}\nexport const names: string[] = [${PACKAGES.map((_, i) => `...Object.keys(m${i})`).join(', ')}];\n`,
    );
  }, 600_000);

  // Type errors in our own declarations a strict consumer may still see, by package: none (the
  // onnx-proto `Long` types were replaced by @bufbuild/protobuf's, the mixin classes are declared
  // types). Any error in our declarations fails, and so does a pattern here that no longer matches.
  const KNOWN: Partial<Record<PackageDir | 'cjs', RegExp[]>> = {};
  KNOWN.cjs = [...new Set(Object.values(KNOWN).flat())];
  const checks: Record<PackageDir, { imports: string[]; example?: string; dom?: boolean }> = {
    core: { imports: ['@rs/core', '@rs/core/node', '@rs/core/testing'], example: 'core' },
    datasets: { imports: ['@rs/datasets'] },
    defences: { imports: ['@rs/defences'] },
    'onnx-graph': { imports: ['@rs/onnx-graph'] },
    onnx: { imports: ['@rs/onnx'], example: 'onnx', dom: true },
    tfjs: { imports: ['@rs/tfjs'], example: 'tfjs', dom: true },
    'webgpu-native': { imports: ['@rs/webgpu-native', '@rs/webgpu-native/engine'], example: 'webgpu', dom: true },
    queue: { imports: ['@rs/queue', '@rs/queue/testing'] },
    cli: { imports: ['@rs/cli'] },
  };

  /** Checks a result against KNOWN; returns the table cell. */
  function judge(id: PackageDir | 'cjs', r: ReturnType<typeof typeCheck>, what: string): string {
    const codes = (lines: string[]) => [...new Set(lines.map((e) => /error (TS\d+)/.exec(e)![1]))].join(', ');
    if (r.errors.length) console.log(`${id}: ${r.errors.length} type errors, first:\n${r.errors.slice(0, 4).join('\n')}`);
    if (r.upstream.length) console.log(`${id}: ${r.upstream.length} errors upstream, first:\n${r.upstream.slice(0, 2).join('\n')}`);
    const known = KNOWN[id] ?? [];
    expect(r.errors.filter((e) => !known.some((k) => k.test(e)))).toEqual([]);
    for (const k of known)
      expect(
        r.errors.some((e) => k.test(e)),
        `${k} no longer happens for ${id}: remove it from KNOWN`,
      ).toBe(true);
    const upstream = r.upstream.length
      ? `; upstream (TF.js's own .d.ts${id === 'cjs' ? ', @webgpu/types 0.1.38 vs 0.1.74' : ''}): ${r.upstream.length} (${codes(r.upstream)})`
      : '';
    return `${r.ok ? `ok${what}` : `${r.errors.length} known errors (${codes(r.errors)})`}${upstream}`;
  }

  it.each(PACKAGES)('a strict TypeScript consumer of @rs/%s type-checks (skipLibCheck: false), except the known errors', (p) => {
    const c = checks[p];
    const file = `check-${p}.ts`;
    writeFileSync(
      join(dir, file),
      `${c.imports.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\nexport const names: string[] = [${c.imports.map((_, i) => `...Object.keys(m${i})`).join(', ')}];\n`,
    );
    const files = [file];
    if (c.example) {
      copyFileSync(join(ROOT, 'examples', `${c.example}.ts`), join(dir, `${c.example}.ts`));
      files.push(`${c.example}.ts`);
    }
    const r = typeCheck(dir, p, files, { dom: c.dom ?? false });
    note(p, 'type-check', judge(p, r, c.example ? ` (+ examples/${c.example}.ts)` : ''));
  });

  it('a CommonJS TypeScript consumer (module nodenext: require of ES modules) type-checks, except the known errors', () => {
    // With @rs/tfjs and @rs/webgpu-native in one program, TF.js's pinned @webgpu/types 0.1.38 and
    // webgpu's 0.1.74 declare the same globals differently: counted with TF.js's own errors.
    const r = typeCheck(dir, 'cjs', ['check-cjs.cts'], { dom: true, upstreamPaths: ['node_modules/@tensorflow/', 'node_modules/@webgpu/types/'] });
    console.log(`CommonJS consumer of every package: ${judge('cjs', r, '')}`);
  });

  it.each(PACKAGES)("require('@rs/%s') works from CommonJS, and says what it needs on a Node without require(esm)", (p) => {
    const code = `const m = require('@rs/${p}'); console.log(Object.keys(m).length);`;
    const r = sh(process.execPath, ['-e', code], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(Number(r.stdout)).toBeGreaterThan(0);
    const old = sh(process.execPath, ['--no-experimental-require-module', '-e', code], { cwd: dir });
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(
      new RegExp(`@rs/${p} is an ES module and this Node\\.js \\(v[\\d.]+\\) cannot require\\(\\) ES modules: use Node >= 20\\.19 or >= 22\\.12`),
    );
    note(p, 'require()', `ok (${r.stdout.trim()} exports)`);
  });

  it.each(PACKAGES)('publint and attw find nothing in the @rs/%s tarball', (p) => {
    const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
    const lint = sh(bin('publint'), ['run', tarballs[p], '--strict'], { cwd: dir });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toMatch(/All good!/);
    note(p, 'publint', 'clean');
    const attw = sh(bin('attw'), [tarballs[p], '--format', 'ascii', '--no-emoji', '--no-color'], { cwd: dir });
    expect(attw.status, attw.stdout + attw.stderr).toBe(0);
    expect(attw.stdout).toMatch(/No problems found/);
    note(p, 'attw', 'no problems (node10, node16 CJS/ESM, bundler)');
  });
});
