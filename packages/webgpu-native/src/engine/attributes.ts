import type { Node } from '@rs/onnx-graph';

/**
 * An int attribute of a node, or `dflt`.
 */
export function attrIntOf(node: Node, name: string, dflt: number): number {
  const a = node.attributes[name];
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : dflt;
}

/**
 * A float attribute of a node, or `dflt`.
 */
export function attrFloatOf(node: Node, name: string, dflt: number): number {
  return attrIntOf(node, name, dflt);
}

/**
 * An ints attribute of a node, or undefined.
 */
export function attrIntsOf(node: Node, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a && (a.kind === 'ints' || a.kind === 'floats') ? a.value : undefined;
}

/**
 * A string attribute of a node, or `dflt`.
 */
export function attrStringOf(node: Node, name: string, dflt: string): string {
  const a = node.attributes[name];
  return a && a.kind === 'string' ? a.value : dflt;
}
