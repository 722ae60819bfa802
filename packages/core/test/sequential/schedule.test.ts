import { describe, expect, it } from 'vitest';
import { checkpointSchedule, clopperPearsonLower, normalCdf, sequentialPlan } from '../../src/index.js';

describe('checkpointSchedule', () => {
  it('geometric: first, ceil(previous * ratio), ..., then n', () => {
    expect(checkpointSchedule(1000, { first: 100, ratio: 2 })).toEqual([100, 200, 400, 800, 1000]);
    expect(checkpointSchedule(1000, { first: 100, ratio: 1.5 })).toEqual([100, 150, 225, 338, 507, 761, 1000]);
    expect(checkpointSchedule(5, { first: 1, ratio: 1.01 })).toEqual([1, 2, 3, 4, 5]); // at least one more each time
    expect(checkpointSchedule(50, { first: 64, ratio: 2 })).toEqual([50]); // first above n
    expect(checkpointSchedule(64, { first: 64, ratio: 2 })).toEqual([64]);
  });

  it('explicit lists are checked and end at n', () => {
    expect(checkpointSchedule(100_000, [1000, 10_000])).toEqual([1000, 10_000, 100_000]);
    expect(checkpointSchedule(100_000, [1000, 100_000])).toEqual([1000, 100_000]);
    expect(() => checkpointSchedule(100, [10, 10])).toThrow(/strictly increasing/);
    expect(() => checkpointSchedule(100, [10, 200])).toThrow(/exceeds the budget/);
    expect(() => checkpointSchedule(100, [0])).toThrow(/>= 1/);
  });

  it('an anchor replaces the points just below it and restarts the growth', () => {
    expect(checkpointSchedule(10_000, { first: 100, ratio: 2 }, 2, 1000)).toEqual([100, 200, 400, 1000, 2000, 4000, 8000, 10_000]);
    // 700 * sqrt(2) > 900: 700 is dropped as too close below the anchor
    expect(checkpointSchedule(10_000, { first: 175, ratio: 2 }, 2, 900)).toEqual([175, 350, 900, 1800, 3600, 7200, 10_000]);
    expect(checkpointSchedule(10_000, { first: 100, ratio: 2 }, 2, 50)).toEqual([50, 100, 200, 400, 800, 1600, 3200, 6400, 10_000]);
    expect(checkpointSchedule(1000, { first: 100, ratio: 2 }, 2, 5000)).toEqual([100, 200, 400, 800, 1000]); // anchor beyond n: ignored
  });

  it('refuses bad settings', () => {
    expect(() => checkpointSchedule(0, {})).toThrow(/'n'/);
    expect(() => checkpointSchedule(100, { ratio: 1 })).toThrow(/ratio/);
    expect(() => checkpointSchedule(100, { first: 0 })).toThrow(/first/);
    expect(() => checkpointSchedule(1e9, { first: 1, ratio: 1.0000001 })).toThrow(/more than/);
  });
});

describe('sequentialPlan', () => {
  it('radius mode anchors the earliest count where all hits certify r with half of alpha (staged Clopper-Pearson)', () => {
    const sigma = 0.25;
    const alpha = 0.001;
    for (const r of [0.25, 0.5, 0.75]) {
      const plan = sequentialPlan(100_000, alpha, sigma, { radius: r });
      const pStar = normalCdf(r / sigma);
      const anchor = plan.schedule.find((t) => plan.bound.lower(t, t) > 0)!;
      expect(clopperPearsonLower(anchor, anchor, alpha / 2)).toBeGreaterThanOrEqual(pStar);
      expect(clopperPearsonLower(anchor - 1, anchor - 1, alpha / 2)).toBeLessThan(pStar);
      expect(plan.bound.lower(anchor, anchor)).toBe(clopperPearsonLower(anchor, anchor, alpha / 2));
      const later = plan.schedule.filter((t) => t > anchor).length;
      expect(plan.bound.lower(100_000, 100_000)).toBe(clopperPearsonLower(100_000, 100_000, alpha / 2 / later));
    }
  });

  it('budget mode splits alpha evenly over every checkpoint that can certify', () => {
    const plan = sequentialPlan(10_000, 0.001, 0.5, { tolerance: 0.1 });
    expect(plan.schedule[0]).toBe(64);
    const m = plan.schedule.length;
    expect(plan.bound.lower(64, 64)).toBe(clopperPearsonLower(64, 64, 0.001 / m));
  });

  it('the mixture bound uses its denser default schedule', () => {
    const cp = sequentialPlan(100_000, 0.001, 0.25, { tolerance: 0.1 });
    const mix = sequentialPlan(100_000, 0.001, 0.25, { tolerance: 0.1, bound: 'beta-binomial-mixture' });
    expect(mix.schedule.length).toBeGreaterThan(2 * cp.schedule.length);
  });
});
