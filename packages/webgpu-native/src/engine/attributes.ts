import type { Node } from '@rs/onnx-graph';

/**
 * An int attribute of a node, or `dflt`.
 *
 * @example
 * attrIntOf(node, 'group', 1);
 */
export function attrIntOf(node: Node, name: string, dflt: number): number {
  const a = node.attributes[name];
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : dflt;
}

/**
 * A float attribute of a node, or `dflt`.
 *
 * @example
 * attrFloatOf(node, 'alpha', 0.01);
 */
export function attrFloatOf(node: Node, name: string, dflt: number): number {
  return attrIntOf(node, name, dflt);
}

/**
 * An ints attribute of a node, or undefined.
 *
 * @example
 * attrIntsOf(node, 'strides') ?? [1, 1];
 */
export function attrIntsOf(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a && (a.kind === 'ints' || a.kind === 'floats') ? a.value : undefined;
}

/**
 * A string attribute of a node, or `dflt`.
 *
 * @example
 * attrStringOf(node, 'auto_pad', 'NOTSET');
 */
export function attrStringOf(node: Node, name: string, dflt: string): string {
  const a = node.attributes[name];
  return a && a.kind === 'string' ? a.value : dflt;
}
