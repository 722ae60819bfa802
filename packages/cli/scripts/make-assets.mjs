// Writes the bundled test images: assets/x.npy (float32 [50, 1, 28, 28], pixels / 255) and
// assets/y.npy (int64 [50]), the first 50 images of the Fashion-MNIST test split (Debian's
// dataset-fashion-mnist). The bundled model comes from `rsmooth train` (see assets/README.md).
import { writeFileSync } from 'node:fs';
import { loadFashionMnist, writeNpy } from '@rs/datasets';

const count = 50;
const test = loadFashionMnist({ split: 'test', limit: count });
const dir = new URL('../assets/', import.meta.url);
writeFileSync(new URL('x.npy', dir), writeNpy({ dtype: 'float32', shape: [count, 1, 28, 28], data: test.x }));
writeFileSync(new URL('y.npy', dir), writeNpy({ dtype: 'int64', shape: [count], data: BigInt64Array.from(test.y, (v) => BigInt(v)) }));
console.log(`wrote ${count} images and labels to ${dir.pathname}`);
