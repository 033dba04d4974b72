/**
 * The graph's scoped modes: whether ops record a graph, whether outputs are checked for
 * NaN/Infinity, and the current scope path. The state itself lives in `state.ts` with the rest
 * of zerograd's global state; every setter here restores it in `finally`, so an exception
 * inside never leaves a mode switched.
 */

import { GraphError } from '../errors.js';
import { modes } from '../state.js';

/** True when ops record the graph (the default). */
export function isGradEnabled(): boolean {
  return modes.gradEnabled;
}

function withMode<T>(name: string, key: 'gradEnabled' | 'anomaly', value: boolean, fn: () => T): T {
  const prev = modes[key];
  modes[key] = value;
  try {
    return refuseAsync(name, fn());
  } finally {
    modes[key] = prev;
  }
}

/**
 * The modes are synchronous: they end when `fn` returns, which for an `async` function is at
 * its first `await` — the ops after it would run in the outer mode (no scope, no NaN check,
 * a recorded graph). So a callback that returns a Promise is refused, loudly, instead of
 * half-working; wrap the synchronous parts between the awaits instead.
 */
function refuseAsync<T>(name: string, result: T): T {
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new GraphError(
      name,
      `the callback returned a Promise: ${name}() only covers code that runs before it returns, so ops after an await would escape it. Call ${name}() around each synchronous part instead, e.g. \`const y = ${name}(() => model.forward(x)); await next();\``,
    );
  }
  return result;
}

/** Runs `fn` without recording a graph (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withMode('noGrad', 'gradEnabled', false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withMode('enableGrad', 'gradEnabled', true, fn);
}

/** Runs `fn` with graph recording set to `enabled`. */
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T {
  return withMode('setGradEnabled', 'gradEnabled', enabled, fn);
}

/**
 * Runs `fn` with anomaly detection: the first op (forward or backward) whose output holds NaN
 * or ±Infinity throws an `AnomalyError` naming the op and its inputs' shapes.
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withMode('detectAnomaly', 'anomaly', true, fn);
}

/** True inside `detectAnomaly`. */
export function isAnomalyEnabled(): boolean {
  return modes.anomaly;
}

/**
 * Runs `fn` inside a named scope: every variable and op created in it records the scope path
 * (nested scopes give `['Sequential', 'Affine']`). Layers use it; viz draws it as boxes.
 */
export function scope<T>(name: string, fn: () => T): T {
  const prev = modes.scope;
  modes.scope = Object.freeze([...prev, String(name)]);
  try {
    return refuseAsync('scope', fn());
  } finally {
    modes.scope = prev;
  }
}

/** The current scope path, outermost first. */
export function currentScope(): readonly string[] {
  return modes.scope;
}
