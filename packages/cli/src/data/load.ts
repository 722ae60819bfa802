import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FASHION_MNIST_INSTALL_HINT, hasFashionMnist, loadFashionMnist, parseIdx, readNpy } from '@rs/datasets';
import { CliError, cliErrorFrom } from '../errors.js';
import { readInputFile } from '../io/input-file.js';

/**
 * Inputs and (optionally) labels, flat, with where they came from.
 *
 * @example
 * const { x, labels, count } = loadData({ data: 'x.npy', labels: 'y.npy', split: 'test', scaleUint8: false });
 */
export interface LoadedData {
  /** `count * perInput` values, float32. */
  x: Float32Array;
  /** Per-input shape as stored (e.g. [28, 28] for IDX images, [1, 28, 28] for a 4-d .npy). */
  shape: number[];
  /** The element type the inputs were stored as (`uint8`, `float32`, ...), before any scaling. */
  storedAs: string;
  count: number;
  labels?: Int32Array | undefined;
  /** `fashion-mnist:test`, or the path given. */
  source: string;
  labelsSource?: string | undefined;
  /** SHA-256 of the float32 input bytes and of the int32 labels: the data's identity in settings. */
  sha256: string;
  labelsSha256?: string | undefined;
}

/**
 * How to read `--data` / `--labels`.
 */
export interface LoadDataOptions {
  /** A path (.npy, IDX, IDX .gz) or the name `fashion-mnist`. */
  data: string;
  labels?: string | undefined;
  split: 'train' | 'test';
  /** Divide uint8 data by 255. */
  scaleUint8: boolean;
  /** Directory of the Fashion-MNIST IDX files (tests point it elsewhere). */
  fashionMnistDir?: string | undefined;
}

/**
 * The named data sets `--data` accepts.
 */
export const NAMED_DATASETS = ['fashion-mnist'] as const;

/**
 * Loads `--data` and `--labels`: `.npy` (float32/float64 as is; uint8 as is, or / 255 with
 * `scaleUint8`), IDX (`.gz` too), or `fashion-mnist` (Debian's dataset-fashion-mnist files, pixels
 * scaled to [0, 1], labels included; `split` picks train or test). Errors are {@link CliError}s.
 *
 * @example
 * const d = loadData({ data: 'fashion-mnist', split: 'test', scaleUint8: true }); // d.count 10000, d.labels
 */
export function loadData(o: LoadDataOptions): LoadedData {
  let x: Float32Array;
  let shape: number[];
  let count: number;
  let labels: Int32Array | undefined;
  let source: string;
  let labelsSource: string | undefined;
  let storedAs = 'float32';
  if ((NAMED_DATASETS as readonly string[]).includes(o.data)) {
    const dir = o.fashionMnistDir ?? process.env.RSMOOTH_FASHION_MNIST_DIR;
    if (!hasFashionMnist(dir))
      throw new CliError(`the data set 'fashion-mnist' is not installed${dir ? ` in ${dir}` : ''}: ${FASHION_MNIST_INSTALL_HINT}`, {
        code: 'RS_DATASET_MISSING',
      });
    let d: ReturnType<typeof loadFashionMnist>;
    try {
      d = loadFashionMnist({ split: o.split, ...(dir ? { dir } : {}) });
    } catch (err) {
      throw cliErrorFrom(err, `--data fashion-mnist: `);
    }
    x = d.x;
    shape = [...d.inputShape];
    count = d.count;
    labels = d.y;
    source = `fashion-mnist:${o.split}`;
    labelsSource = source;
  } else {
    const arr = readArray(o.data, 'data');
    if (arr.shape.length < 2)
      throw new CliError(`--data ${o.data}: expected an array of inputs [count, ...input shape], got shape [${arr.shape.join(', ')}]`, {
        code: 'RS_INVALID_INPUT',
      });
    count = arr.shape[0]!;
    shape = arr.shape.slice(1);
    storedAs = arr.dtype;
    x = toFloat32(arr, o.scaleUint8, o.data);
    source = o.data;
    checkFinite(x, count, o.data);
  }
  if (o.labels !== undefined) {
    const arr = readArray(o.labels, 'labels');
    if (arr.shape.length !== 1 && !(arr.shape.length === 2 && arr.shape[1] === 1)) {
      throw new CliError(`--labels ${o.labels}: expected a 1-d array of class indices, got shape [${arr.shape.join(', ')}]`, { code: 'RS_INVALID_INPUT' });
    }
    labels = toLabels(arr.data, o.labels);
    labelsSource = o.labels;
  }
  if (labels && labels.length !== count)
    throw new CliError(`--labels has ${labels.length} labels but --data has ${count} inputs`, { code: 'RS_INVALID_INPUT' });
  if (count === 0) throw new CliError(`--data ${o.data} holds no inputs`, { code: 'RS_INVALID_INPUT' });
  return {
    x,
    shape,
    storedAs,
    count,
    labels,
    source,
    labelsSource,
    sha256: sha256(x),
    labelsSha256: labels ? sha256(labels) : undefined,
  };
}

/**
 * Checks that each input has the model's per-input size: `[28, 28]` data fits a `[1, 28, 28]`
 * model (same number of values); `[3, 32, 32]` does not.
 */
export function checkDataFitsModel(data: LoadedData, inputShape: readonly number[], model: string): void {
  const want = inputShape.reduce((a, b) => a * b, 1);
  const have = data.shape.reduce((a, b) => a * b, 1);
  if (want !== have) {
    throw new CliError(
      `--data ${data.source} has inputs of shape [${data.shape.join(', ')}] (${have} values each), but the model ${model} takes inputs of shape [${inputShape.join(', ')}] (${want} values)`,
      { code: 'RS_INVALID_INPUT' },
    );
  }
}

/**
 * Checks labels against the number of classes of the model.
 */
export function checkLabels(data: LoadedData, nbClasses: number): void {
  if (!data.labels) return;
  const bad = data.labels.findIndex((l) => l < 0 || l >= nbClasses);
  if (bad >= 0)
    throw new CliError(`--labels: label ${data.labels[bad]} at index ${bad} is not a class of the model (0..${nbClasses - 1})`, { code: 'RS_INVALID_INPUT' });
}

/**
 * Refuses uint8 data used as is without a declared domain: pixels 0..255 fed to a model trained on
 * [0, 1] give radii that mean nothing. `--scale-uint8` divides by 255; `--clip 0:255` says the
 * 0..255 range is intended.
 */
export function checkUint8Domain(data: LoadedData, o: { scaleUint8: boolean; clip: [number, number] | undefined; command: string }): void {
  if (data.storedAs !== 'uint8' || o.scaleUint8 || o.clip) return;
  throw new CliError(
    `rsmooth ${o.command}: --data ${data.source} holds uint8 values (0..255): pass --scale-uint8 to divide them by 255 (the [0, 1] range most models take), or --clip 0:255 to use them as they are`,
    { code: 'RS_INVALID_INPUT' },
  );
}

interface RawArray {
  data: ArrayLike<number> | BigInt64Array | BigUint64Array;
  shape: number[];
  dtype: string;
}

function readArray(path: string, flag: string): RawArray {
  if (!existsSync(path))
    throw new CliError(`--${flag} file not found: ${path}${flag === 'data' ? ` (or name a data set: ${NAMED_DATASETS.join(', ')})` : ''}`, {
      code: 'RS_FILE_NOT_FOUND',
    });
  const bytes = readInputFile(`--${flag} ${path}`, path);
  try {
    if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
      const a = readNpy(bytes, path);
      return { data: a.data, shape: a.shape, dtype: a.dtype };
    }
    const a = parseIdx(bytes, path);
    return { data: a.data, shape: a.shape, dtype: IDX_DTYPE.get(a.data.constructor) ?? 'unknown' };
  } catch (err) {
    throw cliErrorFrom(err, `--${flag}: cannot read it as .npy or IDX: `);
  }
}

const IDX_DTYPE = new Map<unknown, string>([
  [Uint8Array, 'uint8'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
]);

function toFloat32(arr: RawArray, scaleUint8: boolean, path: string): Float32Array {
  const { data } = arr;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array)
    throw new CliError(`--data ${path}: 64-bit integer inputs are not supported (use float32)`, { code: 'RS_UNSUPPORTED_FORMAT' });
  const isUint8 = arr.dtype === 'uint8';
  const scale = isUint8 && scaleUint8 ? 1 / 255 : 1;
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scale;
  return out;
}

/** Inputs must be finite: the first NaN or infinity is named by its data set index and feature, before any work. */
function checkFinite(x: Float32Array, count: number, path: string): void {
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad < 0) return;
  const dim = x.length / count;
  throw new CliError(`--data ${path}: dataset index ${Math.floor(bad / dim)} has ${x[bad]} at feature ${bad % dim}: inputs must be finite`, {
    code: 'RS_INVALID_INPUT',
  });
}

/** Labels must be class indices: integers in [0, 2^31), checked before they are stored in 32 bits. */
function toLabels(data: RawArray['data'], path: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const raw = data[i]!;
    const v = typeof raw === 'bigint' ? raw : Number(raw);
    const ok = typeof v === 'bigint' ? v >= 0n && v < 2n ** 31n : Number.isInteger(v) && v >= 0 && v < 2 ** 31;
    if (!ok)
      throw new CliError(`--labels ${path}: label ${String(v)} at index ${i} is not a class index (an integer in [0, 2^31))`, { code: 'RS_INVALID_INPUT' });
    out[i] = Number(v);
  }
  return out;
}

function sha256(a: ArrayBufferView): string {
  return createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
}
