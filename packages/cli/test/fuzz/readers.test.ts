import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRsError } from '@rs/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { readResults } from '../../src/io/read-results.js';
import { verifyRows } from '../../src/io/verify-records.js';
import { cli, FIXTURE } from '../helpers.js';
import { checkOutputs, clean, count, report, runCase, SEED, snapshot } from './fuzz-helpers.js';

// Fuzzing the readers of the command line (issue #10): results TSV and JSON Lines logs mutated
// line by line and field by field (numbers, types, keys, order, line endings, truncation), read
// back by the validating parsers and the row verifier, and by analyze, merge and a resume through the
// command objects; .npy and IDX bytes mutated and loaded as --data / --labels. Each case ends in a
// result or an error of the project's own with a stable code, and the commands leave no partial write.

const CASES = 300;
const COMMAND_CASES = 60;
const root = mkdtempSync(join(tmpdir(), 'rsmooth-fuzz-readers-'));
const ref = (name: string) => join(root, 'ref', name);
const RUN = ['certify', ...FIXTURE, '--n0', '10', '--n', '100', '--max', '4', '--quiet'];

const ODD_VALUES: unknown[] = [-1, 0, 1, 2 ** 31, 2 ** 32, 1e15, 1e308, -0, 0.5, '0x10', 'abc', '', null, true, [], {}, [1, 2], '__proto__', 'NaN', 'Infinity'];
const ODD_FIELDS = ['-1', '0', '1', '1e0', '0x1', '-0.5', '1e308', 'NaN', '', ' 1', '9.999', '5.000', '2147483648', '0:00:01', 'x'];

/** A text-level mutation of a TSV or JSON Lines file. */
const textEdit = fc.record({
  kind: fc.constantFrom('field', 'field', 'json', 'json', 'swap', 'drop', 'dup', 'truncate', 'crlf', 'blank', 'junk'),
  line: fc.nat(),
  other: fc.nat(),
  at: fc.nat(),
  value: fc.nat(),
  key: fc.nat(),
});
type TextEdit = typeof textEdit extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, edits: TextEdit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const i = e.line % lines.length;
    switch (e.kind) {
      case 'field': {
        const fields = lines[i]!.split('\t');
        fields[e.at % fields.length] = ODD_FIELDS[e.value % ODD_FIELDS.length]!;
        lines[i] = fields.join('\t');
        break;
      }
      case 'json': {
        try {
          const rec = JSON.parse(lines[i]!) as Record<string, unknown>;
          const target = e.at % 3 === 0 && rec.settings && typeof rec.settings === 'object' ? (rec.settings as Record<string, unknown>) : rec;
          const keys = Object.keys(target);
          const key = e.key % 5 === 0 ? '__proto__' : keys[e.key % keys.length]!;
          if (e.value % 7 === 0) delete target[key];
          else target[key] = ODD_VALUES[e.value % ODD_VALUES.length];
          lines[i] = JSON.stringify(rec);
        } catch {
          lines[i] = `${lines[i]}}`;
        }
        break;
      }
      case 'swap': {
        const j = e.other % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 'drop':
        lines.splice(i, 1);
        break;
      case 'dup':
        lines.splice(i, 0, lines[i]!);
        break;
      case 'truncate':
        return lines.join('\n').slice(0, e.at % (lines.join('\n').length + 1));
      case 'crlf':
        lines = lines.map((l) => `${l}\r`);
        break;
      case 'blank':
        lines.splice(i, 0, '');
        break;
      case 'junk':
        lines[i] = `${lines[i]!.slice(0, e.at % (lines[i]!.length + 1))}\u0000{"type":`;
        break;
    }
  }
  return lines.join('\n');
}

/** Runs `read`; a project error is a fine ending, anything else fails the case. Returns the outcome. */
function ending(read: () => void): string {
  try {
    read();
    return 'read';
  } catch (err) {
    if (isRsError(err)) return err.code;
    throw new Error(`not a project error: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

beforeAll(async () => {
  mkdirSync(join(root, 'ref'));
  for (const [name, extra] of [
    ['c.tsv', []],
    ['s0.tsv', ['--shard', '0/2']],
    ['s1.tsv', ['--shard', '1/2']],
  ] as const) {
    const r = await cli([...RUN, ...extra, '--out', ref(name)]);
    expect(r.status, r.stderr).toBe(0);
  }
  const p = await cli(['predict', ...FIXTURE, '--n', '50', '--max', '3', '--quiet', '--out', ref('p.tsv')]);
  expect(p.status, p.stderr).toBe(0);
});

afterAll(() => clean(root));

describe('fuzz: readers of results files and logs', () => {
  it(`TSV + JSON Lines: ${CASES} mutated pairs through the parsers and the row verifier`, () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    const dir = join(root, 'parse');
    mkdirSync(dir);
    fc.assert(
      fc.property(
        fc.constantFrom('c.tsv', 's0.tsv', 'p.tsv'),
        fc.array(textEdit, { maxLength: 3 }),
        fc.array(textEdit, { maxLength: 3 }),
        (name, tsvEdits, logEdits) => {
          const tsv = join(dir, name);
          writeFileSync(tsv, mutate(readFileSync(ref(name), 'utf8'), tsvEdits));
          writeFileSync(`${tsv}.jsonl`, mutate(readFileSync(`${ref(name)}.jsonl`, 'utf8'), logEdits));
          count(
            outcomes,
            ending(() => {
              const { table, log } = readResults(tsv, { needLog: true });
              verifyRows(table.rows, log!, { settings: log!.settings, tsvPath: tsv, logPath: `${tsv}.jsonl` });
            }),
          );
        },
      ),
      { seed: SEED, numRuns: CASES },
    );
    report('results TSV + JSON Lines (readResults, verifyRows)', CASES, started, outcomes);
    expect(outcomes.get('read') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('RS_RECORD_MISMATCH') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('RS_MALFORMED_FILE') ?? 0).toBeGreaterThan(0);
  });

  it(`analyze, merge and resume on mutated files: ${COMMAND_CASES} cases through the command objects`, async () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    let caseNo = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('analyze', 'merge', 'resume'),
        fc.array(textEdit, { maxLength: 2 }),
        fc.array(textEdit, { maxLength: 2 }),
        async (command, tsvEdits, logEdits) => {
          const dir = join(root, `cmd-${caseNo++}`);
          mkdirSync(dir);
          const s0 = join(dir, 's0.tsv');
          const s1 = join(dir, 's1.tsv');
          const c = join(dir, 'c.tsv');
          copyFileSync(ref('s1.tsv'), s1);
          copyFileSync(`${ref('s1.tsv')}.jsonl`, `${s1}.jsonl`);
          const target = command === 'resume' ? c : s0;
          writeFileSync(target, mutate(readFileSync(ref(command === 'resume' ? 'c.tsv' : 's0.tsv'), 'utf8'), tsvEdits));
          writeFileSync(`${target}.jsonl`, mutate(readFileSync(`${ref(command === 'resume' ? 'c.tsv' : 's0.tsv')}.jsonl`, 'utf8'), logEdits));
          const argv =
            command === 'analyze'
              ? ['analyze', s0, s1, '--radii', '0:1:0.25']
              : command === 'merge'
                ? ['merge', s0, s1, '--out', join(dir, 'm.tsv')]
                : [...RUN, '--out', c];
          const before = snapshot(dir);
          const { outcome } = await runCase(argv);
          count(outcomes, `${command}: ${outcome}`);
          // A resume may append to its TSV and log (only after they checked out); nothing else changes.
          checkOutputs(dir, before, (p) => command === 'resume' && (p === c || p === `${c}.jsonl`));
          clean(dir);
        },
      ),
      { seed: SEED, numRuns: COMMAND_CASES },
    );
    report('analyze / merge / resume on mutated results', COMMAND_CASES, started, outcomes);
  });

  it(`.npy and IDX as --data / --labels: ${CASES} mutated files through loadData`, () => {
    const started = performance.now();
    const outcomes = new Map<string, number>();
    const dir = join(root, 'data');
    mkdirSync(dir);
    const x = readFileSync(FIXTURE[FIXTURE.indexOf('--data') + 1]!);
    const y = readFileSync(FIXTURE[FIXTURE.indexOf('--labels') + 1]!);
    const idx = Uint8Array.from([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = (base: Uint8Array) =>
      fc
        .tuple(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          fc.nat(3).map((k) => k === 0),
        )
        .map(([writes, cut, head]) => {
          const b = Uint8Array.from(base);
          for (const [at, v] of writes) b[head ? at % Math.min(160, b.length) : at % b.length] = v;
          return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
        });
    fc.assert(
      fc.property(fc.constantFrom('x', 'y', 'idx'), fc.constantFrom(x, y, idx).chain(bytes), (which, mutated) => {
        const p = join(dir, `${which}.bin`);
        writeFileSync(p, mutated);
        count(
          outcomes,
          ending(() => {
            loadData(
              which === 'y'
                ? { data: FIXTURE[FIXTURE.indexOf('--data') + 1]!, labels: p, split: 'test', scaleUint8: false }
                : { data: p, split: 'test', scaleUint8: true },
            );
          }),
        );
      }),
      { seed: SEED, numRuns: CASES },
    );
    report('.npy / IDX as --data and --labels (loadData)', CASES, started, outcomes);
  });
});
