import { attrIntOf, attrStringOf } from '../attributes.js';
import type { OpLowering } from '../lower-context.js';
import { wgslType } from './typed-values.js';
import { decompose, elementwiseKernel, numel, stridesOf, u32 } from './wgsl.js';

/**
 * ScatterElements(data, indices, updates) along `axis`, reduction 'none' or 'add' (float data:
 * a compare-and-swap loop makes the float additions atomic; their order, hence the last bits, may vary).
 */
export const scatterElementsLowering: OpLowering = (ctx) => {
  const [data, indices, updates] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  const ds = ctx.shape(data);
  const is = ctx.shape(indices);
  if (is.join() !== ctx.shape(updates).join()) throw ctx.fail('indices and updates must have the same shape');
  let axis = attrIntOf(ctx.node, 'axis', 0);
  if (axis < 0) axis += ds.length;
  const reduction = attrStringOf(ctx.node, 'reduction', 'none');
  if (reduction !== 'none' && reduction !== 'add') throw ctx.fail(`reduction '${reduction}' is not supported ('none', 'add')`);
  const type = ctx.dtype(data);
  if (reduction === 'add' && type !== 'float') throw ctx.fail("reduction 'add' is supported for float data only");
  const elem = wgslType(ctx, data);
  const y = ctx.output(0, ds, type);
  ctx.kernel(
    elementwiseKernel(
      `ScatterElements ${ctx.node.name} (copy)`,
      [
        { variable: 'x', value: data, type: elem },
        { variable: 'y', value: y, write: true, type: elem },
      ],
      numel(ds),
      '  y[i] = x[i];',
    ),
  );
  const outStrides = stridesOf(ds);
  const idxType = wgslType(ctx, indices);
  const head = `${decompose('i', is, [['dst', outStrides.map((s, d) => (d === axis ? 0 : s))]])}
  let raw = i32(idx[i]);
  let extent = i32(meta_.y);
  let k = select(raw, raw + extent, raw < 0);
  if (k < 0 || k >= extent) { return; }
  let at = dst + u32(k) * ${u32(outStrides[axis]!)};
  let v = upd[i];`;
  const body =
    reduction === 'add'
      ? `${head}
  var old = atomicLoad(&y[at]);
  loop {
    let r = atomicCompareExchangeWeak(&y[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`
      : `${head}\n  y[at] = v;`;
  ctx.kernel(
    elementwiseKernel(
      `ScatterElements ${ctx.node.name}`,
      [
        { variable: 'idx', value: indices, type: idxType },
        { variable: 'upd', value: updates, type: elem },
        { variable: 'y', value: y, write: true, type: reduction === 'add' ? 'atomic<u32>' : elem },
      ],
      numel(is),
      body,
      '',
      // The extent of the scattered axis (often the batch size times a sample's size) as a uniform.
      { meta: [ds[axis]!] },
    ),
  );
};
