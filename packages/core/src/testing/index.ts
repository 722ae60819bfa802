export { runAdapterConformance } from './conformance.js';
export {
  conformanceChecks,
  conformanceContext,
  type AdapterConformanceOptions,
  type ConformanceCheck,
  type ConformanceContext,
} from './conformance-checks.js';
