import { loadMnist } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { hyperparameterSearch, SEARCH_QUICK, validationSplit } from '../src/chapter6/hyperparameters.js';
import { gapAt, OVERFITTING_QUICK, overfittingRuns } from '../src/chapter6/overfitting.js';

const data = loadMnist({ seed: 0 });

/** Each image's pixels as a string key, to compare images across sets by their content. */
function imageKeys(x: { data: ArrayLike<number>; shape: readonly number[] }): string[] {
  const n = x.shape[0] ?? 0;
  const w = (x.data.length / n) | 0;
  return Array.from({ length: n }, (_, i) =>
    Array.prototype.join.call(Array.prototype.slice.call(x.data, i * w, (i + 1) * w)),
  );
}

describe('6.5 overfitting: 300 digits, a 7-layer net', () => {
  it('opens a train–test gap that weight decay (λ = 0.1) and Dropout each shrink', () => {
    const [plain, decay, dropout] = overfittingRuns(data, OVERFITTING_QUICK);
    expect(plain?.name).toBe('no regularisation');
    expect(plain?.trainAccuracy.at(-1)).toBeGreaterThan(0.8);
    expect(plain?.gap).toBeGreaterThan(0.1);
    expect(decay?.gap).toBeLessThan((plain?.gap ?? 0) * 0.75);
    expect(dropout?.gap).toBeLessThan((plain?.gap ?? 0) * 0.75);
    // Evaluated every 10 epochs, so 6 points each in the quick run.
    expect(plain?.epochs).toEqual([10, 20, 30, 40, 50, 60]);
    if (!plain) throw new Error('no plain run');
    expect(gapAt(plain, 60)).toBe(plain.gap);
    expect(gapAt(plain, 35)).toBe((plain.trainAccuracy[2] ?? 0) - (plain.testAccuracy[2] ?? 0));
    expect(gapAt(plain, 5)).toBeNaN();
  });
});

describe('6.6 hyper-parameter search', () => {
  it('takes the validation digits from the training digits: none is a test digit', () => {
    const split = validationSplit(data, SEARCH_QUICK);
    expect(split.validationRows).toHaveLength(100);
    expect(split.trainRows).toHaveLength(400);
    const rows = new Set([...split.trainRows, ...split.validationRows]);
    expect(rows.size).toBe(500); // disjoint, and together the first 500 training rows
    expect(Math.max(...rows)).toBe(499);
    const test = new Set(imageKeys(data.test.x));
    const validation = imageKeys(split.validation.x);
    expect(validation.filter((k) => test.has(k))).toEqual([]);
    const trainKeys = new Set(imageKeys(data.train.x));
    for (const k of validation) expect(trainKeys.has(k)).toBe(true);
  });

  it('draws learning rate and weight decay on log scales and lists the best first', () => {
    const search = hyperparameterSearch(data, { ...SEARCH_QUICK, trials: 4, epochs: 5 });
    expect(search.trials).toHaveLength(4);
    for (const t of search.trials) {
      expect(Math.log10(t.lr)).toBeGreaterThanOrEqual(-6);
      expect(Math.log10(t.lr)).toBeLessThanOrEqual(-2);
      expect(Math.log10(t.weightDecay)).toBeGreaterThanOrEqual(-8);
      expect(Math.log10(t.weightDecay)).toBeLessThanOrEqual(-4);
      expect(t.validationAccuracy).toHaveLength(5);
      expect(t.score).toBe(t.validationAccuracy.at(-1));
    }
    const scores = search.trials.map((t) => t.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(search.bestTestAccuracy).toBeGreaterThan(0);
  });
});
