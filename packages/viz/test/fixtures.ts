import { readFileSync } from 'node:fs';
import type { GraphSnapshot } from '@zerograd/core';

/** Reads a hand-written snapshot fixture (one snapshot or a step sequence) from test/fixtures. */
export function fixture<T = GraphSnapshot>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A graph with a variable whose name is an XSS attempt. */
export function xssSnapshot(): GraphSnapshot {
  const apple = fixture('apple');
  const evil = '<img src=x onerror=alert(1)>';
  return {
    ...apple,
    nodes: apple.nodes.map((n) => (n.id === 'v0' && n.kind === 'variable' ? { ...n, name: evil, scope: [evil] } : n)),
  };
}
