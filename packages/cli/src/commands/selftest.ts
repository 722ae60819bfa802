import { availableParallelism } from 'node:os';
import { renameSync, writeFileSync } from 'node:fs';
import {
  createJsNoiseGenerator,
  createWasmNoiseGenerator,
  NOISE_FAMILIES,
  NOISE_KNOWN_ANSWER_SHA256,
  noiseSourceOf,
  runNoiseSelfTest,
  type NoiseFamily,
  type NoiseSelfTestReport,
  type NoiseSource,
} from '@rs/core';
import { createThreadedNoiseGenerator } from '@rs/core/node';
import { z } from 'zod';
import { formatOptions, intFlag, parseCommandArgs, seedFlag, type OptionSpec } from '../cli/args.js';
import { CliError } from '../errors.js';
import { checkOutputPath } from '../io/output-path.js';
import type { Command } from './command.js';

const GENERATORS = ['js', 'wasm', 'threaded', 'webgpu'] as const;
type GeneratorName = (typeof GENERATORS)[number];

const OPTIONS: OptionSpec = {
  draws: { type: 'string', help: 'draws per noise family and generator (default 10000000)', arg: 'N' },
  generators: { type: 'string', help: 'comma-separated: js, wasm, threaded, webgpu (default: every one available)', arg: 'LIST' },
  families: { type: 'string', help: 'comma-separated: gaussian, uniform, laplace (default all)', arg: 'LIST' },
  threads: { type: 'string', help: 'threads of the threaded generator (default: the cores, at most 8)', arg: 'N' },
  seed: { type: 'string', help: 'Philox key of the distribution tests (default 20241117)', arg: 'K' },
  json: { type: 'string', help: 'also write the full report (every test) as JSON (a new file; --force replaces one)', arg: 'PATH' },
  force: { type: 'boolean', help: 'let --json replace an existing file' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress on stderr' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

const list = <T extends string>(allowed: readonly T[]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .refine((xs) => xs.length > 0 && xs.every((x) => (allowed as readonly string[]).includes(x)), { error: `must list some of ${allowed.join(', ')}` })
    .transform((xs) => xs as T[]);

const schema = z
  .object({
    draws: intFlag(1_000_000).default(10_000_000),
    generators: list(GENERATORS).optional(),
    families: list(NOISE_FAMILIES).optional(),
    threads: intFlag(1, 256).optional(),
    seed: seedFlag.default('20241117'),
    json: z.string().min(1).optional(),
    force: z.boolean().default(false),
    quiet: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .strict();

/** A generator to test, or why it is not available here. */
type Candidate = { name: GeneratorName; source: NoiseSource; dispose?: () => void } | { name: GeneratorName; skipped: string };

async function openGenerators(names: readonly GeneratorName[], threads: number | undefined): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const name of names) {
    if (name === 'js') out.push({ name, source: noiseSourceOf(createJsNoiseGenerator()) });
    else if (name === 'wasm') {
      try {
        out.push({ name, source: noiseSourceOf(createWasmNoiseGenerator()) });
      } catch (err) {
        out.push({ name, skipped: (err as Error).message });
      }
    } else if (name === 'threaded') {
      const gen = createThreadedNoiseGenerator({ threads: threads ?? Math.min(availableParallelism(), 8) });
      out.push({ name, source: noiseSourceOf(gen), dispose: () => gen.dispose() });
    } else {
      // Optional: @rs/webgpu-native (and the webgpu package) may not be installed; no adapter is a skip, not a failure.
      try {
        const moduleName = '@rs/webgpu-native';
        const mod = (await import(moduleName)) as { WebGpuNoiseSource: { create(): Promise<NoiseSource & { dispose(): void }> } };
        const gpu = await mod.WebGpuNoiseSource.create();
        out.push({ name, source: gpu, dispose: () => gpu.dispose() });
      } catch (err) {
        out.push({ name, skipped: `${(err as Error).message.split('\n')[0]}` });
      }
    }
  }
  return out;
}

/**
 * The report as a table: one line per generator and family (the worst p-value of each kind of
 * test), then every failing test.
 */
export function formatSelfTest(report: NoiseSelfTestReport, skipped: { name: string; reason: string }[]): string {
  const p = (v: number | null | undefined) => (v === null || v === undefined ? '' : v < 1e-4 ? v.toExponential(1) : v.toFixed(4));
  const head = ['generator', 'family', 'KS D', 'KS p', 'chi2 p', 'moments p (min)', 'correlations p (min)', 'bits', 'known answer', 'result'];
  const lines: string[][] = [];
  const sources = Object.keys(report.digests);
  for (const source of sources) {
    const mine = report.rows.filter((r) => r.source === source);
    const digestOk = mine.find((r) => r.family === null)?.pass ?? false;
    for (const family of NOISE_FAMILIES) {
      const rows = mine.filter((r) => r.family === family);
      if (rows.length === 0) continue;
      const ks = rows.find((r) => r.test.startsWith('Kolmogorov'));
      const minP = (f: (t: string) => boolean) => Math.min(...rows.filter((r) => f(r.test)).map((r) => r.pValue ?? 1));
      const bits = rows.find((r) => r.test.startsWith('bitwise'));
      lines.push([
        source,
        family,
        ks?.value.replace('D = ', '') ?? '',
        p(ks?.pValue),
        p(rows.find((r) => r.test.startsWith('chi-square'))?.pValue),
        p(minP((t) => t.startsWith('E[x^'))),
        p(minP((t) => t.startsWith('correlation'))),
        bits?.pass ? 'equal' : 'DIFFER',
        digestOk ? 'ok' : 'WRONG',
        rows.every((r) => r.pass) && digestOk ? 'pass' : 'FAIL',
      ]);
    }
  }
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  const kat = report.rows.find((r) => r.source === 'philox4x32');
  const failed = report.rows.filter((r) => !r.pass);
  return [
    `noise self-test: ${report.draws.toLocaleString('en-US')} draws per family and generator, seed ${report.seed}, a test fails below p = ${report.threshold}`,
    `Philox4x32-10 Random123 known-answer vectors: ${kat?.value} ${kat?.pass ? 'ok' : 'WRONG'}; known-answer digest of the layout: ${NOISE_KNOWN_ANSWER_SHA256}`,
    '',
    row(head),
    row(width.map((w) => '-'.repeat(w))),
    ...lines.map(row),
    ...skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
    '',
    failed.length === 0
      ? `PASS: every test of ${sources.length} generator(s)`
      : `FAIL: ${failed.length} test(s)\n${failed.map((r) => `  ${r.source}${r.family ? ` ${r.family}` : ''}: ${r.test} = ${r.value}${r.pValue !== null ? ` (p = ${p(r.pValue)})` : ''}`).join('\n')}`,
  ].join('\n');
}

/**
 * `rsmooth selftest`: the noise self-test of every generator on this machine (JS reference, WASM
 * SIMD, threaded, WebGPU when an adapter exists); prints the table and exits 1 when a test fails.
 */
export const selftestCommand: Command = {
  name: 'selftest',
  options: OPTIONS,
  summary: 'known answers and distribution tests of every noise generator here (exit 1 on a failure)',
  usage: () => `Usage: rsmooth selftest [--draws 10000000] [--generators js,wasm,threaded,webgpu] [--families gaussian,uniform,laplace] [--json report.json]

Tests the random numbers certificates are made of, on every generator available here (the JS
reference, the WebAssembly SIMD kernel, the threaded generator of @rs/core/node, and the WebGPU
kernel of @rs/webgpu-native when it is installed and an adapter exists):
  - Philox4x32-10 against Random123's known-answer vectors;
  - each generator's known-answer digest: SHA-256 of its output for fixed requests in every noise
    family (standard values and fused noisy copies), which must be ${NOISE_KNOWN_ANSWER_SHA256.slice(0, 16)}...;
  - per noise family, on --draws values: Kolmogorov-Smirnov and chi-square (1024 bins) against the
    exact distribution, the first four raw moments, correlations at lags 1-4, at the next sample
    index and between input ids, and bitwise equality with the first generator.
A test fails below p = 1e-5. The certify log records each run's generator and its digest.

Options:
${formatOptions(OPTIONS)}`,
  async run(argv) {
    const { values } = parseCommandArgs('selftest', argv, OPTIONS, schema);
    if (values.help) {
      process.stdout.write(`${selftestCommand.usage()}\n`);
      return 0;
    }
    if (values.json !== undefined && checkOutputPath('selftest', '--json', values.json) && !values.force)
      throw new CliError(`rsmooth selftest: --json ${values.json} exists (pass --force to overwrite it)`, { code: 'RS_OUTPUT_EXISTS' });
    const candidates = await openGenerators(values.generators ?? GENERATORS, values.threads);
    const requested = values.generators !== undefined;
    const skipped = candidates.filter((c): c is { name: GeneratorName; skipped: string } => 'skipped' in c).map((c) => ({ name: c.name, reason: c.skipped }));
    if (requested && skipped.length > 0) throw new CliError(`rsmooth selftest: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`, 1);
    const open = candidates.filter((c): c is { name: GeneratorName; source: NoiseSource; dispose?: () => void } => 'source' in c);
    try {
      const families = (values.families ?? NOISE_FAMILIES) as NoiseFamily[];
      let last = 0;
      const report = await runNoiseSelfTest(
        open.map((c) => c.source),
        {
          draws: values.draws,
          families,
          seed: BigInt(values.seed),
          onProgress: values.quiet
            ? undefined
            : (p) => {
                const now = performance.now();
                if (now - last < 1000 && p.drawsDone < p.draws) return;
                last = now;
                process.stderr.write(`selftest: ${p.source}, ${p.family}: ${p.drawsDone.toLocaleString('en-US')} / ${p.draws.toLocaleString('en-US')}\n`);
              },
        },
      );
      process.stdout.write(`${formatSelfTest(report, skipped)}\n`);
      if (values.json) {
        // Written whole or not at all: a temporary file renamed over the target.
        const tmp = `${values.json}.tmp-${process.pid}`;
        writeFileSync(tmp, `${JSON.stringify({ ...report, seed: report.seed.toString(), skipped }, null, 2)}\n`);
        renameSync(tmp, values.json);
      }
      return report.pass ? 0 : 1;
    } finally {
      for (const c of open) c.dispose?.();
    }
  },
};
