/**
 * A worker's counters and its recent throughput (noisy samples per second over the jobs that
 * ended in the last minute), for heartbeats.
 *
 * @example
 * const stats = new WorkerStats();
 * stats.begin([4]); stats.finish([4], started, 100_100);
 * stats.samplesPerSecond();
 */
export class WorkerStats {
  #jobsDone = 0;
  #inputsDone = 0;
  #jobsFailed = 0;
  readonly #current = new Map<number, number>();
  #recent: { start: number; end: number; samples: number }[] = [];

  /** A job starts on `inputs`. */
  begin(inputs: number[]): void {
    for (const i of inputs) this.#current.set(i, (this.#current.get(i) ?? 0) + 1);
  }

  /** The job on `inputs`, started at `start` (ms), finished after `samples` noisy samples. */
  finish(inputs: number[], start: number, samples: number): void {
    this.abandon(inputs);
    this.#jobsDone++;
    this.#inputsDone += inputs.length;
    const end = Date.now();
    this.#recent.push({ start, end, samples });
    this.#recent = this.#recent.filter((r) => r.end >= end - 60_000);
  }

  /** The job on `inputs` stopped without results. */
  abandon(inputs: number[]): void {
    for (const i of inputs) {
      const n = (this.#current.get(i) ?? 1) - 1;
      if (n > 0) this.#current.set(i, n);
      else this.#current.delete(i);
    }
  }

  /** One attempt failed. */
  failed(): void {
    this.#jobsFailed++;
  }

  /** Input ids being worked on now. */
  current(): number[] {
    return [...this.#current.keys()].sort((a, b) => a - b);
  }

  /** Samples per second over the jobs that ended in the last minute (0 when none). */
  samplesPerSecond(now = Date.now()): number {
    const recent = this.#recent.filter((r) => r.end >= now - 60_000);
    if (recent.length === 0) return 0;
    const from = Math.min(...recent.map((r) => r.start));
    const samples = recent.reduce((a, r) => a + r.samples, 0);
    return now > from ? samples / ((now - from) / 1000) : 0;
  }

  summary(): { jobsDone: number; inputsDone: number; jobsFailed: number } {
    return { jobsDone: this.#jobsDone, inputsDone: this.#inputsDone, jobsFailed: this.#jobsFailed };
  }
}
