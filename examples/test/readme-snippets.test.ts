/**
 * Every ```ts block of README.md and packages/*\/README.md runs, and prints or computes what its
 * comments promise (scripts/readme-snippets.mjs says how comments are read). Each block is a
 * separate Node process, run from a temporary directory (blocks write files) against the
 * workspace's sources; scripts/consumer-test.mjs runs the same blocks against the tarballs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Block, blockName, checksMade, collectBlocks, instrument } from '../../scripts/readme-snippets.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = pathToFileURL(join(ROOT, 'scripts/snippet-harness.mjs')).href;
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
// Inside examples/node_modules, so `@zerograd/*` resolve to the workspace packages, and git ignores it.
const DIR = join(ROOT, 'examples/node_modules/.readme-snippets');
const WORK = mkdtempSync(join(tmpdir(), 'zerograd-readme-'));

afterAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  rmSync(WORK, { recursive: true, force: true });
});

/** Runs an instrumented block as a Node program; resolves with its exit code and output. */
function run(block: Block): Promise<{ code: number | null; stdout: string; stderr: string; checks: number }> {
  const { code, checks } = instrument(block);
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${blockName(block)}.mts`);
  writeFileSync(file, code);
  const cwd = mkdtempSync(join(WORK, 'run-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, '--import', HARNESS, file], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status, stdout, stderr, checks }));
  });
}

const blocks = collectBlocks(ROOT);

describe('README examples', () => {
  it('every README has blocks, and each one either runs or says on its fence line why not', () => {
    for (const file of [
      'README.md',
      'packages/core/README.md',
      'packages/layers/README.md',
      'packages/viz/README.md',
    ]) {
      expect(blocks.some((b) => b.file === file)).toBe(true);
    }
    for (const b of blocks.filter((x) => x.skip !== null)) expect(b.skip?.length).toBeGreaterThan(10);
    // Most blocks are whole programs; skipping is the exception.
    expect(blocks.filter((b) => b.skip === null).length).toBeGreaterThan(blocks.length / 2);
  });

  for (const block of blocks.filter((b) => b.skip === null)) {
    it(`${block.file}:${block.line} runs and keeps its promises`, async () => {
      const r = await run(block);
      expect(r.code, `exit ${r.code}\n${r.stderr}\n${r.stdout}`).toBe(0);
      // Every check that instrument() placed ran (none sat in a branch that was skipped).
      expect(checksMade(r.stdout)).toBe(r.checks);
    }, 180_000);
  }

  it('a broken promise fails the block: a wrong printed value, a wrong value, a missing key', async () => {
    const bad = {
      file: 'FAKE.md',
      line: 1,
      info: '',
      skip: null,
      code: [
        "import { variable } from '@zerograd/core';",
        'const x = variable(100).mul(1.1); // 110',
        'console.log(x.item()); // 110',
        'x.item() > 100; // false',
        '({ a: 1, b: 2 }); // { a, c }',
        'console.log(0.5); // ≥ 0.92',
      ].join('\n'),
    };
    const r = await run(bad);
    expect(r.code).not.toBe(0);
    expect(checksMade(r.stdout)).toBe(5);
    expect(r.stderr).toContain('FAKE.md:3: the value is 110.00000000000001, the comment promises 110');
    expect(r.stderr).toContain('FAKE.md:4: printed "110.00000000000001", the comment promises "110"');
    expect(r.stderr).toContain('FAKE.md:5: the value is true, the comment promises false');
    expect(r.stderr).toContain("FAKE.md:6: the value is [ 'a', 'b' ], the comment promises keys a,c");
    expect(r.stderr).toContain('FAKE.md:7: printed "0.5", the comment promises "≥ 0.92"');
  }, 60_000);
});
