import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layering rule of packages/core/src (DESIGN.md, "packages/core, bottom to top"), enforced
// by scripts/check-layers.mjs: on the real tree, and on small fixture trees that show each kind
// of violation is caught (and that imports inside comments or strings are not).

const SCRIPT = fileURLToPath(new URL('../../../scripts/check-layers.mjs', import.meta.url));

function run(args: string[]): { status: number | null; out: string; lines: string[] } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  return { status: r.status, out, lines: out.split('\n').filter((l) => l !== '') };
}

describe('layering of packages/core/src', () => {
  it('has no upward imports, no cycles and no unplaced files', () => {
    const r = run([]);
    expect(r.status, `scripts/check-layers.mjs reports:\n${r.out}`).toBe(0);
    expect(r.out).toMatch(/^layers: \d+ files, \d+ imports, floors ok, no cycles\n$/);
  });
});

describe('check-layers on fixture trees', () => {
  let base: string;
  let count = 0;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'zerograd-layers-'));
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  // A small tree on every floor, importing only downward, in every import form the script
  // understands, plus look-alikes in comments and strings that must not count.
  const CLEAN: Record<string, string> = {
    'errors.ts': 'export class ValueError extends Error {}\n',
    'state.ts': "import { ValueError } from './errors.js';\nexport const modes = { grad: true, e: ValueError };\n",
    'tensor/index.ts': "export * from './tensor.js';\nexport type { DType } from './dtype.js';\n",
    'tensor/dtype.ts': "export type DType = 'float32' | 'float64';\n",
    'tensor/tensor.ts': [
      "import type { DType } from './dtype.js';",
      "import { ValueError } from '../errors.js';",
      "import { produce } from 'immer';",
      'export class Tensor { dtype: DType = "float64"; e = ValueError; p = produce; }',
      '',
    ].join('\n'),
    'kernels/index.ts': [
      '// import { Variable } from "../graph/variable.js";  (a note, not an import)',
      "import { Tensor } from '../tensor/index.js';",
      "const url = 'http://example.com/x'; const re = /\\/\\/ import '..\\/ops\\/a.js'/;",
      'const s = "import { a } from \'../ops/a.js\'";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: fixture source, a template literal on purpose
      "const t = `export * from '../ops/a.js' ${url} and ${`nested ${s}`}`;",
      'export const ratio = (a: number[], n: number) => a[0]! / n / 2;',
      'export { Tensor, re, t };',
      '',
    ].join('\n'),
    'backend/index.ts': "import '../kernels/index.js';\nexport const k = () => import('../kernels/index.js');\n",
    'graph/node.ts': "import { Tensor } from '../tensor/index.js';\nexport class Variable { t?: Tensor; }\n",
    'graph/variable.ts': "export { Variable } from './node.js';\n",
    'graph/ops/registry.ts': "import type { Variable } from '../node.js';\nexport type Op = (v: Variable) => void;\n",
    'ops/shape.ts': [
      'import {',
      '  Variable,',
      '  // Tensor,',
      "} from '../graph/variable.js';",
      "import type { Op } from '../graph/ops/registry.js';",
      'export const reshape: Op = (v: Variable) => void v;',
      '',
    ].join('\n'),
    'check/index.ts': "export * from '../ops/shape.js';\n",
    'testing/index.ts': "export * as check from '../check/index.js';\n",
    'index.ts': [
      '/**',
      ' * @example',
      " * import { reshape } from './internals.js';",
      ' */',
      "export { reshape } from './check/index.js';",
      "export type { DType } from './tensor/index.js';",
      '',
    ].join('\n'),
    'internals.ts': "export * from './kernels/index.js';\nexport * from './index.js';\n",
    'wasm.generated.ts': "import { k } from './backend/index.js';\nexport const g = k;\n",
  };

  function fixture(changes: Record<string, string | null>): string {
    const root = join(base, `t${count++}`);
    const files: Record<string, string | null> = { ...CLEAN, ...changes };
    for (const [rel, text] of Object.entries(files)) {
      if (text === null) continue;
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    return root;
  }

  function violations(changes: Record<string, string | null>): string[] {
    const r = run(['--root', fixture(changes)]);
    expect(r.status, r.out).toBe(1);
    return r.lines;
  }

  it('passes a clean tree, counting files and distinct imports', () => {
    const r = run(['--root', fixture({})]);
    expect(r.status, r.out).toBe(0);
    expect(r.lines).toEqual(['layers: 16 files, 19 imports, floors ok, no cycles']);
  });

  it('reports an upward import', () => {
    expect(
      violations({ 'graph/backward.ts': "import { reshape } from '../ops/shape.js';\nexport const r = reshape;\n" }),
    ).toEqual(['upward: graph/backward.ts (floor 4) imports ops/shape.ts (floor 5)']);
  });

  it('reports a type-only upward import', () => {
    expect(
      violations({
        'tensor/random.ts': "import type { Variable } from '../graph/node.js';\nexport type V = Variable;\n",
      }),
    ).toEqual(['upward: tensor/random.ts (floor 1) imports graph/node.ts (floor 4)']);
  });

  it('reports an upward import written over several lines', () => {
    const text = [
      'import {',
      '  type Variable,',
      '  // a comment inside the list',
      '  Variable as V,',
      '}',
      "  from '../graph/node.js';",
      'export const v = V;',
      '',
    ].join('\n');
    expect(violations({ 'kernels/matmul.ts': text })).toEqual([
      'upward: kernels/matmul.ts (floor 2) imports graph/node.ts (floor 4)',
    ]);
  });

  it('reports `export * from` and `import()` that go upward, and an entry file imported from below', () => {
    expect(
      violations({
        'graph/all.ts': "export * from '../ops/shape.js';\n",
        'backend/lazy.ts': "export const load = () => import('../check/index.js');\n",
        'testing/entry.ts': "import '../index.js';\n",
      }),
    ).toEqual([
      'upward: backend/lazy.ts (floor 3) imports check/index.ts (floor 6)',
      'upward: graph/all.ts (floor 4) imports ops/shape.ts (floor 5)',
      'upward: testing/entry.ts (floor 7) imports index.ts (floor 8)',
    ]);
  });

  it('does not report imports that appear only inside comments', () => {
    const text = [
      "// import { reshape } from '../ops/shape.js';",
      "/* export * from '../ops/shape.js'; */",
      '/**',
      " * import { check } from '../testing/index.js';",
      " * @see import('../check/index.js')",
      ' */',
      "import { Tensor } /* from '../ops/shape.js' */ from '../tensor/index.js'; // import '../index.js'",
      'export const t = Tensor;',
      '',
    ].join('\n');
    const r = run(['--root', fixture({ 'kernels/reduce.ts': text })]);
    expect(r.status, r.out).toBe(0);
    expect(r.lines).toEqual(['layers: 17 files, 20 imports, floors ok, no cycles']);
  });

  it('reports a two-file cycle, even when both sides import only types', () => {
    expect(
      violations({
        'tensor/dtype.ts':
          "import type { Pool } from './pool.js';\nexport type DType = 'float64'; export type P = Pool;\n",
        'tensor/pool.ts': "import type { DType } from './dtype.js';\nexport type Pool = { d: DType };\n",
      }),
    ).toEqual(['cycle: tensor/dtype.ts -> tensor/pool.ts -> tensor/dtype.ts']);
  });

  it('reports a three-file cycle as a path', () => {
    expect(
      violations({
        'ops/arithmetic.ts': "import { log } from './math.js';\nexport const add = log;\n",
        'ops/math.ts': "import { sum } from './reduce.js';\nexport const log = sum;\n",
        'ops/reduce.ts': "export { add as sum } from './arithmetic.js';\n",
      }),
    ).toEqual(['cycle: ops/arithmetic.ts -> ops/math.ts -> ops/reduce.ts -> ops/arithmetic.ts']);
  });

  it('reports a file that imports itself', () => {
    expect(violations({ 'ops/self.ts': "export * from './self.js';\n" })).toEqual([
      'cycle: ops/self.ts -> ops/self.ts',
    ]);
  });

  it('reports a cycle across floors together with its upward edge', () => {
    expect(violations({ 'graph/node.ts': "import '../ops/shape.js';\nexport class Variable {}\n" })).toEqual([
      'upward: graph/node.ts (floor 4) imports ops/shape.ts (floor 5)',
      'cycle: graph/node.ts -> ops/shape.ts -> graph/ops/registry.ts -> graph/node.ts',
      'cycle: graph/node.ts -> ops/shape.ts -> graph/variable.ts -> graph/node.ts',
    ]);
  });

  it('reports every file in a folder that has no floor', () => {
    expect(
      violations({
        'util/helpers.ts': "import { Tensor } from '../tensor/index.js';\nexport const h = Tensor;\n",
        'util/deep/more.ts': 'export const m = 1;\n',
      }),
    ).toEqual(['unplaced: util/deep/more.ts', 'unplaced: util/helpers.ts']);
  });

  it('reports a relative import that names no file', () => {
    expect(violations({ 'ops/broken.ts': "import { x } from './missing.js';\nexport const y = x;\n" })).toEqual([
      "unresolved: ops/broken.ts imports './missing.js'",
    ]);
  });
});
