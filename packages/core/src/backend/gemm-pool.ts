/**
 * Two cores for large products and convolutions: the calling thread plus a worker thread,
 * over the kernels' shared linear memory. A job is one kernel call cut in two: a product above
 * `PARALLEL_MIN_MACS` multiply-adds along C's longer side, a convolution into two halves of its
 * images. The caller posts the second part and computes the first; the second
 * goes to whichever thread claims it first (a compare-and-swap on one slot): the worker, when
 * it is running, or else the caller itself once its own part is done. So a worker that the
 * OS has not scheduled (another process busy on the other core) costs nothing but the claim:
 * the job is never slower than on one thread by more than the bookkeeping.
 * Operands are already in shared memory (the caller copied them there), so nothing is sent
 * per job but a dozen integers through a control block and one `Atomics.notify`.
 *
 * Waking a sleeping thread (a futex) costs tens of microseconds, as much as half an MNIST-sized
 * product, and a training loop posts one every few hundred microseconds. So after each job the
 * worker polls for the next for `WORKER_POLL_MS` before it sleeps, and the caller polls for the
 * worker's part for up to `CALLER_POLL_MS` before it sleeps (OpenBLAS's threads do the same).
 *
 * Workers start lazily at the first large job and serve from their second (until one is
 * ready the calling thread does everything). In Node they are `worker_threads` made from
 * source (no file is read) and unref'd, so a process exits by itself while they wait; in a
 * browser they are Web Workers from a Blob URL, used only where shared memory exists
 * (cross-origin isolated pages). Anything that fails on the way leaves one thread working.
 */
import { POOL_KERNELS, type PoolKernel, type WasmKernels } from './wasm-kernels.js';

/**
 * Products of fewer multiply-adds run on one thread. Measured on this machine (2-core AMD
 * EPYC, Node 20, relaxed SIMD, 15 alternating rounds, min and median): from 8 M on a second
 * thread gains clearly (200³: 350 → 214–282 µs; 100×400×400: 701 → 450–549 µs); at the MNIST
 * products (3.9 M) the best case gains 1.3–1.5× but the median only 0–20% (copies into shared
 * memory cost V8 twice a plain copy), and a chapter-5 iteration was no faster in A/B runs; at
 * 1 M and below nothing.
 */
export const PARALLEL_MIN_MACS = 1 << 22;

// Control block (Int32Array) slots.
const JOB = 0; // sequence number of the last job posted
const DONE = 1; // sequence number of the last job the worker finished
const READY = 2; // 1 once the worker has instantiated the kernels
const OK = 3; // 1 if the worker's last job succeeded (else the caller redoes its part)
const CLAIM = 4; // the job whose second part is unclaimed; −job once a thread has claimed it
const PAUSE = 5; // test hook: milliseconds the worker sleeps before its next claim
const ARGS = 6; // the kernel's index in POOL_KERNELS, then up to 12 arguments
const MAX_ARGS = 12;
const SLOTS = ARGS + 1 + MAX_ARGS;
const STOP = -1;

/** Milliseconds the worker polls for a job before sleeping, and the caller for the worker's part. */
const WORKER_POLL_MS = 2;
const CALLER_POLL_MS = 1;

/** The worker's whole program: instantiate, then serve jobs forever. */
const WORKER_MAIN = `
const KERNELS = ${JSON.stringify(POOL_KERNELS)};
function start({ module, memory, control }) {
  const ex = new WebAssembly.Instance(module, { env: { memory, abort() {} } }).exports;
  const c = new Int32Array(control);
  Atomics.store(c, ${READY}, 1);
  let seen = Atomics.load(c, ${JOB});
  for (;;) {
    const until = performance.now() + ${WORKER_POLL_MS};
    while (Atomics.load(c, ${JOB}) === seen && performance.now() < until);
    Atomics.wait(c, ${JOB}, seen);
    seen = Atomics.load(c, ${JOB});
    if (seen === ${STOP}) return;
    const pause = Atomics.exchange(c, ${PAUSE}, 0);
    if (pause > 0) Atomics.wait(c, ${SLOTS}, 0, pause);
    // Read the arguments, then claim: a claim that succeeds proves they were this job's.
    const a = ${ARGS};
    const kernel = ex[KERNELS[c[a]]];
    const args = [];
    for (let i = 1; i <= ${MAX_ARGS}; i++) args.push(c[a + i]);
    if (Atomics.compareExchange(c, ${CLAIM}, seen, -seen) !== seen) continue; // the caller took it
    let ok = 1;
    try {
      kernel(...args);
    } catch {
      ok = 0;
    }
    Atomics.store(c, ${OK}, ok);
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
}`;

interface WorkerHandle {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

type NodeWorkerModule = {
  Worker: new (
    code: string,
    options: { eval: true },
  ) => WorkerHandle & { unref(): void; on(event: string, fn: (e: unknown) => void): void };
};

function spawnWorker(onError: () => void): WorkerHandle | null {
  const g = globalThis as {
    process?: { getBuiltinModule?: (name: string) => unknown; versions?: { node?: string } };
    Worker?: new (url: string) => WorkerHandle & { onerror: unknown };
    Blob?: typeof Blob;
    URL?: typeof URL;
  };
  if (g.process?.versions?.node) {
    const wt = g.process.getBuiltinModule?.('node:worker_threads') as NodeWorkerModule | undefined;
    if (!wt) return null;
    const w = new wt.Worker(`${WORKER_MAIN}\nrequire('node:worker_threads').parentPort.once('message', start);`, {
      eval: true,
    });
    w.unref();
    w.on('error', onError);
    return w;
  }
  if (typeof g.Worker === 'function' && g.Blob && g.URL) {
    const url = g.URL.createObjectURL(new g.Blob([`${WORKER_MAIN}\nself.onmessage = (e) => start(e.data);`]));
    const w = new g.Worker(url);
    w.onerror = onError;
    return w;
  }
  return null;
}

/** Whether a thread may block in `Atomics.wait` (Node's main thread may; a browser's may not). */
function canBlock(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; document?: unknown };
  return !!g.process?.versions?.node || typeof g.document === 'undefined';
}

/** One worker beside the calling thread, serving `WasmKernels.parallelGemm`. */
export class GemmPool {
  private readonly kernels: WasmKernels;
  private readonly control: Int32Array;
  private worker: WorkerHandle | null = null;
  private failed = false;
  private seq = 0;
  /** Products split in two so far. */
  jobs = 0;
  /** Second parts the worker computed (the others the caller took back). */
  workerParts = 0;
  private readonly block = canBlock();

  constructor(kernels: WasmKernels) {
    this.kernels = kernels;
    // One slot past the end is the worker's pause target (never written).
    this.control = new Int32Array(new SharedArrayBuffer((SLOTS + 1) * 4));
    kernels.parallelGemm = this.gemm;
    kernels.pool = this;
  }

  /** Whether the worker is up and serving. */
  get ready(): boolean {
    return Atomics.load(this.control, READY) === 1;
  }

  private start(): void {
    try {
      this.worker = spawnWorker(() => {
        this.failed = true;
      });
      if (!this.worker) {
        this.failed = true;
        return;
      }
      const k = this.kernels;
      this.worker.postMessage({ module: k.module, memory: k.memory, control: this.control.buffer });
    } catch {
      this.failed = true;
    }
  }

  /**
   * Runs one kernel call cut in two: `mine` here, `theirs` on the worker if it claims it in
   * time, else here too. False, with nothing run, while no worker is ready (the caller then
   * makes the call whole).
   */
  split(kernel: PoolKernel, mine: readonly number[], theirs: readonly number[]): boolean {
    if (this.failed) return false;
    if (!this.worker) this.start();
    if (!this.ready) return false;
    const fn = this.kernels.exports[kernel] as (...args: number[]) => void;
    const ctl = this.control;
    ctl[ARGS] = POOL_KERNELS.indexOf(kernel);
    for (let i = 0; i < theirs.length; i++) ctl[ARGS + 1 + i] = theirs[i];
    const job = ++this.seq;
    this.jobs++;
    Atomics.store(ctl, CLAIM, job);
    Atomics.store(ctl, JOB, job);
    Atomics.notify(ctl, JOB);
    fn(...mine);
    if (Atomics.compareExchange(ctl, CLAIM, job, -job) === job) {
      // The worker has not claimed the second part (not scheduled, or slow to wake): do it here.
      fn(...theirs);
      return true;
    }
    this.workerParts++;
    const until = performance.now() + CALLER_POLL_MS;
    while (Atomics.load(ctl, DONE) !== job && performance.now() < until) {
      // The worker's part is usually done within microseconds of ours: poll before sleeping.
    }
    if (this.block) {
      // Wait on the value just read: had the worker finished in between, wait returns at once.
      for (let d = Atomics.load(ctl, DONE); d !== job; d = Atomics.load(ctl, DONE)) Atomics.wait(ctl, DONE, d);
    } else {
      while (Atomics.load(ctl, DONE) !== job) {
        // A browser's main thread may not block: spin (the worker's part is as long as ours).
      }
    }
    if (Atomics.load(ctl, OK) !== 1) {
      // The worker's part failed (it should not): do it here, and stop using the worker.
      this.failed = true;
      fn(...theirs);
    }
    return true;
  }

  /** Splits one product between this thread and the worker; false to leave it to this thread. */
  private readonly gemm: NonNullable<WasmKernels['parallelGemm']> = (f64, m, n, k, a, ars, acs, b, brs, bcs, c) => {
    if (m * n * k < PARALLEL_MIN_MACS) return false;
    const w = this.kernels;
    const bytes = f64 ? 8 : 4;
    // The worker takes the second part: rows [m1, m) of C, or columns [n1, n) when C is wide.
    const byRows = m >= n;
    const cut = byRows ? Math.ceil(m / 2 / 4) * 4 : Math.ceil(n / 2 / 8) * 8;
    const mine = byRows ? [cut, n, k, a, ars, acs, b, brs, bcs, c, n] : [m, cut, k, a, ars, acs, b, brs, bcs, c, n];
    const theirs = byRows
      ? [m - cut, n, k, a + cut * ars * bytes, ars, acs, b, brs, bcs, c + cut * n * bytes, n]
      : [m, n - cut, k, a, ars, acs, b + cut * bcs * bytes, brs, bcs, c + cut * bytes, n];
    return this.split(
      f64 ? 'gemmF64' : 'gemmF32',
      [...mine, w.scratchBase],
      [...theirs, w.scratchBase + w.scratchBytes],
    );
  };

  /**
   * Test hook: the worker sleeps `ms` before it claims its next part, as a worker the OS
   * has not scheduled would (the caller then computes both parts).
   */
  pauseWorker(ms: number): void {
    Atomics.store(this.control, PAUSE, ms);
  }

  /** Stops the worker (it exits its wait loop) and detaches from the kernels. */
  close(): void {
    if (this.kernels.parallelGemm === this.gemm) this.kernels.parallelGemm = null;
    if (this.kernels.pool === this) this.kernels.pool = null;
    if (this.worker) {
      Atomics.store(this.control, JOB, STOP);
      Atomics.notify(this.control, JOB);
      this.worker.terminate();
      this.worker = null;
    }
  }
}
