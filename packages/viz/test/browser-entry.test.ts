import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the browser entry', () => {
  it('bundles for the browser with no Node built-ins, and keeps the mounting API', async () => {
    const result = await build({
      stdin: {
        contents: "export { mountGraph, mountSection, mountTrainingDashboard, linePlot } from '@zerograd/viz';",
        resolveDir: import.meta.dirname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['browser', 'source'],
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('index.browser.ts'))).toBe(true);
    expect(inputs.some((f) => /linkedom|node\/page|node\/svg/.test(f))).toBe(false);
    expect(result.outputFiles[0].text).toContain('mountGraph');
  });
});
