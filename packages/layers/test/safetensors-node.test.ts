import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArray, Random, type Tensor, ValueError, zeros } from '@zerograd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensorsMetadata } from '../src/io/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../src/io/safetensors-node.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerograd-safetensors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sample(): Record<string, Tensor> {
  const rng = new Random(3);
  return {
    'affine1.W': rng.randn([4, 3], { dtype: 'float32' }),
    'affine1.b': rng.randn([3]),
    step: fromArray(12),
    nothing: zeros([0, 2], { dtype: 'float32' }),
  };
}

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips through a file, with metadata', async () => {
    const path = join(dir, 'model.safetensors');
    const tensors = sample();
    await saveSafetensors(path, tensors, { framework: 'zerograd' });
    const back = await loadSafetensors(path);
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name].dtype).toBe(t.dtype);
      expect(back[name].shape).toEqual(t.shape);
      expect(Array.from(back[name].data)).toEqual(Array.from(t.data));
    }
    expect(decodeSafetensorsMetadata(await readFile(path))).toEqual({ framework: 'zerograd' });
  });

  it('replaces an existing file and leaves no temporary files behind', async () => {
    const sub = join(dir, 'replace');
    await mkdir(sub);
    const path = join(sub, 'w.safetensors');
    await writeFile(path, 'old contents');
    await saveSafetensors(path, { w: fromArray([1, 2, 3]) });
    expect(await readdir(sub)).toEqual(['w.safetensors']);
    expect(Array.from((await loadSafetensors(path)).w.data)).toEqual([1, 2, 3]);
  });

  it('on failure leaves the destination untouched and cleans up', async () => {
    const sub = join(dir, 'failure');
    await mkdir(sub);
    // The destination is a non-empty directory: the final rename fails.
    const path = join(sub, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(saveSafetensors(path, { w: fromArray([1]) })).rejects.toThrow();
    expect((await readdir(sub)).sort()).toEqual(['taken']);
    expect(await readdir(path)).toEqual(['keep']);
    // Invalid tensors fail before anything is written.
    await expect(saveSafetensors(join(sub, 'bad.safetensors'), { w: 'nope' as never })).rejects.toThrow(ValueError);
    expect((await readdir(sub)).sort()).toEqual(['taken']);
    // A missing directory is an error, not a crash elsewhere.
    await expect(saveSafetensors(join(sub, 'missing', 'x.safetensors'), { w: fromArray([1]) })).rejects.toThrow(
      /ENOENT/,
    );
  });

  it('rejects a corrupt file with a ValueError naming the path and the fault', async () => {
    const path = join(dir, 'corrupt.safetensors');
    await saveSafetensors(path, sample());
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 10));
    const err = await loadSafetensors(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toMatch(/^loadSafetensors: .*corrupt\.safetensors: .*run past the end of the data/);
    expect((err as Error).cause).toBeInstanceOf(ValueError);
    await expect(loadSafetensors(join(dir, 'absent.safetensors'))).rejects.toThrow(/ENOENT/);
  });
});

/** Python that reads a safetensors file with numpy alone, parsing the header by hand. */
const PY_READ = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out = {'__metadata__': header.pop('__metadata__', {})}
for name, info in header.items():
    b, e = info['data_offsets']
    dt = {'F32': '<f4', 'F64': '<f8'}[info['dtype']]
    a = np.frombuffer(data[b:e], dtype=dt).reshape(info['shape'])
    out[name] = {'dtype': str(a.dtype), 'shape': list(a.shape), 'values': a.astype('<f8').ravel().tolist()}
print(json.dumps(out))
`;

/** Python that writes a safetensors file by hand with numpy (float64 then float32). */
const PY_WRITE = `
import json, struct, sys
import numpy as np
w = (np.arange(6, dtype='<f4').reshape(2, 3) / 4).astype('<f4')
b = np.array([np.pi, -1e300], dtype='<f8')
s = np.array(2.5, dtype='<f8')
header = {'b': {'dtype': 'F64', 'shape': [2], 'data_offsets': [0, 16]},
          's': {'dtype': 'F64', 'shape': [], 'data_offsets': [16, 24]},
          'w': {'dtype': 'F32', 'shape': [2, 3], 'data_offsets': [24, 48]},
          '__metadata__': {'from': 'numpy'}}
h = json.dumps(header).encode()
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + b.tobytes() + s.tobytes() + w.tobytes())
`;

function python(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
}

describe('interop with numpy (header parsed by hand, no safetensors package)', () => {
  it('numpy reads what zerograd writes', async () => {
    const path = join(dir, 'for-numpy.safetensors');
    const tensors = sample();
    await saveSafetensors(path, tensors, { epochs: '3' });
    const read = JSON.parse(python(PY_READ, path));
    expect(read.__metadata__).toEqual({ epochs: '3' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(read[name].dtype).toBe(t.dtype);
      expect(read[name].shape).toEqual(t.shape);
      expect(read[name].values).toEqual(Array.from(t.data));
    }
  });

  it('zerograd reads what numpy writes', async () => {
    const path = join(dir, 'from-numpy.safetensors');
    python(PY_WRITE, path);
    const back = await loadSafetensors(path);
    expect(back.w.dtype).toBe('float32');
    expect(back.w.toArray()).toEqual([
      [0, 0.25, 0.5],
      [0.75, 1, 1.25],
    ]);
    expect(back.b.dtype).toBe('float64');
    expect(Array.from(back.b.data)).toEqual([Math.PI, -1e300]);
    expect(back.s.shape).toEqual([]);
    expect(back.s.item()).toBe(2.5);
    expect(decodeSafetensorsMetadata(await readFile(path))).toEqual({ from: 'numpy' });
  });
});
