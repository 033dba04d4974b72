/**
 * The graph's scoped modes: whether ops record a graph, whether outputs are checked for
 * NaN/Infinity, and the current scope path. The state itself lives in `state.ts` with the rest
 * of zerograd's global state; every setter here restores it in `finally`, so an exception
 * inside never leaves a mode switched.
 */

import { modes } from '../state.js';

/** True when ops record the graph (the default). */
export function isGradEnabled(): boolean {
  return modes.gradEnabled;
}

function withMode<T>(key: 'gradEnabled' | 'anomaly', value: boolean, fn: () => T): T {
  const prev = modes[key];
  modes[key] = value;
  try {
    return fn();
  } finally {
    modes[key] = prev;
  }
}

/** Runs `fn` without recording a graph (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withMode('gradEnabled', false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withMode('gradEnabled', true, fn);
}

/** Runs `fn` with graph recording set to `enabled`. */
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T {
  return withMode('gradEnabled', enabled, fn);
}

/**
 * Runs `fn` with anomaly detection: the first op (forward or backward) whose output holds NaN
 * or ±Infinity throws an `AnomalyError` naming the op and its inputs' shapes.
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withMode('anomaly', true, fn);
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
    return fn();
  } finally {
    modes.scope = prev;
  }
}

/** The current scope path, outermost first. */
export function currentScope(): readonly string[] {
  return modes.scope;
}
