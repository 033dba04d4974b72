/**
 * Preloaded (`node --import`) into a README block instrumented by `readme-snippets.mjs`: defines
 * `globalThis.__zg`, whose `print` and `expect` check what the block's comments promise. At exit
 * it prints `__ZG_CHECKS__ <n>` (how many checks ran) and fails the process on a broken promise.
 */
import { format, isDeepStrictEqual } from 'node:util';

const failures = [];
let made = 0;

/** A tensor or variable as its numbers (`item()` for one element); arrays element by element. */
function plain(v) {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && typeof v.item === 'function' && typeof v.toArray === 'function') {
    return v.size === 1 ? v.item() : v.toArray();
  }
  return v;
}

function holds(bound, x) {
  const [, op, num] = /^(≥|≤|>|<)\s*(.+)$/.exec(bound);
  const n = Number(num);
  if (typeof x !== 'number' || Number.isNaN(x)) return false;
  return op === '≥' ? x >= n : op === '≤' ? x <= n : op === '>' ? x > n : x < n;
}

globalThis.__zg = {
  /** console.log, and the printed line must be `promise` (or satisfy it, for a bound). */
  print(where, promise, ...args) {
    made++;
    const line = format(...args);
    console.log(...args);
    const bound = /^(≥|≤|>|<)/.test(promise);
    const ok = bound ? args.length === 1 && holds(promise, plain(args[0])) : line === promise;
    if (!ok) failures.push(`${where}: printed "${line}", the comment promises "${promise}"`);
  },
  /** The value must be the expected literal, satisfy the bound, or have exactly the listed keys. */
  expect(where, expected, value) {
    made++;
    const v = plain(value);
    let ok;
    if ('bound' in expected) ok = holds(expected.bound, v);
    else if ('keys' in expected) {
      ok = v !== null && typeof v === 'object' && isDeepStrictEqual(Object.keys(v).sort(), [...expected.keys].sort());
    } else ok = isDeepStrictEqual(v, 'value' in expected ? expected.value : expected);
    if (!ok) {
      const want =
        'bound' in expected
          ? expected.bound
          : 'keys' in expected
            ? `keys ${expected.keys}`
            : format('%O', expected.value);
      failures.push(
        `${where}: the value is ${format('%O', 'keys' in expected && v ? Object.keys(v) : v)}, the comment promises ${want}`,
      );
    }
  },
};

process.on('exit', () => {
  console.log(`__ZG_CHECKS__ ${made}`);
  if (failures.length > 0) {
    console.error(`README promises broken:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
});
