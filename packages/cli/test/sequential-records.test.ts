import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE, tempDir } from './helpers.js';

// A sequential run's rows are recomputed from their log records on resume and merge, as fixed-n
// rows are: core's sequentialCertificateFromCounts replays each record's checkpoint hits.

const dir = tempDir();
const path = (name: string) => join(dir, name);
const RUN = ['certify', ...FIXTURE, '--n0', '50', '--n', '4000', '--batch', '500', '--seed', '5', '--quiet', '--sequential', '--radius', '0.25'];
const lines = (p: string) => readFileSync(p, 'utf8').split('\n');
const setField = (line: string, i: number, v: string) =>
  line
    .split('\t')
    .map((f, j) => (j === i ? v : f))
    .join('\t');

async function refused(argv: string[], message: RegExp, untouched: string[] = []) {
  const before = untouched.map((p) => readFileSync(p, 'utf8'));
  const r = await cli(argv);
  expect(r.error?.message ?? `(no error; status ${r.status})`).toMatch(message);
  expect(r.error?.code).toBe('RS_RECORD_MISMATCH');
  untouched.forEach((p, i) => {
    expect(readFileSync(p, 'utf8')).toBe(before[i]);
  });
}

describe('sequential records are recomputed on resume and merge', () => {
  const ref = path('ref.tsv');
  const copy = (name: string, edit: { tsv?: (l: string[]) => string[]; log?: (l: string[]) => string[] }) => {
    const p = path(name);
    writeFileSync(p, (edit.tsv ?? ((l) => l))(lines(ref)).join('\n'));
    writeFileSync(`${p}.jsonl`, (edit.log ?? ((l) => l))(lines(`${ref}.jsonl`)).join('\n'));
    return p;
  };
  /** Edits the record on log line `i` (1-based record index) with `f`. */
  type Rec = { radius: number; samplesUsed: number; sequential: { checkpointHits: number[]; stopReason: string } };
  const editRecord = (i: number, f: (rec: Rec) => void) => (l: string[]) =>
    l.map((x, j) => {
      if (j !== i) return x;
      const rec = JSON.parse(x);
      f(rec);
      return JSON.stringify(rec);
    });

  it('the reference run records the checkpoint hits, and an unchanged copy resumes as complete', async () => {
    const r = await cli([...RUN, '--max', '4', '--out', ref]);
    expect(r.status, r.stderr).toBe(0);
    const recs = lines(`${ref}.jsonl`)
      .slice(1)
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
    expect(recs).toHaveLength(4);
    for (const rec of recs) {
      expect(rec.sequential.checkpointHits.at(-1)).toBe(rec.nA);
      expect(rec.estimationCounts.reduce((a: number, b: number) => a + b, 0)).toBe(rec.samplesUsed);
    }
    const again = await cli([...RUN, '--max', '4', '--out', copy('same.tsv', {})]);
    expect(again.status, again.error?.message).toBe(0);
  });

  it('an edited radius in the TSV is refused on resume, naming the line', async () => {
    const p = copy('edited.tsv', { tsv: (l) => l.map((x, i) => (i === 2 ? setField(x, 3, '9.999') : x)) });
    await refused([...RUN, '--max', '4', '--out', p], /edited\.tsv, line 3: radius 9\.999 but its log record .* gives radius/, [p, `${p}.jsonl`]);
  });

  it('a radius edited in both the TSV and the record is refused: the checkpoint hits do not give it', async () => {
    const p = copy('both.tsv', {
      tsv: (l) => l.map((x, i) => (i === 1 ? setField(x, 3, '2.000') : x)),
      log: editRecord(1, (rec) => {
        rec.radius = 2;
      }),
    });
    await refused([...RUN, '--max', '4', '--out', p], /both\.tsv\.jsonl, line 2: radius 2 does not follow from pALower/, [p, `${p}.jsonl`]);
  });

  it('edited checkpoint hits, samplesUsed or stop reason are refused', async () => {
    const hits = copy('hits.tsv', {
      log: editRecord(1, (rec) => {
        const h = rec.sequential.checkpointHits;
        h[0] = Math.max(0, h[0]! - 5); // fewer hits early: pALower no longer follows (or the stop moves)
      }),
    });
    await refused([...RUN, '--max', '4', '--out', hits], /hits\.tsv\.jsonl, line 2: (nA|pALower|pAUpper|its checkpoint hits|stopReason)/);
    const used = copy('used.tsv', {
      log: editRecord(1, (rec) => {
        rec.samplesUsed += 1;
      }),
    });
    await refused([...RUN, '--max', '4', '--out', used], /used\.tsv\.jsonl, line 2: its estimation counts add up to \d+, not samplesUsed/);
    const reason = copy('reason.tsv', {
      log: editRecord(1, (rec) => {
        rec.sequential.stopReason = rec.sequential.stopReason === 'futile' ? 'certified' : 'futile';
      }),
    });
    await refused([...RUN, '--max', '4', '--out', reason], /reason\.tsv\.jsonl, line 2: stopReason '\w+' does not follow from its checkpoint hits/);
  });

  it('merge refuses a shard row whose radius its sequential record does not give', async () => {
    const s0 = path('m0.tsv');
    const s1 = path('m1.tsv');
    expect((await cli([...RUN, '--max', '4', '--shard', '0/2', '--out', s0])).status).toBe(0);
    expect((await cli([...RUN, '--max', '4', '--shard', '1/2', '--out', s1])).status).toBe(0);
    writeFileSync(
      s0,
      lines(s0)
        .map((x, i) => (i === 1 ? setField(x, 3, '5.000') : x))
        .join('\n'),
    );
    const merged = path('m.tsv');
    await refused(['merge', s0, s1, '--out', merged], /m0\.tsv, line 2: .*radius 5\.000/);
    expect(existsSync(merged)).toBe(false);
  });
});

describe('sequential runs with another noise family, norm or the sound mode', () => {
  const BASE = ['certify', ...FIXTURE, '--n0', '50', '--n', '3000', '--batch', '500', '--seed', '8', '--max', '3', '--quiet', '--sequential'];
  const cases: [string, string[]][] = [
    ['laplace-l1', ['--noise', 'laplace', '--norm', 'l1', '--radius', '0.1']],
    ['uniform-linf', ['--noise', 'uniform', '--norm', 'linf', '--tolerance', '0.001']],
    ['sound', ['--sound', '--radius', '0.2']],
  ];
  for (const [name, flags] of cases) {
    it(`${name}: the records replay on resume, and an edited radius is refused`, async () => {
      const out = path(`${name}.tsv`);
      const r = await cli([...BASE, ...flags, '--out', out]);
      expect(r.status, r.error?.message).toBe(0);
      const recs = lines(`${out}.jsonl`)
        .slice(1)
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l));
      expect(recs).toHaveLength(3);
      expect(recs.some((rec) => rec.radius > 0)).toBe(true);
      if (name === 'sound') expect(recs[0].sound.tvBound).toBeGreaterThan(0);
      const again = await cli([...BASE, ...flags, '--out', out]);
      expect(again.status, again.error?.message).toBe(0);
      const i = recs.findIndex((rec) => rec.radius > 0) + 1;
      writeFileSync(
        `${out}.jsonl`,
        lines(`${out}.jsonl`)
          .map((x, j) => (j === i ? JSON.stringify({ ...JSON.parse(x), radius: 3 }) : x))
          .join('\n'),
      );
      writeFileSync(
        out,
        lines(out)
          .map((x, j) => (j === i ? setField(x, 3, '3.000') : x))
          .join('\n'),
      );
      await refused([...BASE, ...flags, '--out', out], new RegExp(`${name}\\.tsv\\.jsonl, line ${i + 1}: radius 3 does not follow from pALower`));
    });
  }
});
