// Shared settings: tools/vitest/shared-config.ts
export { default } from '../../tools/vitest/shared-config.js';
