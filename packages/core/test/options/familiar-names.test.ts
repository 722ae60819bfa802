import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOptions, smooth, suggestOptionName } from '../../src/index.js';
import { schemaOptionNames } from '../../src/options/familiar-names.js';
import { fitOptionsSchema } from '../../src/options/run-options.js';
import { binaryLinear } from '../smoothing/helpers.js';

const f = binaryLinear([1, -1], 0);
const g = smooth(f, { scale: 0.25, seed: 1 });
const x = new Float32Array([0.5, 0.1]);
/** The error an unknown option gets: a TypeError with the stable code and exactly this message. */
const unknownOption = (message: string) => expect.objectContaining({ name: 'TypeError', code: 'RS_UNKNOWN_OPTION', message });

describe("ART's and Cohen et al.'s option names get 'did you mean' errors", () => {
  it.each([
    ['sigma', 'scale'],
    ['noise_sd', 'scale'],
    ['sample_size', 'sampleSize'],
    ['N0', 'sampleSize'],
    ['nb_classes', 'nbClasses'],
    ['num_classes', 'nbClasses'],
    ['input_shape', 'inputShape'],
    ['clip_values', 'clipValues'],
    ['channels_first', 'channelsFirst'],
    ['Alpha', 'alpha'],
    ['alpah', 'alpha'],
  ])('smoothing option %s -> %s', (given, meant) => {
    expect(() => smooth(f, { [given]: 1 } as never)).toThrow(unknownOption(`smoothing options: unknown option '${given}' (did you mean '${meant}'?)`));
  });

  it('run options: N, batch_size, is_abstain, nb_epochs, learning_rate', async () => {
    await expect(g.certify(x, { N: 100 } as never)).rejects.toThrow("certify options: unknown option 'N' (did you mean 'n'?)");
    await expect(g.certify(x, { n: 100, batch_size: 10 } as never)).rejects.toThrow("unknown option 'batch_size' (did you mean 'batchSize'?)");
    await expect(g.predict(x, { is_abstain: false } as never)).rejects.toThrow("unknown option 'is_abstain' (did you mean 'isAbstain'?)");
    expect(() => parseOptions(fitOptionsSchema, { nb_epochs: 1, learning_rate: 0.1 }, 'fit options')).toThrow(
      "fit options: unknown options 'nb_epochs' (did you mean 'nbEpochs'?), 'learning_rate' (did you mean 'learningRate'?)",
    );
  });

  it('names an unknown key without a guess when nothing is close, and never guesses an option the schema lacks', () => {
    expect(() => smooth(f, { foo: 1 } as never)).toThrow(unknownOption("smoothing options: unknown option 'foo'"));
    expect(() => smooth(f, { x: 1 } as never)).toThrow(unknownOption("smoothing options: unknown option 'x'"));
    expect(suggestOptionName('sigma', ['n', 'batchSize'])).toBeUndefined(); // certify options have no 'scale'
    expect(suggestOptionName('N', ['n', 'batchSize'])).toBe('n');
    expect(suggestOptionName('bacthSize', ['n', 'batchSize'])).toBe('batchSize');
  });

  it('reads option names through wrappers of an object schema', () => {
    const base = z.object({ scale: z.number(), alpha: z.number() }).strict();
    expect(schemaOptionNames(base)).toEqual(['scale', 'alpha']);
    expect(schemaOptionNames(base.optional().default({ scale: 1, alpha: 0.1 }))).toEqual(['scale', 'alpha']);
    expect(schemaOptionNames(base.transform((v) => v.scale))).toEqual(['scale', 'alpha']);
    expect(schemaOptionNames(z.number())).toEqual([]);
    expect(() =>
      parseOptions(
        base.transform((v) => v.scale),
        { scale: 1, alpha: 0.1, sigma: 2 },
        'opts',
      ),
    ).toThrow("opts: unknown option 'sigma' (did you mean 'scale'?)");
  });
});
