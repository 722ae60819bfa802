import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RsError, RsRangeError } from '@rs/core';
import { readIdx } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** How to get the data set when it is missing. */
export const FASHION_MNIST_INSTALL_HINT =
  'install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass `dir` pointing at the four IDX files';

/** A labelled image data set: images scaled to [0, 1], channels first. */
export interface LabelledImages {
  /** `count * 1 * 28 * 28` pixels in [0, 1]. */
  x: Float32Array;
  /** Class index per image. */
  y: Int32Array;
  count: number;
  /** Per-image shape, channels first: [1, 28, 28]. */
  inputShape: [number, number, number];
  classNames: readonly string[];
}

/** Fashion-MNIST's class names, by index. */
export const FASHION_MNIST_CLASSES = Object.freeze(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);

/**
 * True when the Fashion-MNIST files are present in `dir`.
 *
 * @example
 * if (!hasFashionMnist()) console.log(FASHION_MNIST_INSTALL_HINT);
 */
export function hasFashionMnist(dir = FASHION_MNIST_DIR): boolean {
  return ['train', 't10k'].every((s) => existsSync(join(dir, `${s}-images-idx3-ubyte.gz`)) && existsSync(join(dir, `${s}-labels-idx1-ubyte.gz`)));
}

/**
 * Loads Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): `split` 'train' (60,000) or 'test' (10,000),
 * optionally the first `limit` images (or `offset`..`offset + limit`), pixels scaled to [0, 1].
 * A missing data set is an error with the install command.
 *
 * @example
 * const test = loadFashionMnist({ split: 'test', limit: 100 }); // test.x: Float32Array(100 * 784)
 */
export function loadFashionMnist({
  split = 'test',
  limit,
  offset = 0,
  dir = FASHION_MNIST_DIR,
}: {
  split?: 'train' | 'test';
  limit?: number;
  offset?: number;
  dir?: string;
} = {}): LabelledImages {
  if (split !== 'train' && split !== 'test') throw new RsRangeError('RS_INVALID_ARG_VALUE', `'split' must be 'train' or 'test', got ${JSON.stringify(split)}`);
  if (!hasFashionMnist(dir)) throw new RsError('RS_DATASET_MISSING', `Fashion-MNIST is not in ${dir}: ${FASHION_MNIST_INSTALL_HINT}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte.gz`));
  const total = images.shape[0]!;
  if (images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28 || labels.shape[0] !== total) {
    throw new RsError('RS_MALFORMED_FILE', `unexpected Fashion-MNIST shapes: images [${images.shape.join(', ')}], labels [${labels.shape.join(', ')}]`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= total)
    throw new RsRangeError('RS_INVALID_ARG_VALUE', `'offset' must be an integer in [0, ${total - 1}], got ${offset}`);
  const count = Math.min(limit ?? total, total - offset);
  if (!Number.isInteger(count) || count < 1) throw new RsRangeError('RS_INVALID_ARG_VALUE', `'limit' must be a positive integer, got ${limit}`);
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = images.data[offset * 784 + i]! / 255;
  const y = Int32Array.from(labels.data.subarray(offset, offset + count));
  return { x, y, count, inputShape: [1, 28, 28], classNames: FASHION_MNIST_CLASSES };
}
