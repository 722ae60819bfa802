/** The fixture CNN and PyTorch's reference outputs (shared with the other backends' tests). */
export { loadFmnistCnn as fixture, relativeError } from '@rs/fixtures';
