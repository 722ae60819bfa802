/**
 * The scheduler across inputs: each round hands the sampling engine one job list covering the
 * still-active inputs, sized so that the engine's batches (which pack several inputs into one
 * model call) are all full. An input that stops frees its share of the next round for the others.
 *
 * A round never changes what an input's decisions see: every job is a run of consecutive sample
 * indices of that input's estimation stream, cut at its checkpoints, so the counts at each
 * checkpoint are those of samples 0..t-1 whatever the rounds were (batch size, other inputs, order).
 */

import type { SamplingJob } from '../sampling/noisy-batches.js';

/**
 * An active input, as the scheduler sees it.
 *
 * @example
 * const s: ScheduledInput = { row: 0, id: 40, pos: 150, next: 2 }; // 150 samples done, next decision at schedule[2]
 */
export interface ScheduledInput {
  /** Row of the input in the data, and its noise id. */
  row: number;
  id: number;
  /** Estimation samples drawn and counted so far: indices 0..pos-1. */
  pos: number;
  /** Index in the schedule of the next checkpoint to decide at (schedule[next] > pos, or = pos only before deciding). */
  next: number;
}

/**
 * One round: the jobs, which input (index into the list given) each belongs to, and its size.
 *
 * @example
 * const { jobs, owners } = planRound(active, schedule, 1000);
 */
export interface RoundPlan {
  jobs: SamplingJob[];
  /** `owners[j]`: the index (in the `inputs` passed to {@link planRound}) of job j's input. */
  owners: number[];
  /** Samples in the round (the sum of the jobs' counts). */
  samples: number;
  /** Samples beyond the inputs' next checkpoints, drawn only to fill the last batch. */
  lookahead: number;
}

/**
 * Plans one round over `inputs` (the active ones), for batches of `batchSize` rows:
 *
 * 1. Each input is due the samples up to its next checkpoint; D = the sum.
 * 2. D >= batchSize: the round takes floor(D / batchSize) * batchSize of them, inputs with the
 *    fewest samples first; the rest waits for the next round (an input may pause between two
 *    checkpoints), so every model call is full.
 * 3. D < batchSize (the end of a run): all of D, then the following checkpoint intervals of the
 *    inputs (one interval per input per pass) until the batch is full or every input reaches `n`.
 *    Samples an input then does not need (it stopped at the earlier checkpoint) are computed and
 *    dropped: at most batchSize - D per such round.
 *
 * @example
 * planRound([{ row: 0, id: 0, pos: 0, next: 0 }], [100, 200, 400], 250); // jobs [0, 100), [100, 200), [200, 250)
 */
export function planRound(inputs: readonly ScheduledInput[], schedule: readonly number[], batchSize: number): RoundPlan {
  const n = schedule[schedule.length - 1]!;
  const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.pos - inputs[b]!.pos || a - b);
  const end = new Float64Array(inputs.length); // planned end of each input's samples in this round
  const nextIndex = new Int32Array(inputs.length); // schedule index of the checkpoint at or after end
  let due = 0;
  for (let i = 0; i < inputs.length; i++) {
    const s = inputs[i]!;
    end[i] = s.pos;
    nextIndex[i] = s.next;
    due += schedule[s.next]! - s.pos;
  }
  let lookahead = 0;
  if (due >= batchSize) {
    let left = Math.floor(due / batchSize) * batchSize;
    for (const i of order) {
      if (left === 0) break;
      const take = Math.min(left, schedule[inputs[i]!.next]! - inputs[i]!.pos);
      end[i] = inputs[i]!.pos + take;
      left -= take;
    }
  } else {
    for (let i = 0; i < inputs.length; i++) end[i] = schedule[inputs[i]!.next]!;
    let left = batchSize - due;
    let extended = true;
    while (left > 0 && extended) {
      extended = false;
      for (const i of order) {
        if (left === 0 || end[i]! >= n) continue;
        while (schedule[nextIndex[i]!]! <= end[i]!) nextIndex[i]!++;
        const take = Math.min(left, schedule[nextIndex[i]!]! - end[i]!);
        end[i]! += take;
        left -= take;
        lookahead += take;
        extended = true;
      }
    }
  }
  const jobs: SamplingJob[] = [];
  const owners: number[] = [];
  let samples = 0;
  for (let i = 0; i < inputs.length; i++) {
    const s = inputs[i]!;
    let start = s.pos;
    let j = s.next;
    while (start < end[i]!) {
      while (schedule[j]! <= start) j++;
      const stop = Math.min(end[i]!, schedule[j]!);
      jobs.push({ row: s.row, id: s.id, sampleStart: start, count: stop - start });
      owners.push(i);
      samples += stop - start;
      start = stop;
    }
  }
  return { jobs, owners, samples, lookahead };
}
