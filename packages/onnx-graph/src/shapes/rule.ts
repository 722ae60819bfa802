/**
 * The shape rules' contract: from a node and what is known of its inputs, the dtype and shape
 * of each output.
 */
import type { DType } from '../dtype.js';
import type { Dim, Node } from '../ir.js';
import type { SymValue } from './partial-eval.js';

/**
 * What a rule infers for one output: its dtype and (possibly partial) shape, either left out
 * when unknown; undefined for an output the rule says nothing about.
 */
export type Inferred = { dtype?: DType; shape?: Dim[] } | undefined;

/**
 * Infers a node's outputs from its inputs' shapes, dtypes and known values (small integer
 * tensors, see `evalValue`) at the model's default-domain opset.
 */
export type ShapeRule = (
  node: Node,
  shapes: (Dim[] | undefined)[],
  dtypes: (DType | undefined)[],
  values: (SymValue | undefined)[],
  opset: number,
) => Inferred[];
