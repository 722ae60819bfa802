import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../errors.js';

/**
 * The kind of model a `--model` path holds, from its name and (for a directory or a .json file)
 * its content: `'onnx'` for `.onnx`, `'tfjs'` for a TF.js model.json (or a directory holding one).
 */
export function modelKind(path: string): 'onnx' | 'tfjs' | 'unknown' {
  if (/\.onnx$/i.test(path)) return 'onnx';
  const json = tfjsModelJson(path);
  return json ? 'tfjs' : 'unknown';
}

/**
 * The model.json of a TF.js model given as that file or its directory, or undefined when the path
 * is neither.
 */
export function tfjsModelJson(path: string): string | undefined {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'model.json') : path;
  if (!/\.json$/i.test(file) || !existsSync(file)) return undefined;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology?: unknown; weightsManifest?: unknown };
    return json.modelTopology !== undefined ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 of a model's bytes: the .onnx file, or a TF.js model.json followed by its weight files in
 * manifest order. It identifies the model in the run log's settings.
 */
export function modelSha256(path: string): string {
  const hash = createHash('sha256');
  const json = /\.onnx$/i.test(path) ? undefined : tfjsModelJson(path);
  if (!json) {
    hash.update(readFileSync(path));
    return hash.digest('hex');
  }
  const bytes = readFileSync(json);
  hash.update(bytes);
  const manifest = (JSON.parse(bytes.toString('utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest ?? [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const file = resolve(dirname(json), p);
      if (!existsSync(file)) throw new CliError(`--model ${path}: weights file ${p} listed in ${json} is missing`, { code: 'RS_FILE_NOT_FOUND' });
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex');
}
