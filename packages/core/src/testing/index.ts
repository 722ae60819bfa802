export { runAdapterConformance, type AdapterConformanceOptions } from './conformance.js';
