import type { RunProgress } from '@rs/queue';
import { formatDuration, type ProgressMode } from '../progress.js';

/**
 * Progress of a queued run on stderr: inputs done of the total (stored by workers; in brackets the
 * rows written so far when they lag behind, waiting for an earlier input), jobs running / waiting
 * / failed, noisy samples per second across workers, workers alive and the ETA. A redrawn line on a
 * terminal; otherwise a line at most every 2 s and when something changes.
 */
export class QueueProgress {
  readonly #started = performance.now();
  #last: RunProgress | null = null;
  #collected = 0;
  #lastLine = 0;
  #lastText = '';
  #drawn = false;

  constructor(readonly o: { label: string; mode: ProgressMode; write: (s: string) => void; samplesPerInput: number }) {}

  /** The collector's latest view of the run. */
  update(p: RunProgress): void {
    this.#last = p;
    this.#collected = Math.max(this.#collected, p.collected);
    this.#show(false);
  }

  /** Rows written so far. */
  collected(n: number): void {
    this.#collected = n;
    this.#show(this.#last !== null && n === this.#last.total);
  }

  /** Erases the bar so a message can be printed (the next update draws it again). */
  clear(): void {
    if (this.o.mode === 'bar' && this.#drawn) this.o.write('\r\x1b[2K');
    this.#drawn = false;
  }

  finish(): void {
    if (this.#last) this.#last = { ...this.#last, stored: this.#last.total, waiting: 0, active: 0, delayed: 0 };
    this.#show(true);
    if (this.o.mode === 'bar' && this.#drawn) this.o.write('\n');
  }

  /** The status text. */
  text(): string {
    const p = this.#last;
    if (!p) return `${this.#collected} rows written, waiting for the queue`;
    const done = Math.max(p.stored, this.#collected);
    const rate = p.samplesPerSecond;
    const left = (p.total - done) * this.o.samplesPerInput;
    const eta = left === 0 ? '0s' : rate > 0 ? formatDuration(left / rate) : '?';
    const parts = [
      `${done}/${p.total} inputs${this.#collected < done ? ` (${this.#collected} written)` : ''}`,
      `${p.active} running, ${p.waiting} waiting${p.delayed ? `, ${p.delayed} retrying` : ''}${p.failed ? `, ${p.failed} failed` : ''}`,
      `${Math.round(rate).toLocaleString('en-US')} samples/s across ${p.workers} worker${p.workers === 1 ? '' : 's'} alive`,
      `elapsed ${formatDuration((performance.now() - this.#started) / 1000)}`,
      `ETA ${eta}`,
    ];
    return `${this.o.label}: ${parts.join(', ')}`;
  }

  #show(force: boolean): void {
    if (this.o.mode === 'none') return;
    const now = performance.now();
    const text = this.text();
    if (this.o.mode === 'bar') {
      if (!force && now - this.#lastLine < 100) return;
      this.#lastLine = now;
      this.o.write(`\r\x1b[2K${text}`);
      this.#drawn = true;
      return;
    }
    const changed = text.replace(/elapsed \S+, ETA \S+$/, '') !== this.#lastText;
    if (!force && (now - this.#lastLine < 2000 || !changed)) return;
    this.#lastLine = now;
    this.#lastText = text.replace(/elapsed \S+, ETA \S+$/, '');
    this.o.write(`${text}\n`);
  }
}
