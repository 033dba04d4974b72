/**
 * What the backends read from the JavaScript host they run in, Node or a browser. Nothing
 * here imports a `node:` module: a browser bundle must not pull one in, so Node's built-ins
 * are reached through `process.getBuiltinModule` (Node ≥ 20.16), and every answer has a
 * browser default.
 */

interface Host {
  process?: {
    env?: Record<string, string | undefined>;
    versions?: { node?: string; v8?: string };
    getBuiltinModule?: (name: string) => unknown;
  };
  navigator?: { hardwareConcurrency?: number };
}

const host = globalThis as Host;

/** An environment variable; undefined when it is unset or empty, and in browsers. */
export function envValue(name: string): string | undefined {
  const v = host.process?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

/** One of Node's built-in modules (`node:v8`, `node:os` …); undefined outside Node. */
export function nodeBuiltin<T>(name: string): T | undefined {
  return host.process?.getBuiltinModule?.(name) as T | undefined;
}

/** The major version of Node's V8 (11 in Node 20, 12 in Node 22, 13 in Node 24); null outside Node. */
export function nodeV8Major(): number | null {
  const v8 = host.process?.versions?.v8;
  const major = v8 === undefined ? Number.NaN : Number.parseInt(v8, 10);
  return Number.isInteger(major) ? major : null;
}

/** Cores this process may use: `navigator.hardwareConcurrency`, or Node's `os.availableParallelism()`; 1 if unknown. */
export function availableCores(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number }>('node:os');
  return host.navigator?.hardwareConcurrency ?? os?.availableParallelism?.() ?? 1;
}
