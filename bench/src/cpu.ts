import os from 'node:os';

/**
 * How much of the machine something other than this benchmark used while it ran: CPU time
 * of all cores (from the kernel's counters) minus our own (this process, plus the child
 * processes' time that suites report). On a 2-core machine, another process using even half
 * a core makes numpy's two-thread figures erratic, so the report states it.
 */
export interface Contention {
  wallSeconds: number;
  /** Average number of cores busy during the run, by anyone. */
  busyCores: number;
  /** Average cores used by the benchmark itself (Node and its Python children). */
  ownCores: number;
  /** The rest: other processes (and the kernel). */
  otherCores: number;
  loadAverageAtStart: number[];
}

function busyMs(): number {
  let total = 0;
  for (const cpu of os.cpus()) total += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return total;
}

export class CpuMeter {
  private readonly wall0 = performance.now();
  private readonly busy0 = busyMs();
  private readonly own0 = process.cpuUsage();
  private readonly load0 = os.loadavg();
  private childSeconds = 0;

  addChildCpu(seconds: number): void {
    if (Number.isFinite(seconds) && seconds > 0) this.childSeconds += seconds;
  }

  stop(): Contention {
    const wall = (performance.now() - this.wall0) / 1e3;
    const busy = (busyMs() - this.busy0) / 1e3;
    const own = process.cpuUsage(this.own0);
    const ownSeconds = (own.user + own.system) / 1e6 + this.childSeconds;
    const r = (x: number) => Math.round(x * 100) / 100;
    return {
      wallSeconds: r(wall),
      busyCores: r(busy / wall),
      ownCores: r(ownSeconds / wall),
      otherCores: r(Math.max(0, busy - ownSeconds) / wall),
      loadAverageAtStart: this.load0.map(r),
    };
  }
}
