import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';

/**
 * The folder of the bundled default model and images (packages/cli/assets).
 */
export const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

/**
 * The bundled default: a small CNN this project trained with `rsmooth train` (see assets/README.md;
 * `tfjsModel` is the same weights as a TF.js model) and Fashion-MNIST test images with their labels, used when certify/predict get neither --model
 * nor --data, and by `rsmooth demo`.
 */
export function bundledDefault(): { model: string; tfjsModel: string; data: string; labels: string; sigma: number; n: number; clip: [number, number] } {
  const model = `${ASSETS_DIR}model.onnx`;
  if (!existsSync(model)) throw new CliError(`the bundled default model is missing: ${model}`, { code: 'RS_FILE_NOT_FOUND' });
  return { model, tfjsModel: `${ASSETS_DIR}tfjs/model.json`, data: `${ASSETS_DIR}x.npy`, labels: `${ASSETS_DIR}y.npy`, sigma: 0.25, n: 10_000, clip: [0, 1] };
}

/**
 * This package's version (from its package.json).
 */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
