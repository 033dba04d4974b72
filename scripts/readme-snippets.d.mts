// Types of readme-snippets.mjs, for the TypeScript test that imports it.

/** One ```ts block of a README. */
export interface Block {
  file: string;
  /** The fence's 1-based line. */
  line: number;
  info: string;
  /** Why the block is not runnable (`not-runnable: <reason>` on the fence line), or null. */
  skip: string | null;
  code: string;
}
export function readmeFiles(root: string): string[];
export function extractBlocks(markdown: string, file: string): Block[];
export function collectBlocks(root: string): Block[];
export function expectedValue(text: string): string | null;
export function instrument(block: Block): { code: string; checks: number };
export function blockName(block: Block): string;
export function checksMade(stdout: string): number | null;
