import { describe, expect, it } from 'vitest';
import { planRound, type ScheduledInput } from '../../src/index.js';
import { uniforms } from '../smoothing/helpers.js';

const schedule = [100, 150, 225, 338, 507, 761, 1000];

/** Checks the jobs of a plan: consecutive from each input's pos, never across a checkpoint. */
function checkJobs(inputs: ScheduledInput[], plan: ReturnType<typeof planRound>): Map<number, number> {
  const ends = new Map<number, number>();
  plan.jobs.forEach((job, j) => {
    const i = plan.owners[j]!;
    const s = inputs[i]!;
    expect(job.row).toBe(s.row);
    expect(job.id).toBe(s.id);
    expect(job.sampleStart).toBe(ends.get(i) ?? s.pos);
    expect(job.count).toBeGreaterThan(0);
    const nextCheckpoint = schedule.find((t) => t > job.sampleStart)!;
    expect(job.sampleStart + job.count).toBeLessThanOrEqual(nextCheckpoint);
    ends.set(i, job.sampleStart + job.count);
  });
  expect(plan.jobs.reduce((s, j) => s + j.count, 0)).toBe(plan.samples);
  return ends;
}

describe('planRound: each round fills whole batches', () => {
  it('takes floor(D / B) * B of the samples due, fewest samples first, and leaves the rest', () => {
    const inputs: ScheduledInput[] = [
      { row: 0, id: 10, pos: 150, next: 2 }, // due 75
      { row: 1, id: 11, pos: 0, next: 0 }, // due 100
      { row: 2, id: 12, pos: 120, next: 1 }, // due 30
    ];
    const plan = planRound(inputs, schedule, 64);
    expect(plan.samples).toBe(192); // D = 205
    expect(plan.lookahead).toBe(0);
    const ends = checkJobs(inputs, plan);
    expect(ends.get(1)).toBe(100); // pos 0 first
    expect(ends.get(2)).toBe(150); // pos 120 next
    expect(ends.get(0)).toBe(150 + 62); // the rest: 62 of its 75
  });

  it('fills a batch that is not yet full with the next intervals (lookahead), up to n', () => {
    const inputs: ScheduledInput[] = [{ row: 0, id: 0, pos: 0, next: 0 }];
    const plan = planRound(inputs, schedule, 250);
    expect(plan.samples).toBe(250);
    expect(plan.lookahead).toBe(150);
    const ends = checkJobs(inputs, plan);
    expect(ends.get(0)).toBe(250);
    expect(plan.jobs.map((j) => [j.sampleStart, j.count])).toEqual([
      [0, 100],
      [100, 50],
      [150, 75],
      [225, 25],
    ]);
    const last = planRound([{ row: 0, id: 0, pos: 761, next: 6 }], schedule, 10_000);
    expect(last.samples).toBe(239); // nothing beyond n
  });

  it('over a whole simulated run: every batch is full but the last, and no input is starved', () => {
    const u = uniforms(4000, 5);
    let draw = 0;
    for (const batchSize of [7, 64, 500, 3000]) {
      const inputs: ScheduledInput[] = Array.from({ length: 40 }, (_, i) => ({ row: i, id: i, pos: 0, next: 0 }));
      let active = inputs.map((_, i) => i);
      const used = new Array<number>(40).fill(0);
      let partial = 0;
      let rounds = 0;
      while (active.length > 0) {
        const view = active.map((i) => inputs[i]!);
        const plan = planRound(view, schedule, batchSize);
        const remaining = view.reduce((s, x) => s + 1000 - x.pos, 0);
        expect(plan.samples).toBe(Math.min(remaining, Math.max(batchSize, Math.floor(plan.samples / batchSize) * batchSize)));
        if (plan.samples % batchSize !== 0) partial++;
        checkJobs(view, plan);
        const stopped = new Set<number>();
        plan.jobs.forEach((job, j) => {
          const i = active[plan.owners[j]!]!;
          if (stopped.has(i)) return;
          const s = inputs[i]!;
          s.pos += job.count;
          if (s.pos === schedule[s.next]) {
            if (u[draw++ % u.length]! < 0.3 || s.pos === 1000) {
              stopped.add(i);
              used[i] = s.pos;
            } else s.next++;
          }
        });
        active = active.filter((i) => !stopped.has(i));
        rounds++;
        expect(rounds).toBeLessThan(10_000);
      }
      expect(partial).toBeLessThanOrEqual(1); // only when what is left is less than a batch
      expect(used.every((t) => schedule.includes(t))).toBe(true);
    }
  });
});
