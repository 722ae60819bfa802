import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SequentialOptions } from '@rs/core';
import { RunRefusedError, type RunExecutor, type RunSpec } from '@rs/queue';
import { bundledDefault } from '../assets.js';
import { type BackendModel, getBackend } from '../backends/index.js';
import { certifyRunner } from '../commands/certify.js';
import { type Composition, compositionFromSettings } from '../commands/composition-flags.js';
import { noiseProvenance } from '../commands/noise-provenance.js';
import { predictRunner } from '../commands/predict.js';
import type { InputRunner, RunContext } from '../commands/run-inputs.js';
import { checkDataFitsModel, checkLabels, loadData, type LoadedData } from '../data/load.js';
import { queueSettingsSchema, queueTaskSchema, type QueueSettings } from './queue-task.js';

/**
 * What a worker brings to every run: its own device and threads, optionally its own paths of the
 * model and data (they must have the run's SHA-256) and its own batch size.
 */
export interface WorkerLocal {
  /** Refuse runs of another backend. */
  backend?: string | undefined;
  device: 'cpu' | 'gpu';
  threads?: number | undefined;
  batch?: number | undefined;
  model?: string | undefined;
  data?: string | undefined;
  labels?: string | undefined;
  /** Models opened (one per concurrent job). */
  concurrency: number;
  workerId: string;
  /** One line per finished job (omit for none). */
  log?: ((message: string) => void) | undefined;
}

/**
 * Opens a queued certify/predict run on this worker: checks the run's settings, the backend, the
 * model's SHA-256 (of the file, before loading it) and the data's SHA-256 (inputs and labels)
 * against the run's, refusing with a {@link RunRefusedError} that names both values on any
 * difference; then opens the model (`concurrency` copies) and returns an executor that runs each
 * job exactly as `rsmooth certify` / `predict` runs a group of inputs, producing the same TSV row
 * and log record (plus the worker id).
 */
export async function openQueueExecutor(spec: RunSpec, local: WorkerLocal): Promise<RunExecutor> {
  const runId = spec.runId;
  const refuse = (why: string) => new RunRefusedError(`refusing run ${runId}: ${why}`);
  const s = queueSettingsSchema.safeParse(spec.settings);
  if (!s.success)
    throw refuse(
      `its settings are not ones this rsmooth can run (${s.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}); is this worker older than the submitter?`,
    );
  const t = queueTaskSchema.safeParse(spec.task);
  if (!t.success) throw refuse(`its task is not valid: ${t.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const settings = s.data;
  const task = t.data;
  if (local.backend !== undefined && local.backend !== settings.backend)
    throw refuse(`it runs on backend '${settings.backend}' and this worker was started with --backend ${local.backend}`);
  const bundled = task.bundled ? bundledDefault() : null;
  const modelPath = local.model ?? bundled?.model ?? task.model;
  const dataPath = local.data ?? bundled?.data ?? task.data;
  const labelsPath = local.labels ?? bundled?.labels ?? task.labels ?? undefined;
  // 1. The model's bytes, before loading anything.
  if (!existsSync(modelPath)) throw refuse(`its model ${modelPath} is not on this machine (give this worker its copy with --model PATH)`);
  const modelSha = createHash('sha256').update(readFileSync(modelPath)).digest('hex');
  if (modelSha !== settings.modelSha256)
    throw refuse(`model SHA-256 mismatch: the run's model is ${settings.modelSha256}, this worker's ${resolve(modelPath)} is ${modelSha}`);
  // 2. The data.
  let loaded: LoadedData;
  try {
    loaded = loadData({ data: dataPath, labels: labelsPath, split: task.split, scaleUint8: task.scaleUint8 });
  } catch (err) {
    throw refuse(`cannot load its data on this machine: ${(err as Error).message} (give this worker its copy with --data/--labels)`);
  }
  const d = settings.data;
  if (loaded.count !== d.count || loaded.sha256 !== d.sha256)
    throw refuse(
      `data SHA-256 mismatch: the run's inputs are ${d.count} with SHA-256 ${d.sha256}, this worker's ${loaded.source} has ${loaded.count} with ${loaded.sha256}`,
    );
  if ((loaded.labelsSha256 ?? null) !== d.labelsSha256)
    throw refuse(
      `labels SHA-256 mismatch: the run's labels have SHA-256 ${d.labelsSha256}, this worker's ${loaded.labelsSource ?? '(none)'} ${loaded.labelsSha256 ?? '(none)'}`,
    );
  if (!loaded.labels) throw refuse('its data has no labels here');
  const labels = loaded.labels;
  // 3. The models.
  const backend = getBackend(settings.backend);
  let composition: Composition;
  try {
    composition = compositionFromSettings(settings);
  } catch (err) {
    throw refuse(`cannot rebuild its defences: ${(err as Error).message}`);
  }
  const open = async (): Promise<BackendModel> => {
    const m = await backend.open({
      model: modelPath,
      sigma: settings.sigma,
      noise: settings.noise,
      sound: settings.sound ?? undefined,
      n0: settings.n0 ?? 1,
      alpha: settings.alpha,
      seed: settings.seed,
      clip: settings.clip ?? undefined,
      device: local.device,
      threads: local.threads,
      composition,
    });
    if (m.modelSha256 !== settings.modelSha256) {
      await m.dispose();
      throw refuse(`the backend reports model SHA-256 ${m.modelSha256}, the run's is ${settings.modelSha256}`);
    }
    return m;
  };
  const first = await open();
  checkDataFitsModel(loaded, first.inputShape, modelPath);
  checkLabels(loaded, first.nbClasses);
  const pool = new ModelPool(first, local.concurrency, open);
  const provenance = await noiseProvenance(first);
  const runner: InputRunner =
    settings.command === 'certify'
      ? certifyRunner(settings.n0 ?? 100, settings.norm ?? 'l2', settings.radiusMethod ?? 'one-sided', sequentialOf(settings.sequential))
      : predictRunner();
  const dim = first.inputShape.reduce((a, b) => a * b, 1);
  const batch = local.batch ?? task.batch;
  const samplesPerInput = settings.n + (settings.n0 ?? 0);
  return {
    async run(inputs, { signal }) {
      const m = await pool.acquire();
      const what = `run ${runId.slice(0, 12)}: ${inputs.length === 1 ? `input ${inputs[0]}` : `inputs ${inputs.join(', ')}`}`;
      local.log?.(`${what} started`);
      try {
        const t0 = performance.now();
        const ids = Uint32Array.from(inputs);
        const x = new Float32Array(ids.length * dim);
        ids.forEach((id, i) => {
          x.set(loaded.x.subarray(id * dim, (id + 1) * dim), i * dim);
        });
        const y = Int32Array.from(ids, (id) => labels[id]!);
        const ctx: RunContext = { ...contextOf(settings, batch, dim), onSamples: () => {}, signal };
        const results = await runner.run(m, x, ids, y, ctx);
        const seconds = (performance.now() - t0) / 1000;
        const samples = results.reduce((sum, r) => sum + (r.samples ?? samplesPerInput), 0);
        local.log?.(`${what} done in ${seconds.toFixed(2)} s (${Math.round(samples / seconds).toLocaleString('en-US')} samples/s)`);
        return {
          results: results.map((r) => {
            r.record.device = m.device;
            r.record.modelSha256 = m.modelSha256;
            r.record.noiseGenerator = m.noiseGenerator;
            r.record.noise = settings.noise;
            r.record.noiseDigest = provenance.digest;
            r.record.worker = local.workerId;
            return JSON.stringify({ row: r.row, record: r.record });
          }),
          samples,
        };
      } finally {
        pool.release(m);
      }
    },
    dispose: () => pool.dispose(),
  };
}

/** The sequential options of a queued run's settings (null: fixed n). */
function sequentialOf(s: QueueSettings['sequential']): SequentialOptions | null {
  if (!s) return null;
  return s.mode === 'radius' ? { radius: s.radius!, bound: s.bound } : { tolerance: s.tolerance!, bound: s.bound };
}

function contextOf(s: QueueSettings, batch: number, dim: number): Omit<RunContext, 'onSamples' | 'signal'> {
  return { n: s.n, batch, sigma: s.sigma, alpha: s.alpha, seed: s.seed, backend: s.backend, dim };
}

/** Up to `size` models, one per concurrent job, opened when first needed. */
class ModelPool {
  readonly #free: BackendModel[];
  readonly #all: BackendModel[];
  readonly #waiting: ((m: BackendModel) => void)[] = [];
  #opening = 0;

  constructor(
    first: BackendModel,
    readonly size: number,
    readonly open: () => Promise<BackendModel>,
  ) {
    this.#free = [first];
    this.#all = [first];
  }

  async acquire(): Promise<BackendModel> {
    const m = this.#free.pop();
    if (m) return m;
    if (this.#all.length + this.#opening < this.size) {
      this.#opening++;
      try {
        const opened = await this.open();
        this.#all.push(opened);
        return opened;
      } finally {
        this.#opening--;
      }
    }
    return new Promise((r) => this.#waiting.push(r));
  }

  release(m: BackendModel): void {
    const next = this.#waiting.shift();
    if (next) next(m);
    else this.#free.push(m);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.#all.map((m) => m.dispose()));
  }
}
