import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WASM_BINARIES } from '../src/backend/wasm-binaries.generated.js';

/**
 * The binaries are about 100 kB of base64. Typed as literals they would be copied into the
 * published .d.ts as well, which every type checker of every user then reads (issue 12,
 * docs/decisions/0003-publishing.md); typed `string`, the declaration stays a few hundred bytes.
 */
describe('the generated WebAssembly binaries module', () => {
  const source = readFileSync(new URL('../src/backend/wasm-binaries.generated.ts', import.meta.url), 'utf8');
  const declaration = ts.transpileDeclaration(source, { compilerOptions: {} }).outputText;

  it('declares the binaries as strings, not as their base64 literals', () => {
    expect(source.length).toBeGreaterThan(50_000);
    expect(declaration.length).toBeLessThan(2_000);
    expect(declaration).not.toContain(WASM_BINARIES.simd.slice(0, 64));
    expect(declaration).toMatch(
      /WASM_BINARIES: \{\s*readonly \[variant in 'simd' \| 'relaxed' \| [^\]]*\]: string;\s*\}/,
    );
  });
});
