import { RsError, RsRangeError } from '@rs/core';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Bytes per element of a weight as stored (after quantization), or undefined for strings. */
function storedBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const q = spec.quantization?.dtype;
  if (q) return q === 'uint8' ? 1 : 2;
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'bool':
      return 1;
    case 'complex64':
      return 8;
    default:
      return undefined;
  }
}

/**
 * Where a model lives on disk: `path` is the model.json file, or a directory holding `model.json`.
 *
 * @example
 * modelJsonPath('out/cnn'); // 'out/cnn/model.json'
 */
export function modelJsonPath(path: string): string {
  return path.toLowerCase().endsWith('.json') ? path : join(path, 'model.json');
}

/**
 * Reads and checks the model.json at `jsonPath`: JSON, an object with a `modelTopology`, a well-formed
 * `weightsManifest`. Errors name the file.
 *
 * @example
 * const json = await readModelJson('cnn/model.json'); // json.format, json.modelTopology, json.weightsManifest
 */
export async function readModelJson(jsonPath: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RsError(
      code === 'ENOENT' ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
      code === 'ENOENT' ? `TF.js model file not found: ${jsonPath}` : `cannot read TF.js model file ${jsonPath}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RsError('RS_MALFORMED_FILE', `not a TF.js model.json (${jsonPath}): invalid JSON (${(err as Error).message})`, { cause: err });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new RsError('RS_MALFORMED_FILE', `not a TF.js model.json (${jsonPath}): expected a JSON object`);
  const m = json as Record<string, unknown>;
  const topology = m.modelTopology;
  if (topology === null || typeof topology !== 'object') {
    throw new RsError(
      'RS_MALFORMED_FILE',
      `not a TF.js model.json (${jsonPath}): it has no 'modelTopology' object (keys: ${Object.keys(m).join(', ') || 'none'})`,
    );
  }
  if (
    m.weightsManifest !== undefined &&
    (!Array.isArray(m.weightsManifest) || m.weightsManifest.some((g) => !g || !Array.isArray(g.paths) || !Array.isArray(g.weights)))
  ) {
    throw new RsError('RS_MALFORMED_FILE', `not a TF.js model.json (${jsonPath}): 'weightsManifest' must be an array of { paths, weights }`);
  }
  return m as unknown as tf.io.ModelJSON;
}

/** Reads the weight shards the manifest lists, relative to the model.json's directory, checking their sizes. */
async function readWeights(jsonPath: string, manifest: tf.io.WeightsManifestConfig): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const dir = dirname(jsonPath);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const [g, group] of manifest.entries()) {
    let groupBytes = 0;
    for (const shard of group.paths) {
      const file = resolve(dir, shard);
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new RsError(
          code === 'ENOENT' ? 'RS_FILE_NOT_FOUND' : 'RS_FILE_UNREADABLE',
          code === 'ENOENT'
            ? `weights file not found: ${file} (listed in the weightsManifest of ${jsonPath})`
            : `cannot read weights file ${file}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      groupBytes += buf.byteLength;
      buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    }
    let needed = 0;
    let known = true;
    for (const spec of group.weights) {
      const per = storedBytes(spec);
      if (per === undefined) known = false;
      else needed += per * spec.shape.reduce((a, b) => a * b, 1);
    }
    if (known && needed !== groupBytes) {
      throw new RsError(
        'RS_MALFORMED_FILE',
        `weights of ${jsonPath} (group ${g}: ${group.paths.join(', ')}) hold ${groupBytes} bytes, but its weightsManifest describes ${needed} bytes: truncated or mismatched weight files`,
      );
    }
    specs.push(...group.weights);
  }
  return [specs, tf.io.concatenateArrayBuffers(buffers)];
}

/**
 * A `tf.io.IOHandler` over the local file system, without `@tensorflow/tfjs-node`: `load` reads a
 * TF.js model.json (layers or graph format) and the weight shards its `weightsManifest` lists;
 * `save` writes `model.json` plus one weights file next to it (`weights.bin` beside `model.json`,
 * else `<name>.weights.bin`). Errors name the file: a missing file, JSON that is not a TF.js model,
 * a missing or truncated weights shard.
 *
 * @example
 * const model = await tf.loadLayersModel(fileSystemIOHandler('out/cnn/model.json'));
 * await model.save(fileSystemIOHandler('out/cnn-copy'));
 */
export function fileSystemIOHandler(path: string): tf.io.IOHandler {
  const jsonPath = modelJsonPath(path);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await readModelJson(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, (manifest) => readWeights(jsonPath, manifest));
    },
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new RsError('RS_UNSUPPORTED_MODEL', 'cannot save a model whose topology is binary (a GraphDef protobuf); only JSON topologies are supported');
      const dir = dirname(jsonPath);
      await mkdir(dir, { recursive: true });
      const existing = await stat(jsonPath).catch(() => undefined);
      if (existing?.isDirectory()) throw new RsRangeError('RS_INVALID_ARG_VALUE', `cannot save to ${jsonPath}: it is a directory`);
      const name = basename(jsonPath);
      const weightsName = name === 'model.json' ? 'weights.bin' : `${name.replace(/\.json$/i, '')}.weights.bin`;
      const weightData =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs ?? [] }];
      const json: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
      };
      for (const key of ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const) {
        if (artifacts[key] !== undefined) json[key] = artifacts[key];
      }
      await writeFile(join(dir, weightsName), new Uint8Array(weightData));
      await writeFile(jsonPath, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
