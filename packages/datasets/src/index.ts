/**
 * `@rs/datasets`: data loading for Node (IDX and NumPy .npy files, Fashion-MNIST from Debian's package).
 */
export { parseIdx, readIdx, IDX_MAX_INFLATED_BYTES, type IdxArray } from './idx.js';
export { readNpy, readNpyFile, writeNpy, type NpyArray, type NpyData, type NpyDtype } from './npy.js';
export {
  loadFashionMnist,
  hasFashionMnist,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_INSTALL_HINT,
  type LabelledImages,
} from './fashion-mnist.js';
