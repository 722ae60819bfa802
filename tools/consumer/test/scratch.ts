import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The publishable packages, by folder under packages/. */
export const PACKAGES = ['core', 'datasets', 'defences', 'onnx-graph', 'onnx', 'tfjs', 'webgpu-native', 'queue', 'cli'] as const;
export type PackageDir = (typeof PACKAGES)[number];

/** The version the workspace has installed of a registry package, to install the same one. */
export function workspaceVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The environment of a command run as a stranger would: no npm_config_* of this repository's npm
 * run, and no colours (Nx sets FORCE_COLOR; the tests read the commands' output).
 */
export function strangerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'FORCE_COLOR'));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command; returns status, output and seconds. */
export function sh(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: o.cwd, env: o.env ?? strangerEnv(), encoding: 'utf8', timeout: o.timeout ?? 240_000, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: (performance.now() - t0) / 1000, error: r.error };
}

/**
 * `npm pack`s every package from the workspace (each `prepack` builds it) into `dest`; returns the
 * tarball path of each.
 */
export function packAll(dest: string): Record<PackageDir, string> {
  mkdirSync(dest, { recursive: true });
  const args = ['pack', ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`]), '--pack-destination', dest];
  // Nx's cache on: the test target built every package first (^build), so each prepack finds its
  // outputs in place and leaves them as they are (no rebuild under the other packages' running tests).
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false' };
  delete env.NX_SKIP_NX_CACHE;
  const r = sh('npm', args, { cwd: ROOT, env, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`npm pack failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  const out = {} as Record<PackageDir, string>;
  for (const p of PACKAGES) {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', p, 'package.json'), 'utf8')) as { name: string; version: string };
    out[p] = join(dest, `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`);
    statSync(out[p]);
  }
  return out;
}

/** Size of a file in KiB, one decimal. */
export function kib(path: string): string {
  return `${(statSync(path).size / 1024).toFixed(1)} KiB`;
}

/**
 * A scratch project outside the workspace with the given tarballs and registry packages installed
 * by `npm install`, as the README says (onnxruntime-node's CUDA download skipped by its
 * environment variable, not by this repository's .npmrc). Returns its folder and install time.
 */
export function scratchProject(dir: string, tarballs: string[], registry: string[]): { dir: string; seconds: number; install: string } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2));
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...registry];
  const r = sh('npm', args, { cwd: dir, env: strangerEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' }), timeout: 600_000 });
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  const names = tarballs.map((t) =>
    t
      .split('/')
      .pop()!
      .replace(/-\d+\.\d+\.\d+\.tgz$/, '')
      .replace(/^rs-/, '@rs/'),
  );
  return { dir, seconds: r.seconds, install: `npm install ${[...names, ...registry.map((r) => r.replace(/@[^@]+$/, ''))].join(' ')}` };
}

/** Copies the bundled model, its TF.js twin and images (packages/cli/assets) where the examples read them. */
export function copyAssets(dir: string): void {
  const assets = join(ROOT, 'packages/cli/assets');
  for (const f of ['model.onnx', 'x.npy', 'y.npy']) copyFileSync(join(assets, f), join(dir, f));
  cpSync(join(assets, 'tfjs'), join(dir, 'tfjs'), { recursive: true });
}

/** The example file (examples/NAME.ts) with its types stripped, written as NAME.mjs into `dir`. */
export function writeExample(dir: string, name: string): string {
  const source = readFileSync(join(ROOT, 'examples', `${name}.ts`), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return file;
}

/**
 * Type-checks `files` in `dir` as a strict consumer: tsc --strict with skipLibCheck false (every
 * .d.ts a file reaches is checked), module nodenext, lib es2022 (plus dom with `dom`: the WebGPU and
 * TF.js and ONNX Runtime typings need it). Returns the error lines: `upstream` those in files under
 * `upstreamPaths` (default TF.js's own declarations, `node_modules/@tensorflow/`, which fail any strict
 * consumer of @tensorflow/tfjs 4.22), `errors` every other one (the packages' declarations, what
 * they reach, the consumer's files).
 */
export function typeCheck(
  dir: string,
  name: string,
  files: string[],
  { dom = false, upstreamPaths = ['node_modules/@tensorflow/'] } = {},
): { ok: boolean; errors: string[]; upstream: string[]; seconds: number } {
  const config = {
    compilerOptions: {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: dom ? ['es2022', 'dom'] : ['es2022'],
      types: ['node'],
    },
    files,
  };
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
  const r = sh(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${name}.json`], { cwd: dir });
  const all = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  const upstream = all.filter((l) => upstreamPaths.some((p) => l.startsWith(p)));
  const errors = all.filter((l) => !upstream.includes(l));
  return { ok: errors.length === 0, errors, upstream, seconds: r.seconds };
}
