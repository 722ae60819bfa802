// Shared settings: tools/vitest/shared-config.ts
export { default } from '../vitest/shared-config.js';
