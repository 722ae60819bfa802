import { describe, it } from 'vitest';
import type { Classifier } from '../classifier/classifier.js';
import { type AdapterConformanceOptions, type ConformanceContext, conformanceChecks, conformanceContext } from './conformance-checks.js';

/**
 * The shared contract every backend adapter must honour, as one vitest suite (vitest >= 4.1, an
 * optional peer dependency of `@rs/core`). An adapter's test file is a single call. Each check
 * whose capability the classifier lacks (or whose option is not given) is skipped with the reason.
 *
 * @example
 * import { runAdapterConformance } from '@rs/core/testing';
 * runAdapterConformance({
 *   name: 'onnx (cpu)',
 *   create: () => OnnxClassifier.create({ model: 'model.onnx', inputShape: [1, 28, 28], nbClasses: 10 }),
 *   inputs: x, labels: y, referenceLogits: pytorchLogits,
 *   capabilities: { gradients: true, training: true },
 * });
 */
export function runAdapterConformance(options: AdapterConformanceOptions): void {
  describe.skipIf(Boolean(options.skip))(`adapter conformance: ${options.name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    let context: Promise<ConformanceContext> | undefined;
    const setup = (): Promise<ConformanceContext> => {
      context ??= Promise.resolve(options.create()).then((c: Classifier) => conformanceContext(c, options));
      return context;
    };
    for (const check of conformanceChecks()) {
      it(check.name, async (ctx) => {
        const reason = await check.run(await setup());
        if (reason !== undefined) ctx.skip(reason);
      });
    }
  });
}
