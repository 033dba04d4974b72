import { ValueError } from '@zerograd/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../src/train/progress.js';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** A stream that records what is written; `isTTY` decides what `auto` picks. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    stream: { isTTY, columns: 120, write: (s: string) => chunks.push(s) },
    chunks,
    // Escape sequences stripped, so assertions read like the terminal would.
    text: () => chunks.join('').replace(ANSI, ''),
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createProgress', () => {
  it('is a silent no-op when disabled or in silent mode', () => {
    for (const options of [{ enabled: false }, { mode: 'silent' as const }]) {
      const out = capture(true);
      const p = createProgress({ total: 10, stream: out.stream, ...options });
      expect(p.mode).toBe('silent');
      p.update(3, { loss: 1 });
      p.endEpoch(1, { loss: 1 });
      p.log('hello');
      p.stop();
      expect(out.chunks).toEqual([]);
    }
  });

  it('prints one line per epoch, and nothing per iteration, when the stream is not a TTY', () => {
    vi.stubEnv('CI', '');
    const out = capture(false);
    const p = createProgress({ total: 4, epochs: 2, stream: out.stream, label: 'train' });
    expect(p.mode).toBe('lines');
    p.update(1, { loss: 2.25 });
    p.update(2, { loss: 1.5 });
    p.endEpoch(1, { loss: 1.5, trainAccuracy: 0.5, testAccuracy: 0.25, lr: 1e-4 });
    p.update(3, { loss: 0.9 });
    p.log('saved weights to w.safetensors');
    p.endEpoch(2, { loss: 0.75 });
    p.stop();
    p.log('after stop');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^train epoch 1\/2 · loss 1\.5000 · train acc 0\.5000 · test acc 0\.2500 · lr 1\.000e-4 · \d+\.\ds$/,
    );
    expect(lines[1]).toBe('saved weights to w.safetensors');
    expect(lines[2]).toMatch(/^train epoch 2\/2 · loss 0\.7500 · \d+\.\ds$/);
  });

  it('falls back to lines on a TTY when CI is set, and draws a bar otherwise', () => {
    vi.stubEnv('CI', 'true');
    const ci = createProgress({ total: 1, stream: capture(true).stream });
    expect(ci.mode).toBe('lines');
    vi.stubEnv('CI', 'false');
    const local = createProgress({ total: 1, stream: capture(true).stream });
    expect(local.mode).toBe('bar');
    local.stop();
  });

  it('draws a bar with epoch, loss and accuracy, logs above it, and stops cleanly', async () => {
    const out = capture(true);
    const p = createProgress({ total: 200, epochs: 2, stream: out.stream, label: 'train', mode: 'bar' });
    expect(p.mode).toBe('bar');
    p.update(50, { epoch: 1, loss: 0.625, accuracy: 0.75 });
    p.log('a note');
    p.endEpoch(1, { loss: 0.5, testAccuracy: 0.8 });
    p.update(200, { epoch: 2, loss: 0.25 });
    p.stop();
    p.stop();
    const text = out.text();
    expect(text).toContain('train epoch 2/2');
    expect(text).toContain('200/200');
    expect(text).toContain('loss 0.2500 · acc 0.7500');
    expect(text).toContain('a note\n');
    expect(text).toMatch(/train epoch 1\/2 · loss 0\.5000 · test acc 0\.8000 · \d+\.\ds\n/);
    // Stopped means stopped: no redraw timer keeps writing.
    const written = out.chunks.length;
    p.update(100, { loss: 9 });
    p.log('late');
    await new Promise((r) => setTimeout(r, 250));
    expect(out.chunks.length).toBe(written);
  });

  it('rejects bad options', () => {
    expect(() => createProgress({ total: -1 })).toThrow(ValueError);
    expect(() => createProgress({ total: 1.5 })).toThrow(/total must be a non-negative integer/);
    expect(() => createProgress({ total: 1, epochs: -2 })).toThrow(/epochs/);
    expect(() => createProgress({ total: 1, mode: 'fancy' as never })).toThrow(/mode must be/);
    expect(() => createProgress(undefined as never)).toThrow(ValueError);
  });
});
