import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE, recordsWithoutTiming, rsmoothAsync, tempDir, withoutTime } from './helpers.js';

// 20 inputs (every fixture image) at n 2,000 (~0.05-0.2 s each here): the kill lands mid-run. Only the killed run is a
// real process; the others run in this process through the command objects.
const RUN = ['certify', ...FIXTURE, '--n0', '100', '--n', '2000', '--batch', '1000', '--seed', '7', '--max', '20', '--quiet'];

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

  it('an uninterrupted run (reference)', async () => {
    expect((await cli([...RUN, '--out', reference])).status).toBe(0);
    expect(withoutTime(reference)).toHaveLength(21);
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
    expect(kept).toBeLessThan(20); // killed before the end
    const before = withoutTime(out);
    const r = await cli([...RUN, '--out', out]); // takes over the lock the killed process left
    expect(r.status).toBe(0);
    const after = withoutTime(out);
    expect(after.slice(0, before.length)).toEqual(before); // finished rows survive unchanged
    expect(after).toEqual(withoutTime(reference));
    expect(recordsWithoutTiming(`${out}.jsonl`)).toEqual(recordsWithoutTiming(`${reference}.jsonl`));
  });

  it('drops a partial last line (and a log record without its row) before continuing', async () => {
    const out = join(dir, 'partial.tsv');
    const full = readFileSync(reference, 'utf8').split('\n');
    const log = readFileSync(`${reference}.jsonl`, 'utf8').split('\n');
    // 4 complete rows, a torn 5th row; the log has the 5th record (records are written first).
    writeFileSync(out, `${full.slice(0, 5).join('\n')}\n${full[5]!.slice(0, 7)}`);
    writeFileSync(`${out}.jsonl`, `${log.slice(0, 6).join('\n')}\n`);
    appendFileSync(`${out}.jsonl`, '{"type":"certif');
    const r = await cli([...RUN, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/resuming .*partial\.tsv: 4 of 20 rows already done \(dropped \d+ bytes of an interrupted write\)/);
    expect(withoutTime(out)).toEqual(withoutTime(reference));
    expect(recordsWithoutTiming(`${out}.jsonl`)).toEqual(recordsWithoutTiming(`${reference}.jsonl`));
  });

  it('a complete file is left as it is', async () => {
    const before = readFileSync(reference, 'utf8');
    const r = await cli([...RUN.filter((a) => a !== '--quiet'), '--out', reference]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/already complete \(20 rows\)/);
    expect(readFileSync(reference, 'utf8')).toBe(before);
  });

  it('refuses to mix settings, naming each difference', async () => {
    const r = await cli([...RUN.map((a) => (a === '2000' ? '3000' : a === '7' ? '8' : a)), '--out', reference]);
    expect(r.status).toBe(2);
    expect(r.error?.code).toBe('RS_SETTINGS_MISMATCH');
    expect(r.stderr).toMatch(/refusing to resume/);
    expect(r.stderr).toMatch(/n: 2000 -> 3000/);
    expect(r.stderr).toMatch(/seed: "7" -> "8"/);
    const p = await cli(['predict', ...FIXTURE, '--n', '100', '--max', '20', '--out', reference]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/certify file, not the output of this command/);
  });
});
