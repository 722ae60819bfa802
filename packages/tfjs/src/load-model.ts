import { RsError, RsTypeError } from '@rs/core';
import * as tf from '@tensorflow/tfjs';
import { fileSystemIOHandler, modelJsonPath, readModelJson } from './file-io.js';

/** A loaded TF.js model of either kind. @example const { kind, model }: LoadedTfjsModel = await loadTfjsModel('cnn'); */
export type LoadedTfjsModel = { kind: 'layers'; model: tf.LayersModel } | { kind: 'graph'; model: tf.GraphModel };

/** What a classifier can be made from: a model object, or the path of a model.json (or its directory). @example const source: TfjsModelSource = 'cnn/model.json'; */
export type TfjsModelSource = tf.LayersModel | tf.GraphModel | string;

/**
 * True for a `tf.LayersModel` (duck-typed, so a model from another copy of `@tensorflow/tfjs` counts).
 *
 * @example
 * isLayersModel(tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] })); // true
 */
export function isLayersModel(value: unknown): value is tf.LayersModel {
  if (value instanceof tf.LayersModel) return true;
  const v = value as Record<string, unknown> | null;
  return v !== null && typeof v === 'object' && typeof v.apply === 'function' && Array.isArray(v.layers) && typeof v.getWeights === 'function';
}

/**
 * True for a `tf.GraphModel` (duck-typed).
 *
 * @example
 * isGraphModel(await tf.loadGraphModel(handler)); // true
 */
export function isGraphModel(value: unknown): value is tf.GraphModel {
  if (value instanceof tf.GraphModel) return true;
  const v = value as Record<string, unknown> | null;
  return v !== null && typeof v === 'object' && typeof v.execute === 'function' && typeof v.executeAsync === 'function' && 'modelVersion' in v;
}

/**
 * Loads a TF.js model from disk (layers or graph format, told apart by model.json's `format` and
 * topology), or wraps a model object. Needs no `@tensorflow/tfjs-node`: weights are read by
 * {@link fileSystemIOHandler}. Load after the backend is chosen: weights are created on the active backend.
 *
 * @example
 * const { kind, model } = await loadTfjsModel('out/cnn/model.json'); // kind 'layers' | 'graph'
 */
export async function loadTfjsModel(source: TfjsModelSource): Promise<LoadedTfjsModel> {
  if (isLayersModel(source)) return { kind: 'layers', model: source };
  if (isGraphModel(source)) return { kind: 'graph', model: source };
  if (typeof source !== 'string')
    throw new RsTypeError('RS_INVALID_ARG_TYPE', `'model' must be a tf.LayersModel, a tf.GraphModel or the path of a TF.js model.json`);
  const jsonPath = modelJsonPath(source);
  const json = await readModelJson(jsonPath);
  const topology = json.modelTopology as Record<string, unknown>;
  const graph = json.format === 'graph-model' || Array.isArray(topology.node);
  const layers = !graph && ('class_name' in topology || 'model_config' in topology || 'config' in topology);
  if (!graph && !layers) {
    throw new RsError(
      'RS_MALFORMED_FILE',
      `not a TF.js model.json (${jsonPath}): 'modelTopology' is neither a Keras model (class_name/config) nor a graph (node list)`,
    );
  }
  const handler = fileSystemIOHandler(jsonPath);
  try {
    if (graph) return { kind: 'graph', model: await tf.loadGraphModel(handler) };
    return { kind: 'layers', model: await tf.loadLayersModel(handler, { strict: true }) };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (/not found|cannot read|hold \d+ bytes/.test(message)) throw err;
    throw new RsError('RS_MALFORMED_FILE', `cannot load the TF.js ${graph ? 'graph' : 'layers'} model ${jsonPath}: ${message.split('\n')[0]}`, { cause: err });
  }
}
