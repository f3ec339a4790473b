// safetensors round trips (every dtype, odd shapes) and atomic writes. Corrupt and hostile files are in
// safetensors-hostile.test.ts, PyTorch interop in safetensors-interop.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { liveTensors, tensor, tidy, type DType, type Tensor } from '../tensor/index.js';
import { seededRandom } from '../testing/torch-oracle.js';
import { fromBuffer, readSafetensors, readSafetensorsHeader, SafetensorsError, toBuffer, writeSafetensors } from './safetensors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-safetensors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The exact bytes of a tensor's values (float16/bfloat16 through their int16 bit patterns). */
function bits(t: Tensor): Buffer {
  return tidy(() => {
    const a = (t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.viewDtype('int16') : t).toTypedArray();
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  });
}

/** A tensor of `dtype` and `shape` with seeded values that include each dtype's edge cases. */
function sample(dtype: DType, shape: number[], seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const fill = <A extends { [i: number]: number | bigint; length: number }>(a: A, f: () => number | bigint, edges: (number | bigint)[]): A => {
    for (let i = 0; i < a.length; i++) a[i] = i < edges.length ? edges[i] : f();
    return a;
  };
  const bits16 = () => fill(new Int16Array(n), () => Math.floor(rand() * 65536) - 32768, [0x7c00, -0x400 /* 0xfc00 */, 0x7e00, -0x8000, 1]);
  switch (dtype) {
    case 'float32':
      return tensor(fill(new Float32Array(n), () => rand() * 200 - 100, [NaN, -0, Infinity, -Infinity, 1e-45, 3.4e38]), shape);
    case 'float64':
      return tensor(fill(new Float64Array(n), () => rand() * 2 - 1, [NaN, -0, Infinity, 5e-324, Number.MAX_VALUE]), shape);
    case 'float16':
    case 'bfloat16':
      return tidy(() => tensor(bits16(), shape).viewDtype(dtype));
    case 'int64':
      return tensor(fill(new BigInt64Array(n), () => BigInt(Math.floor(rand() * 2 ** 40)) * 4097n - 2n ** 51n, [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]), shape);
    case 'int32':
      return tensor(fill(new Int32Array(n), () => Math.floor(rand() * 2 ** 32) - 2 ** 31, [-(2 ** 31), 2 ** 31 - 1]), shape);
    case 'int16':
      return tensor(bits16(), shape);
    case 'int8':
      return tensor(fill(new Int8Array(n), () => Math.floor(rand() * 256) - 128, [-128, 127]), shape);
    case 'uint8':
      return tensor(fill(new Uint8Array(n), () => Math.floor(rand() * 256), [0, 255]), shape);
    case 'bool':
      return tensor(fill(new Uint8Array(n), () => (rand() < 0.5 ? 1 : 0), [1, 0]), shape, 'bool');
  }
}

const DTYPES: DType[] = ['float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
const SHAPES = [[], [0], [2, 0, 3], [1], [7], [3, 1, 5], [2, 3, 4, 5]];

function assertSame(actual: Record<string, Tensor>, expected: Record<string, Tensor>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    const a = actual[name];
    assert.equal(a.dtype, t.dtype, `${name}: dtype`);
    assert.deepEqual(a.shape, t.shape, `${name}: shape`);
    assert.ok(bits(a).equals(bits(t)), `${name}: values differ`);
  }
}

test('every dtype and odd shapes (0-d, empty, zero in the middle) round-trip bit for bit, through a file and a buffer', () => {
  const base = liveTensors().tensors;
  tidy(() => {
    const tensors: Record<string, Tensor> = {};
    DTYPES.forEach((dtype, i) => SHAPES.forEach((shape, j) => (tensors[`${dtype}/${shape.join('x') || 'scalar'}`] = sample(dtype, shape, 100 * i + j))));
    tensors['large'] = sample('float32', [96, 257], 7);
    const metadata = { format: 'pt', note: 'ünïcödé ✓', empty: '' };
    const file = path.join(dir, 'all.safetensors');
    writeSafetensors(file, tensors, metadata);
    const read = readSafetensors(file);
    assertSame(read.tensors, tensors);
    assert.deepEqual(read.metadata, metadata);
    const bytes = toBuffer(tensors, metadata);
    assert.ok(bytes.equals(readFileSync(file)), 'toBuffer and writeSafetensors write the same bytes');
    const again = fromBuffer(bytes);
    assertSame(again.tensors, tensors);
    assert.deepEqual(again.metadata, metadata);
  });
  assert.equal(liveTensors().tensors, base, 'every tensor was freed');
});

test('the file follows the format: little-endian length, JSON header padded to 8, aligned tensors, raw little-endian data', () => {
  tidy(() => {
    const tensors = { b: tensor(new Int8Array([-1, 2, 3])), a: tensor(new Float64Array([1.5, -2])), c: tensor(new Float32Array([0.25])) };
    const bytes = toBuffer(tensors, { k: 'v' });
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0, 'the data starts at a multiple of 8');
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    assert.deepEqual(header, {
      __metadata__: { k: 'v' },
      a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      c: { dtype: 'F32', shape: [1], data_offsets: [16, 20] },
      b: { dtype: 'I8', shape: [3], data_offsets: [20, 23] },
    });
    const data = bytes.subarray(8 + n);
    assert.equal(data.length, 23);
    assert.deepEqual([data.readDoubleLE(0), data.readDoubleLE(8), data.readFloatLE(16), data.readInt8(20), data.readInt8(22)], [1.5, -2, 0.25, -1, 3]);
  });
});

test('non-contiguous tensors are written in row-major order; read tensors are independent copies', () => {
  tidy(() => {
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    const { tensors } = fromBuffer(toBuffer({ t: m.t() }));
    assert.deepEqual(tensors.t.shape, [3, 2]);
    assert.deepEqual(tensors.t.toNumbers(), [1, 4, 2, 5, 3, 6]);
    const buf = toBuffer({ x: tensor([1, 2]) });
    const x = fromBuffer(buf).tensors.x;
    buf.fill(0, buf.length - 8);
    assert.deepEqual(x.toNumbers(), [1, 2], 'changing the buffer afterwards does not change the tensor');
  });
});

test('bool bytes other than 0 and 1 read as true; names such as __proto__ stay ordinary keys', () => {
  tidy(() => {
    const bytes = toBuffer({ flags: tensor([true, false, true, false]) });
    bytes[bytes.length - 2] = 7; // third element
    assert.deepEqual(fromBuffer(bytes).tensors.flags.toNumbers(), [1, 0, 1, 0]);
    bytes[bytes.length - 1] = 2;
    assert.deepEqual(fromBuffer(bytes).tensors.flags.toNumbers(), [1, 0, 1, 1]);
    const tensors = Object.fromEntries([['__proto__', tensor([1])], ['constructor', tensor([2])]]);
    const read = fromBuffer(toBuffer(tensors)).tensors;
    assert.deepEqual(Object.keys(read).sort(), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(read), Object.prototype);
    assert.deepEqual(read['__proto__'].toNumbers(), [1]);
  });
});

test('an empty file (no tensors, no metadata) round-trips; the header can be read without the data', () => {
  assert.deepEqual(fromBuffer(toBuffer({})), { tensors: {}, metadata: {} });
  const file = path.join(dir, 'header-only.safetensors');
  tidy(() => writeSafetensors(file, { w: sample('bfloat16', [4, 6], 1), i: sample('int64', [], 2) }, { a: 'b' }));
  const base = liveTensors().tensors;
  const header = readSafetensorsHeader(file);
  assert.equal(liveTensors().tensors, base, 'no tensor is made');
  assert.deepEqual(header.metadata, { a: 'b' });
  assert.deepEqual(header.entries.map((e) => [e.name, e.dtype, e.shape]), [['i', 'int64', []], ['w', 'bfloat16', [4, 6]]]);
});

test('writes are atomic: a failure leaves the old file and no temp file; bad arguments are typed errors', () => {
  const sub = mkdtempSync(path.join(dir, 'atomic-'));
  const file = path.join(sub, 'w.safetensors');
  tidy(() => {
    writeSafetensors(file, { a: tensor([1, 2, 3]) });
    const before = readFileSync(file);
    const gone = tensor([4]);
    gone.dispose();
    const attempts: [Record<string, unknown>, unknown, string][] = [
      [{ a: tensor([9]), b: gone }, undefined, 'was disposed'],
      [{ a: tensor([9]), b: [1, 2] }, undefined, 'is not a Tensor'],
      [{ __metadata__: tensor([1]) }, undefined, 'reserved'],
      [{ a: tensor([9]) }, { n: 3 }, 'metadata.n must be a string'],
    ];
    for (const [tensors, metadata, message] of attempts) {
      assert.throws(
        () => writeSafetensors(file, tensors as Record<string, Tensor>, metadata as Record<string, string>),
        (e: unknown) => e instanceof SafetensorsError && e.code === 'invalid_argument' && e.message.includes(message) && e.message.includes(file),
      );
      assert.ok(readFileSync(file).equals(before), 'the old file is unchanged');
      assert.deepEqual(readdirSync(sub), ['w.safetensors'], 'no temp file is left');
    }
    const nowhere = path.join(sub, 'missing-dir', 'x.safetensors');
    assert.throws(() => writeSafetensors(nowhere, { a: tensor([1]) }), (e: unknown) => e instanceof SafetensorsError && e.code === 'io' && e.message.startsWith(`${nowhere}: cannot write`) && /ENOENT/.test(e.message));
    assert.deepEqual(readdirSync(sub), ['w.safetensors']);
    writeSafetensors(file, { z: tensor([5, 6]) });
    assert.deepEqual(readSafetensors(file).tensors.z.toNumbers(), [5, 6], 'a successful write replaces the file');
    assert.deepEqual(readdirSync(sub), ['w.safetensors']);
  });
});
