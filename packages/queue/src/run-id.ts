import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level (arrays keep their order), so equal settings give
 * equal text whatever order their keys were written in. `undefined` members are left out, as
 * JSON.stringify does.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/**
 * The run id of a set of settings: the first 24 hex digits (96 bits) of the SHA-256 of their
 * canonical JSON. The settings are what decide the results (for rsmooth: the command, the model's
 * SHA-256, the data's SHA-256, the selection, sigma, n0, n, alpha, seed, ...), so the same run
 * submitted twice, from anywhere, has the same id; anything that changes a result changes it.
 *
 * @example
 * runIdFor({ command: 'certify', modelSha256: 'ab12...', data: { sha256: 'cd34...' }, sigma: 0.25, n: 100000 }); // '5f0c...' (24 hex digits)
 */
export function runIdFor(settings: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 24);
}
