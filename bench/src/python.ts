import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Reference implementations in Python run as child processes. Their environment is the
 * harness's minus the variables below, which this machine's image may set to pin OpenBLAS
 * to a core type or cache size; numpy should run as it would on a user's machine, with
 * OpenBLAS detecting the CPU itself. Which of them were present is recorded in the report.
 */
export const SCRUBBED_ENV = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const;

export function pythonEnv(): { env: NodeJS.ProcessEnv; removed: Record<string, string> } {
  const env = { ...process.env };
  const removed: Record<string, string> = {};
  for (const key of SCRUBBED_ENV) {
    if (env[key] !== undefined) removed[key] = env[key] as string;
    delete env[key];
  }
  return { env, removed };
}

export const PYTHON = process.env.ZEROGRAD_BENCH_PYTHON ?? 'python3';

/** True when `python3 -c "import numpy"` works. */
export function hasNumpy(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { env: pythonEnv().env, stdio: 'ignore' });
  return r.status === 0;
}

/**
 * A long-lived Python process that answers one JSON line per JSON line (the `--serve` mode
 * of the bench's Python scripts). Lets a suite interleave reference samples with zerograd's.
 */
export class PythonServer {
  private readonly child;
  private readonly pending: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited = false;

  constructor(script: string, args: string[] = [], python: string = PYTHON) {
    this.child = spawn(python, [script, ...args], { env: pythonEnv().env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.pending.shift();
      if (!waiter) return;
      try {
        const reply = JSON.parse(line) as { error?: string };
        if (reply && typeof reply === 'object' && 'error' in reply) waiter.reject(new Error(`python: ${reply.error}`));
        else waiter.resolve(reply);
      } catch (e) {
        waiter.reject(new Error(`python sent a line that is not JSON: ${line.slice(0, 200)} (${String(e)})`));
      }
    });
    const fail = (why: string) => {
      this.exited = true;
      for (const w of this.pending.splice(0)) w.reject(new Error(`${why}${this.stderr ? `\n${this.stderr}` : ''}`));
    };
    this.child.on('error', (e) => fail(`python could not start: ${e.message}`));
    this.child.on('exit', (code) => fail(`python exited (code ${code})`));
  }

  request<T>(message: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`python is not running${this.stderr ? `\n${this.stderr}` : ''}`));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** CPU seconds the Python process has used so far, all threads (its `cpu` request). */
  async cpuSeconds(): Promise<number> {
    return (await this.request<{ seconds: number }>({ op: 'cpu' })).seconds;
  }

  close(): void {
    if (!this.exited) this.child.stdin.end();
  }
}
