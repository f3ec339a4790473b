// IDX reading on fixtures written here byte by byte (not with encodeIdx, so a writer bug cannot hide a reader bug).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { IdxError, encodeIdx, parseIdx, readIdx, readIdxTensor } from './idx.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Header bytes: 0, 0, type code, ndim, then each dimension as big-endian uint32. */
function header(type: number, dims: number[]): number[] {
  return [0, 0, type, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];
}
function fixture(name: string, bytes: number[] | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  return file;
}

// 2 images of 2×3 pixels: 0..11
const images = [...header(0x08, [2, 2, 3]), ...Array.from({ length: 12 }, (_, i) => i * 20)];

test('a valid uint8 file: shape, dtype and values in order', () => {
  const a = readIdx(fixture('valid-idx3-ubyte', images));
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.deepEqual([...a.data], Array.from({ length: 12 }, (_, i) => i * 20));
  const t = readIdxTensor(path.join(dir, 'valid-idx3-ubyte'));
  assert.deepEqual(t.shape, [2, 2, 3]);
  assert.equal(t.dtype, 'uint8');
  assert.deepEqual(t.toNumbers(), [...a.data]);
  t.dispose();
});

test('a gzip file is recognised by its magic bytes, whatever its name', () => {
  const a = readIdx(fixture('images-no-suffix', gzipSync(Buffer.from(images))));
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.equal(a.data[11], 220);
});

test('big-endian multi-byte types are decoded (int32, int16, float32, float64)', () => {
  const int32 = readIdx(fixture('int32', [...header(0x0c, [2]), 0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe]));
  assert.equal(int32.dtype, 'int32');
  assert.deepEqual([...int32.data], [258, -2]);
  const int16 = readIdx(fixture('int16', [...header(0x0b, [1]), 0x80, 0x01]));
  assert.deepEqual([...int16.data], [-32767]);
  const f32 = readIdx(fixture('f32', [...header(0x0d, [1]), 0x3f, 0xc0, 0x00, 0x00]));
  assert.deepEqual([...f32.data], [1.5]);
  const f64 = readIdx(fixture('f64', [...header(0x0e, [1]), 0xc0, 0x04, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual([...f64.data], [-2.5]);
});

test('encodeIdx round-trips through parseIdx (plain and gzip)', () => {
  const data = Int32Array.from([1, -7, 1 << 20, 42, 0, -1]);
  for (const gzip of [false, true]) {
    const back = parseIdx(encodeIdx({ dtype: 'int32', shape: [3, 2], data }, { gzip }));
    assert.deepEqual(back.shape, [3, 2]);
    assert.deepEqual([...back.data], [...data]);
  }
  // The encoder writes the bytes the format defines.
  assert.deepEqual([...encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.from([7, 9]) })], [...header(0x08, [2]), 7, 9]);
});

test('a wrong magic number is an IdxError naming the file', () => {
  const file = fixture('wrong-magic', [0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
  assert.throws(() => readIdx(file), (e: unknown) => e instanceof IdxError && e.message.includes(file) && /magic number 0x504b0304/.test(e.message));
  // Unknown type code.
  assert.throws(() => readIdx(fixture('bad-type', [0, 0, 0x07, 1, 0, 0, 0, 1, 5])), /magic number 0x00000701/);
});

test('a truncated file names expected and actual byte counts', () => {
  const file = fixture('truncated', images.slice(0, images.length - 5));
  assert.throws(
    () => readIdx(file),
    (e: unknown) =>
      e instanceof IdxError && e.file === file && e.expectedBytes === 28 && e.actualBytes === 23 && /truncated.*needs 28 bytes.*has 23/.test(e.message),
  );
  // A header cut short.
  assert.throws(() => readIdx(fixture('short-header', header(0x08, [2, 2, 3]).slice(0, 9))), /truncated header: expected 16 bytes.*found 9/);
});

test('a header count that does not match the data is an error (too few or too many items)', () => {
  // The header claims 3 images but the file holds 2: 6 bytes short.
  const fewer = fixture('count-mismatch', [...header(0x08, [3, 2, 3]), ...images.slice(16)]);
  assert.throws(() => readIdx(fewer), (e: unknown) => e instanceof IdxError && e.expectedBytes === 34 && e.actualBytes === 28);
  // Trailing bytes after the data.
  const more = fixture('trailing', [...images, 1, 2]);
  assert.throws(() => readIdx(more), /has trailing bytes.*needs 28 bytes.*has 30/);
});

test('a truncated gzip file is an IdxError; a gzip file with a bad body names decompressed sizes', () => {
  const gz = gzipSync(Buffer.from(images));
  assert.throws(() => readIdx(fixture('truncated.gz', gz.subarray(0, gz.length - 6))), (e: unknown) => e instanceof IdxError && /corrupt or truncated gzip/.test(e.message));
  const short = fixture('short.gz', gzipSync(Buffer.from(images.slice(0, 20))));
  assert.throws(() => readIdx(short), /decompressed file has 20/);
});

test('a missing file is an IdxError naming it', () => {
  const file = path.join(dir, 'does-not-exist');
  assert.throws(() => readIdx(file), (e: unknown) => e instanceof IdxError && e.message.startsWith(file) && /ENOENT/.test(e.message));
});
