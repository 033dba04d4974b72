import { loadMnist } from '@zerograd/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type MnistRun, predict, trainChapter5, trainStronger } from '../src/mnist.js';
import { trainingPage } from '../src/pages/training.js';

// The figures the demo prints, held as tests: the full runs, not shortened ones.
describe('MNIST figures of the demo', () => {
  const data = loadMnist({ seed: 0 });
  let ch5: MnistRun;
  beforeAll(() => {
    ch5 = trainChapter5(data, 2000, false);
  });

  it('the book’s chapter-5 net reaches ≥ 0.92 test accuracy in 2,000 iterations', () => {
    expect(ch5.result.iterations).toBe(2000);
    expect(ch5.result.final?.testAccuracy).toBeGreaterThanOrEqual(0.92);
    // 8,000 digits in batches of 100 is 80 iterations an epoch: 25 evaluations, improving.
    expect(ch5.result.history.testAccuracy.length).toBe(25);
    expect(ch5.result.history.testAccuracy[24]).toBeGreaterThan(ch5.result.history.testAccuracy[0]);
    const p = predict(ch5.net, data.test.x, 50);
    const right = p.filter((c, i) => c === data.test.t.data[i]).length;
    expect(right).toBeGreaterThanOrEqual(40);
  });

  it('the stronger net (He, 2×400, Dropout, Adam) reaches ≥ 0.95', () => {
    const r = trainStronger(data, 15, false);
    expect(r.result.final?.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.seconds).toBeLessThan(120);
  }, 180_000);

  it('the training page holds the graph, the dashboard and the digit grid', () => {
    const page = trainingPage(data, ch5);
    const kinds = page.sections.map((s) => s.kind);
    expect(kinds).toContain('graph');
    expect(kinds).toContain('dashboard');
    expect(kinds).toContain('images');
  });
});
