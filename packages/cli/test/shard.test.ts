import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE, recordsWithoutTiming, rsmooth, tempDir, withoutTime } from './helpers.js';

const RUN = ['certify', ...FIXTURE, '--n0', '50', '--n', '2000', '--batch', '700', '--seed', '11', '--skip', '2', '--max', '8', '--quiet'];

describe('shard and merge (the first merge through the executable, the rest in this process)', () => {
  const dir = tempDir();
  const single = join(dir, 'single.tsv');
  const shard = (i: number) => join(dir, `shard${i}.tsv`);

  it('three shards merged equal a single run (except the time column)', async () => {
    expect((await cli([...RUN, '--out', single])).status).toBe(0);
    for (let i = 0; i < 3; i++) expect((await cli([...RUN, '--shard', `${i}/3`, '--out', shard(i)])).status).toBe(0);
    // round-robin over positions in the selection [0, 2, 4, ..., 14]
    expect(
      withoutTime(shard(1))
        .slice(1)
        .map((l) => Number(l.split('\t')[0])),
    ).toEqual([2, 8, 14]);
    const merged = join(dir, 'merged.tsv');
    const r = rsmooth(['merge', shard(2), shard(0), shard(1), '--out', merged]); // through the executable
    expect(r.status).toBe(0);
    expect(withoutTime(merged)).toEqual(withoutTime(single));
    expect(recordsWithoutTiming(`${merged}.jsonl`)).toEqual(recordsWithoutTiming(`${single}.jsonl`));
    const settings = (p: string) => JSON.parse(readFileSync(`${p}.jsonl`, 'utf8').split('\n')[0]!).settings;
    expect(settings(merged)).toEqual(settings(single));
  });

  it('refuses a gap (missing shard)', async () => {
    const r = await cli(['merge', shard(0), shard(1), '--out', join(dir, 'gap.tsv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/gap: 2 of 8 inputs have no row \(idx 4, 10\)/);
  });

  it('refuses an overlap', async () => {
    const r = await cli(['merge', shard(0), shard(1), shard(2), single, '--out', join(dir, 'overlap.tsv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/overlap: idx \d+ is in both/);
  });

  it('refuses mismatched settings', async () => {
    const other = join(dir, 'other.tsv');
    expect((await cli([...RUN.map((a) => (a === '0.25' ? '0.5' : a)), '--shard', '2/3', '--out', other])).status).toBe(0);
    const r = await cli(['merge', shard(0), shard(1), other, '--out', join(dir, 'mixed.tsv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/other settings[\s\S]*sigma: 0.25 -> 0.5/);
  });

  it("refuses an incomplete shard whose log lacks a row's record", async () => {
    const broken = join(dir, 'broken.tsv');
    writeFileSync(broken, readFileSync(shard(2)));
    writeFileSync(
      `${broken}.jsonl`,
      `${readFileSync(`${shard(2)}.jsonl`, 'utf8')
        .split('\n')
        .slice(0, 2)
        .join('\n')}\n`,
    );
    const r = await cli(['merge', shard(0), shard(1), broken, '--out', join(dir, 'b.tsv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/has 2 rows but its log has 1 records/);
  });
});
