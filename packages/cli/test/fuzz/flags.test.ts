import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '@rs/datasets';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { cli, FIXTURE, MODEL, X, Y } from '../helpers.js';
import { checkOutputs, clean, count, report, runCase, SEED, snapshot } from './fuzz-helpers.js';

// Fuzzing the command line (issue #10): generated flag vectors for every command, run in this
// process through the command objects. Each vector starts from a valid command line or from
// nothing, then flags are set to odd values, added, dropped, repeated or misspelt. Every case must
// end in exit status 0 or an error of the project's own with a stable code, settle, leave no partial
// write, temporary file or lock, and leave every file it did not create as it was.

const CASES_PER_COMMAND = 50;
/** The self-test draws 10^6 values per family and generator even at its smallest: fewer cases keep the suite bounded. */
const casesOf = (command: string) => (command === 'selftest' ? 12 : CASES_PER_COMMAND);
const root = mkdtempSync(join(tmpdir(), 'rsmooth-fuzz-flags-'));
const inputs = join(root, 'inputs');
const f = (name: string) => join(inputs, name);

/** Values each flag may take: valid ones and the odd ones users write. Flags not listed get GENERIC. */
const GENERIC = ['', '0', '1', '2', '-1', '0.5', '2147483648', '0x10', 'NaN', 'Infinity', 'abc', '3/3', '1/2', '0:1', ' 7', '1_000', '-'];
function pools(dir: string): Record<string, string[]> {
  const mine = (name: string) => join(dir, name);
  return {
    model: [MODEL, mine('precious.txt'), mine('adir'), '/dev/null', mine('nope.onnx')],
    data: [X, f('u8.npy'), f('nan.npy'), f('wrong.npy'), 'fashion-mnist', '/dev/zero', mine('nope.npy'), mine('precious.txt')],
    labels: [Y, f('big-labels.npy'), f('three.npy'), X, mine('adir')],
    sigma: ['0.25', '0.5', '1e-9', '100', '0x10', '-1', 'NaN'],
    // Only small valid sample counts: a case must stay cheap (n = 1e9 would be valid and slow).
    n: ['10', '50', '100', '9', '0', '2147483648', '1.5', 'x'],
    n0: ['1', '10', '50', '0', '-3'],
    alpha: ['0.001', '0.01', '0.49', '0.5', '1e-300', 'abc'],
    batch: ['1', '7', '100', '1000', '1e9', '0', '1e99'],
    seed: ['0', '7', '18446744073709551615', '18446744073709551616', '-4'],
    skip: ['1', '2', '5', '100', '0', '1e12'],
    max: ['1', '2', '0', '-1'],
    shard: ['0/2', '1/2', '0/1', '2/2', '1/0', 'a/b'],
    group: ['1', '2', '3', '0', '100000'],
    out: [mine('new.tsv'), mine('done.tsv'), mine('precious.txt'), mine('adir'), '/dev/null', '-', mine('nodir/x.tsv'), mine('done.tsv.jsonl'), MODEL],
    log: [mine('new.jsonl'), mine('precious.txt'), mine('done.tsv.jsonl'), mine('new.tsv'), mine('nodir/x.jsonl'), '-'],
    clip: ['0:1', '0:255', '1:0', '-1:2', '0x0:1', ':'],
    threads: ['1', '2', '0', '2000'],
    device: ['cpu', 'gpu', 'tpu'],
    backend: ['onnx', 'tfjs', 'webgpu', '__proto__', 'torch'],
    split: ['test', 'train', 'val'],
    epochs: ['1', '0', '-1'],
    lr: ['0.001', '1e9', '-1', '0'],
    optimizer: ['adam', 'sgd', 'rmsprop'],
    eval: ['0', '5', '-1'],
    radii: ['0:1:0.25', '0,0.5', '1:0:1', '0:1e9:1e-9', '0:1'],
    format: ['md', 'csv', 'latex', 'html'],
    names: ['a', 'a,b', '', 'a,b,c'],
    rho: ['0.001', '2', '0'],
    plot: [mine('c.svg'), mine('adir'), mine('c.pdf'), mine('precious.txt'), mine('c.png')],
    title: ['t', '<script>&', ''],
    // Never a URL that could reach a server: a queue command must fail on the URL itself.
    queue: ['notaurl', 'http://127.0.0.1:1', '', 'redis:/x'],
    attempts: ['1', '3', '0', '-1'],
    noise: ['gaussian', 'uniform', 'laplace', 'cauchy'],
    norm: ['l1', 'l2', 'linf', 'l3'],
    radius: ['one-sided', 'top-two', 'both'],
    'sound-levels': ['255', '1', '0', '65536'],
    // The self-test must stay cheap: a few draws only (its default is 10^7 per family and generator).
    draws: ['1000000', '1200000', '65536', '0', '-5', 'x', '1.5'],
    generators: ['js', 'wasm', 'js,wasm', 'gpu', ''],
    families: ['gaussian', 'uniform,laplace', 'cauchy', ''],
    json: [mine('report.json'), mine('precious.txt'), mine('adir')],
  };
}

/** A valid, cheap command line per command (the fuzzer's starting points). */
function bases(dir: string): Record<string, string[]> {
  return {
    certify: [...FIXTURE, '--n0', '10', '--n', '100', '--max', '1', '--quiet', '--out', join(dir, 'new.tsv')],
    predict: [...FIXTURE, '--n', '50', '--max', '2', '--quiet', '--out', join(dir, 'new.tsv')],
    train: [...FIXTURE, '--epochs', '1', '--batch', '10', '--max', '10', '--eval', '0', '--quiet', '--out', join(dir, 't.onnx')],
    analyze: [f('a.tsv'), '--radii', '0:1:0.5'],
    merge: [f('s0.tsv'), f('s1.tsv'), '--out', join(dir, 'm.tsv')],
    demo: ['--n', '100', '--max', '1', '--quiet', '--threads', '1'],
    selftest: ['--draws', '1000000', '--generators', 'wasm', '--families', 'gaussian', '--quiet'],
    // worker and queue start from nothing: no URL in the pools reaches a server.
  };
}
const POSITIONALS = [f('a.tsv'), f('s0.tsv'), f('s1.tsv'), f('done.tsv'), f('mutated.tsv'), f('nope.tsv'), '/dev/null', MODEL, inputs];

const edit = fc.record({
  kind: fc.constantFrom('set', 'set', 'add', 'drop', 'repeat', 'unknown', 'bare'),
  flag: fc.nat(),
  value: fc.nat(),
});

beforeAll(async () => {
  mkdirSync(inputs);
  writeFileSync(f('u8.npy'), writeNpy({ dtype: 'uint8', shape: [20, 784], data: new Uint8Array(20 * 784).fill(100) }));
  const nan = new Float32Array(20 * 784);
  nan[784 * 3 + 1] = Number.NaN;
  writeFileSync(f('nan.npy'), writeNpy({ dtype: 'float32', shape: [20, 1, 28, 28], data: nan }));
  writeFileSync(f('wrong.npy'), writeNpy({ dtype: 'float32', shape: [20, 10], data: new Float32Array(200) }));
  const big = new BigInt64Array(20).fill(1n);
  big[0] = 2n ** 40n;
  writeFileSync(f('big-labels.npy'), writeNpy({ dtype: 'int64', shape: [20], data: big }));
  writeFileSync(f('three.npy'), writeNpy({ dtype: 'int32', shape: [3], data: new Int32Array([0, 1, 2]) }));
  writeFileSync(f('a.tsv'), 'idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\t0.500\t1\t0:00:01\n1\t2\t-1\t0.000\t0\t0:00:01\n');
  writeFileSync(f('mutated.tsv'), 'idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\t-0.5\t1\t0:00:01\n');
  const run = ['certify', ...FIXTURE, '--n0', '10', '--n', '100', '--max', '2', '--quiet'];
  for (const [name, extra] of [
    ['done.tsv', []],
    ['s0.tsv', ['--shard', '0/2']],
    ['s1.tsv', ['--shard', '1/2']],
  ] as const) {
    const r = await cli([...run, ...extra, '--out', f(name)]);
    expect(r.status, r.stderr).toBe(0);
  }
});

afterAll(() => clean(root));

describe('fuzz: flag vectors for every command, in process', () => {
  const commands = COMMANDS.filter((c) => c.options);
  it('every command declares its flags', () => {
    expect(commands.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
  });

  for (const command of commands) {
    it(`${command.name}: ${casesOf(command.name)} generated command lines`, async () => {
      const started = performance.now();
      const outcomes = new Map<string, number>();
      const flags = Object.keys(command.options!);
      let caseNo = 0;
      await fc.assert(
        fc.asyncProperty(fc.boolean(), fc.array(edit, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 3 }), async (fromBase, edits, positionals) => {
          const dir = join(root, `${command.name}-${caseNo++}`);
          mkdirSync(join(dir, 'adir'), { recursive: true });
          writeFileSync(join(dir, 'precious.txt'), 'notes no one may overwrite\n');
          copyFileSync(f('done.tsv'), join(dir, 'done.tsv'));
          copyFileSync(f('done.tsv.jsonl'), join(dir, 'done.tsv.jsonl'));
          const pool = pools(dir);
          const argv = fromBase ? [...(bases(dir)[command.name] ?? [])] : [];
          for (const e of edits) {
            const flag = flags[e.flag % flags.length]!;
            const spec = command.options![flag]!;
            const values = pool[flag] ?? GENERIC;
            const value = values[e.value % values.length]!;
            const at = argv.indexOf(`--${flag}`);
            if (e.kind === 'set' && at >= 0 && spec.type === 'string') argv[at + 1] = value;
            else if (e.kind === 'drop' && at >= 0) argv.splice(at, spec.type === 'string' ? 2 : 1);
            else if (e.kind === 'unknown') argv.push(['--bogus', '-x', '--n=5', `--${flag}=${value}`, '--'][e.value % 5]!);
            else if (e.kind === 'bare') argv.push(`--${flag}`);
            else if (e.kind === 'repeat' || e.kind === 'add' || e.kind === 'set') argv.push(`--${flag}`, ...(spec.type === 'string' ? [value] : []));
          }
          if (command.name === 'analyze' || command.name === 'merge') argv.push(...positionals.map((p) => POSITIONALS[p % POSITIONALS.length]!));
          // Keep every case cheap: at most a few inputs and a bounded n, however the flags came out.
          if (['certify', 'predict', 'demo', 'train'].includes(command.name)) {
            if (!argv.includes('--max')) argv.push('--max', command.name === 'train' ? '10' : '2');
            if (command.name !== 'train' && !argv.includes('--n')) argv.push('--n', '100');
            if (!argv.includes('--threads')) argv.push('--threads', '1');
          }
          if (command.name === 'selftest') {
            if (!argv.includes('--draws')) argv.push('--draws', '1000000');
            if (!argv.includes('--generators')) argv.push('--generators', 'wasm');
          }
          const before = snapshot(dir);
          const { outcome } = await runCase([command.name, ...argv]);
          count(outcomes, outcome);
          const force = argv.includes('--force');
          const outs = new Set(argv.filter((_, i) => ['--out', '--log', '--plot'].includes(argv[i - 1] ?? '')));
          // A run may write its own outputs (resuming done.tsv appends to it); --force may replace them.
          checkOutputs(dir, before, (p) =>
            outs.has(p) || [...outs].some((o) => p === `${o}.jsonl` || p === `${o}.json`) ? force || !p.endsWith('precious.txt') : false,
          );
          clean(dir);
        }),
        { seed: SEED, numRuns: casesOf(command.name) },
      );
      report(`flags of rsmooth ${command.name}`, casesOf(command.name), started, outcomes);
      expect(outcomes.get('status 0') ?? 0).toBeGreaterThan(0); // the generator reaches working command lines too
    });
  }
});
