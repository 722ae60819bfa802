import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

describe('@rs/core', () => {
  it('loads', () => {
    expect(typeof core).toBe('object');
  });
});
