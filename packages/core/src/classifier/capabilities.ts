import { describeValue, RsTypeError } from '../errors.js';
import type { CapabilityName, Classifier, ClassifierCapabilities } from './classifier.js';

/** Every optional capability, in report order. */
export const CAPABILITY_NAMES: readonly CapabilityName[] = Object.freeze(['gradients', 'training', 'activations', 'save', 'deviceSampling', 'preprocessing']);

/** What each capability's property must provide: `[member, kind]` pairs (the property itself when member is ''). */
const CAPABILITY_SHAPES: Readonly<Record<CapabilityName, ReadonlyArray<readonly [string, 'function' | 'array' | 'Float32Array']>>> = {
  gradients: [['vjp', 'function']],
  training: [
    ['step', 'function'],
    ['reset', 'function'],
  ],
  activations: [
    ['layerNames', 'array'],
    ['getActivations', 'function'],
  ],
  save: [['', 'function']],
  deviceSampling: [['countPredictions', 'function']],
  preprocessing: [
    ['sub', 'Float32Array'],
    ['div', 'Float32Array'],
  ],
};

/** Properties of the first version of the contract, and what replaced them. */
const RENAMED: Readonly<Record<string, string>> = {
  capabilities: "capabilities are declared by their property being present (read them with capabilitiesOf); remove 'capabilities'",
  saver: "'saver' is now 'save': a function (path) => void | Promise<void>",
  deviceSampler: "'deviceSampler' is now 'deviceSampling'",
};

/**
 * Which optional capabilities a classifier has: a capability is present when its property is.
 * The one source every check, error message and report reads.
 *
 * @example
 * capabilitiesOf(fromFunction({ inputShape: [2], nbClasses: 2, predict }));
 * // { gradients: false, training: false, activations: false, save: false, deviceSampling: false, preprocessing: false }
 */
export function capabilitiesOf(classifier: Classifier): ClassifierCapabilities {
  const out = {} as Record<CapabilityName, boolean>;
  for (const name of CAPABILITY_NAMES) out[name] = classifier[name] !== undefined && classifier[name] !== null;
  return Object.freeze(out);
}

/**
 * Returns the classifier's `capability` property, or throws a `TypeError` that names the method,
 * the capability and the classifier's note on why it is absent.
 *
 * @example
 * const training = requireCapability(classifier, 'training', 'fit'); // TrainingCapability
 */
export function requireCapability<K extends CapabilityName>(classifier: Classifier, capability: K, method: string): NonNullable<Classifier[K]> {
  const value = classifier[capability];
  if (value === undefined || value === null) {
    const note = classifier.capabilityNotes?.[capability];
    const present = CAPABILITY_NAMES.filter((n) => classifier[n] !== undefined && classifier[n] !== null);
    throw new RsTypeError(
      'RS_CAPABILITY_MISSING',
      `${method} needs a classifier with the '${capability}' capability; this one has none${note ? ` (${note})` : ''} (it has: ${present.length ? present.join(', ') : 'logits only'})`,
    );
  }
  return value as NonNullable<Classifier[K]>;
}

function kindOf(value: unknown, kind: 'function' | 'array' | 'Float32Array'): boolean {
  if (kind === 'function') return typeof value === 'function';
  if (kind === 'array') return Array.isArray(value);
  return value instanceof Float32Array;
}

/**
 * Checks the optional part of the contract: each present capability has the members it needs,
 * `capabilityNotes` only explains absent capabilities, and no property of the first contract
 * version (`capabilities`, `saver`, `deviceSampler`) is left over. Throws a `TypeError` naming
 * the first problem.
 */
export function assertCapabilities(c: Classifier, name: string): void {
  const record = c as unknown as Record<string, unknown>;
  for (const [old, message] of Object.entries(RENAMED)) {
    if (record[old] !== undefined) throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.${old}': ${message}`);
  }
  const training = record.training as Record<string, unknown> | undefined | null;
  if (training && typeof training === 'object' && training.trainOnBatch !== undefined && training.step === undefined) {
    throw new RsTypeError(
      'RS_INVALID_ARG_TYPE',
      `'${name}.training.trainOnBatch' is now 'training.step(x, rows, head, hyper)': run the forward pass, call head.evaluate(logits, rows) and apply the weight gradient of its 'gradient'`,
    );
  }
  for (const capability of CAPABILITY_NAMES) {
    const value = record[capability];
    if (value === undefined || value === null) continue;
    for (const [member, kind] of CAPABILITY_SHAPES[capability]) {
      const v = member === '' ? value : typeof value === 'object' || typeof value === 'function' ? (value as Record<string, unknown>)[member] : undefined;
      if (!kindOf(v, kind)) {
        const path = member === '' ? `${name}.${capability}` : `${name}.${capability}.${member}`;
        throw new RsTypeError(
          'RS_INVALID_ARG_TYPE',
          `'${path}' must be ${kind === 'array' ? 'an array' : `a ${kind}`} (the '${capability}' capability), got ${describeValue(v)}`,
        );
      }
    }
  }
  const notes = c.capabilityNotes;
  if (notes !== undefined) {
    if (notes === null || typeof notes !== 'object')
      throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.capabilityNotes' must be an object, got ${describeValue(notes)}`);
    for (const [key, note] of Object.entries(notes)) {
      if (!(CAPABILITY_NAMES as readonly string[]).includes(key)) {
        throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.capabilityNotes.${key}' is not a capability (capabilities: ${CAPABILITY_NAMES.join(', ')})`);
      }
      if (typeof note !== 'string')
        throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.capabilityNotes.${key}' must be a string, got ${describeValue(note)}`);
      if (record[key] !== undefined && record[key] !== null) {
        throw new RsTypeError('RS_INVALID_ARG_TYPE', `'${name}.capabilityNotes.${key}' explains why '${key}' is absent, but '${name}.${key}' is present`);
      }
    }
  }
}
