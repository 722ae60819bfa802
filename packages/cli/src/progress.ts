/**
 * How progress is shown: a redrawn bar (terminal), plain lines (not a terminal), or nothing.
 */
export type ProgressMode = 'bar' | 'lines' | 'none';

/**
 * The progress mode for a stream: a bar on a TTY, plain lines otherwise, nothing when `quiet`.
 */
export function progressMode(stream: { isTTY?: boolean }, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

/**
 * Progress of a run over inputs, on stderr: inputs done, noisy samples per second and ETA. On a
 * terminal a bar redrawn in place (at most 10 times a second); otherwise one line per finished
 * input, at most one a second (and always the last).
 *
 * @example
 * const p = new ProgressReporter({ label: 'certify', total: 20, samplesPerInput: 10_100, mode: 'lines' });
 * p.samples(5000); // inside an input
 * p.inputDone();
 * p.finish();
 */
export class ProgressReporter {
  readonly #o: { label: string; total: number; samplesPerInput: number; mode: ProgressMode; write: (s: string) => void; unit: string };
  readonly #started = performance.now();
  #done = 0;
  #samples = 0;
  #inInput = 0;
  #lastDraw = 0;
  #lastLine = 0;
  #note = '';

  constructor(o: { label: string; total: number; samplesPerInput: number; mode: ProgressMode; write?: (s: string) => void; unit?: string }) {
    this.#o = { write: (s) => process.stderr.write(s), unit: 'inputs', ...o };
  }

  /** Samples evaluated so far inside the current input (from the library's onProgress). */
  samples(inInput: number): void {
    this.#inInput = inInput;
    if (this.#o.mode === 'bar') this.#draw(false);
  }

  /**
   * One more input finished; `note` (e.g. the running loss) is shown after the status; `samples`:
   * the samples it took, when not `samplesPerInput` (sequential certification stops early).
   */
  inputDone(note?: string, samples?: number): void {
    if (note !== undefined) this.#note = note;
    this.#done++;
    this.#samples += samples ?? this.#o.samplesPerInput;
    this.#inInput = 0;
    if (this.#o.mode === 'bar') this.#draw(this.#done === this.#o.total);
    else if (this.#o.mode === 'lines') {
      const now = performance.now();
      if (now - this.#lastLine >= 1000 || this.#done === this.#o.total) {
        this.#lastLine = now;
        this.#o.write(`${this.#o.label}: ${this.#status()}\n`);
      }
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.#o.mode === 'bar') {
      this.#draw(true);
      this.#o.write('\n');
    }
  }

  #status(): string {
    const elapsed = (performance.now() - this.#started) / 1000;
    const samples = this.#samples + this.#inInput;
    const rate = elapsed > 0 ? samples / elapsed : 0;
    const left = this.#o.total * this.#o.samplesPerInput - samples;
    const eta = rate > 0 ? formatDuration(left / rate) : '?';
    return `${this.#done}/${this.#o.total} ${this.#o.unit}, ${Math.round(rate).toLocaleString('en-US')} samples/s, elapsed ${formatDuration(elapsed)}, ETA ${eta}${this.#note ? `, ${this.#note}` : ''}`;
  }

  #draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const width = 24;
    const frac = this.#o.total > 0 ? (this.#done + this.#inInput / this.#o.samplesPerInput) / this.#o.total : 1;
    const filled = Math.min(width, Math.round(frac * width));
    this.#o.write(`\r\x1b[2K${this.#o.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.#status()}`);
  }
}

/**
 * Seconds as `1h02m03s`, `2m03s` or `3s`.
 *
 * @example
 * formatDuration(125); // '2m05s'
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(r).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
