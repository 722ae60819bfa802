/**
 * Shape rules of element-wise ops: unary ops (and others whose output is shaped like their
 * first input), Dropout, Cast, broadcasting arithmetic, comparisons and Where.
 */
import type { DType } from '../dtype.js';
import { attrInt } from '../ir.js';
import { broadcastShapes } from './dims.js';
import type { ShapeRule } from './rule.js';

/**
 * Output shaped and typed like the first input (Relu, Softmax, BatchNormalization in inference, ...).
 */
export const sameAsInput: ShapeRule = (_n, [s0], [d0]) => [{ dtype: d0, shape: s0 }];

/** Dropout: the data and a boolean mask of the same shape. */
export const dropoutShape: ShapeRule = (_n, [s0], [d0]) => [
  { dtype: d0, shape: s0 },
  { dtype: 'bool', shape: s0 },
];

/** The dtypes of ONNX's `TensorProto.DataType` codes that `Cast` is inferred for. */
const CAST_TO: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

/** Cast: the input's shape, the dtype of attribute `to`. */
export const castShape: ShapeRule = (n, [s0]) => [{ dtype: CAST_TO[attrInt(n, 'to', 1)], shape: s0 }];

/** Add, Sub, Mul, Div, Pow: numpy broadcasting of the two inputs. */
export const arithmeticShape: ShapeRule = (_n, [a, b], [d0]) => [{ dtype: d0, shape: broadcastShapes(a, b) }];

/** Equal, Less, Greater: a boolean output of the broadcast shape. */
export const compareShape: ShapeRule = (_n, [a, b]) => [{ dtype: 'bool', shape: broadcastShapes(a, b) }];

/** Where(condition, X, Y): X's dtype, the three inputs broadcast. */
export const whereShape: ShapeRule = (_n, [c, a, b], dtypes) => [{ dtype: dtypes[1], shape: broadcastShapes(c, a, b) }];
