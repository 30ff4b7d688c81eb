import { describe, expect, it } from 'vitest';
import { ksTwoSample } from '../../scripts/bench/ks-test.ts';

/** The timing benchmark's statistics must tell different distributions apart, and not same ones. */
describe('the two-sample Kolmogorov–Smirnov test', () => {
  const uniform = (n: number, shift = 0, seed = 1) => {
    let s = seed;
    return Array.from({ length: n }, () => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647 + shift;
    });
  };

  it('finds no difference between two samples of one distribution', () => {
    const { p } = ksTwoSample(uniform(2000, 0, 7), uniform(2000, 0, 11));
    expect(p).toBeGreaterThan(0.05);
  });

  it('finds a shift of a tenth of the range', () => {
    const { d, p } = ksTwoSample(uniform(2000, 0, 7), uniform(2000, 0.1, 11));
    expect(d).toBeGreaterThan(0.07);
    expect(p).toBeLessThan(0.001);
  });

  it('gives D = 1 for samples that do not overlap', () => {
    expect(ksTwoSample([1, 2, 3], [4, 5, 6]).d).toBe(1);
  });
});
