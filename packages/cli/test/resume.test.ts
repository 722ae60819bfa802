import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, recordsWithoutTiming, rsmooth, rsmoothAsync, tempDir, withoutTime } from './helpers.js';

// n 20,000 makes each input take ~0.2-0.4 s here, so the kill lands mid-run.
const RUN = ['certify', ...FIXTURE, '--n0', '100', '--n', '20000', '--batch', '1000', '--seed', '7', '--max', '10', '--quiet'];

function dataRows(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 2;
  } catch {
    return 0;
  }
}

describe('resume', () => {
  const dir = tempDir();
  const reference = join(dir, 'reference.tsv');

  it('an uninterrupted run (reference)', () => {
    expect(rsmooth([...RUN, '--out', reference]).status).toBe(0);
    expect(withoutTime(reference)).toHaveLength(11);
  });

  it('kill -9 mid-run loses no finished row; rerunning finishes the file, equal to the reference except time', async () => {
    const out = join(dir, 'killed.tsv');
    const child = rsmoothAsync([...RUN, '--out', out]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let t = 0; t < 600 && dataRows(out) < 3; t++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const kept = dataRows(out);
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(10); // killed before the end
    const before = withoutTime(out);
    const r = rsmooth([...RUN, '--out', out]);
    expect(r.status).toBe(0);
    const after = withoutTime(out);
    expect(after.slice(0, before.length)).toEqual(before); // finished rows survive unchanged
    expect(after).toEqual(withoutTime(reference));
    expect(recordsWithoutTiming(`${out}.jsonl`)).toEqual(recordsWithoutTiming(`${reference}.jsonl`));
  });

  it('drops a partial last line (and a log record without its row) before continuing', () => {
    const out = join(dir, 'partial.tsv');
    const full = readFileSync(reference, 'utf8').split('\n');
    const log = readFileSync(`${reference}.jsonl`, 'utf8').split('\n');
    // 4 complete rows, a torn 5th row; the log has the 5th record (records are written first).
    writeFileSync(out, `${full.slice(0, 5).join('\n')}\n${full[5]!.slice(0, 7)}`);
    writeFileSync(`${out}.jsonl`, `${log.slice(0, 6).join('\n')}\n`);
    appendFileSync(`${out}.jsonl`, '{"type":"certif');
    const r = rsmooth([...RUN, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming .*partial\.tsv: 4 of 10 rows already done \(dropped \d+ bytes of an interrupted write\)/);
    expect(withoutTime(out)).toEqual(withoutTime(reference));
    expect(recordsWithoutTiming(`${out}.jsonl`)).toEqual(recordsWithoutTiming(`${reference}.jsonl`));
  });

  it('a complete file is left as it is', () => {
    const before = readFileSync(reference, 'utf8');
    const r = rsmooth([...RUN.filter((a) => a !== '--quiet'), '--out', reference]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/already complete \(10 rows\)/);
    expect(readFileSync(reference, 'utf8')).toBe(before);
  });

  it('refuses to mix settings, naming each difference', () => {
    const r = rsmooth([...RUN.map((a) => (a === '20000' ? '10000' : a === '7' ? '8' : a)), '--out', reference]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to resume/);
    expect(r.stderr).toMatch(/n: 20000 -> 10000/);
    expect(r.stderr).toMatch(/seed: "7" -> "8"/);
    const p = rsmooth(['predict', ...FIXTURE, '--n', '100', '--max', '10', '--out', reference]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/certify file, not the output of this command/);
  });
});
