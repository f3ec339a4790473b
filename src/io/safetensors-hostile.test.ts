// Corrupt and hostile safetensors files, built here byte by byte: each broken rule is a SafetensorsError with its
// code and a message naming the file (and the tensor), from the file reader and the buffer reader alike; random
// corruption never ends in any other error, and no tensor is leaked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dispose, liveTensors, tensor, tidy } from '../tensor/index.js';
import { seededRandom } from '../testing/torch-oracle.js';
import { fromBuffer, readSafetensors, SafetensorsError, toBuffer, type SafetensorsErrorCode } from './safetensors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-safetensors-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file from a header (object or raw JSON text) and data, with the header length as declared, or a lie. */
function craft(header: unknown, data: Uint8Array | number = 0, declaredLength?: bigint): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(json.length));
  return Buffer.concat([prefix, json, typeof data === 'number' ? Buffer.alloc(data) : data]);
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

interface Case {
  name: string;
  bytes: Buffer;
  code: SafetensorsErrorCode;
  /** The tensor the message must name, if any; and words it must contain. */
  tensor?: string;
  says?: string;
  maxHeaderBytes?: number;
}

const cases: Case[] = [
  { name: 'empty file', bytes: Buffer.alloc(0), code: 'truncated' },
  { name: 'shorter than the length prefix', bytes: Buffer.from([1, 0, 0]), code: 'truncated' },
  { name: 'header length 2^64 - 1', bytes: craft({}, 0, 2n ** 64n - 1n), code: 'header_too_large', says: '18446744073709551615' },
  { name: 'header length 1 TiB', bytes: craft({}, 0, 2n ** 40n), code: 'header_too_large' },
  { name: 'header over a custom limit', bytes: craft({ a: f32([1], 0, 4) }, 4), code: 'header_too_large', maxHeaderBytes: 16 },
  { name: 'header length past the end of the file', bytes: craft('{}', 0, 1000n), code: 'header_out_of_bounds', says: '1000' },
  { name: 'header length one past the end', bytes: craft('{}', 0, 3n), code: 'header_out_of_bounds' },
  { name: 'truncated JSON', bytes: craft('{"a": {"dtype": "F32"'), code: 'invalid_json' },
  { name: 'raw invalid UTF-8 bytes', bytes: Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xc3, 0x28, 0x7d])]), code: 'invalid_json' },
  { name: 'header is an array', bytes: craft([]), code: 'invalid_header' },
  { name: 'header is a number', bytes: craft('42'), code: 'invalid_header' },
  { name: 'entry is a string', bytes: craft({ w: 'F32' }), code: 'invalid_header', tensor: 'w' },
  { name: 'entry is null', bytes: craft({ w: null }), code: 'invalid_header', tensor: 'w' },
  { name: 'dtype is a number', bytes: craft({ w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, 4), code: 'invalid_header', tensor: 'w' },
  { name: 'dtype missing', bytes: craft({ w: { shape: [1], data_offsets: [0, 4] } }, 4), code: 'invalid_header', tensor: 'w' },
  { name: 'shape is a number', bytes: craft({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, 16), code: 'invalid_header', tensor: 'w' },
  { name: 'data_offsets has three numbers', bytes: craft({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, 8), code: 'invalid_header', tensor: 'w' },
  { name: 'data_offsets missing', bytes: craft({ w: { dtype: 'F32', shape: [1] } }, 4), code: 'invalid_header', tensor: 'w' },
  { name: 'metadata is a list', bytes: craft({ __metadata__: ['a'] }), code: 'invalid_header', says: '__metadata__' },
  { name: 'metadata value is a number', bytes: craft({ __metadata__: { epoch: 3 } }), code: 'invalid_header', says: '__metadata__.epoch' },
  { name: 'unknown dtype', bytes: craft({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), code: 'unknown_dtype', tensor: 'w', says: 'F8_E4M3' },
  { name: 'lower-case dtype', bytes: craft({ w: { dtype: 'f32', shape: [1], data_offsets: [0, 4] } }, 4), code: 'unknown_dtype', tensor: 'w', says: "did you mean 'F32'" },
  { name: 'dtype named like an Object method', bytes: craft({ w: { dtype: 'toString', shape: [1], data_offsets: [0, 4] } }, 4), code: 'unknown_dtype', tensor: 'w' },
  { name: 'negative dimension', bytes: craft({ w: f32([-1, 2], 0, 8) }, 8), code: 'invalid_shape', tensor: 'w', says: '-1' },
  { name: 'fractional dimension', bytes: craft({ w: f32([1.5], 0, 4) }, 4), code: 'invalid_shape', tensor: 'w' },
  { name: 'dimension as a string', bytes: craft({ w: f32(['2' as unknown as number], 0, 8) }, 8), code: 'invalid_shape', tensor: 'w' },
  { name: 'dimension beyond 2^53', bytes: craft('{"w":{"dtype":"U8","shape":[18014398509481984],"data_offsets":[0,1]}}', 1), code: 'invalid_shape', tensor: 'w' },
  { name: 'negative offset', bytes: craft({ w: f32([1], -4, 0) }, 4), code: 'invalid_offsets', tensor: 'w' },
  { name: 'end before begin', bytes: craft({ w: f32([1], 8, 4) }, 8), code: 'invalid_offsets', tensor: 'w' },
  { name: 'fractional offset', bytes: craft({ w: f32([1], 0.5, 4.5) }, 8), code: 'invalid_offsets', tensor: 'w' },
  { name: 'offsets past the data', bytes: craft({ w: f32([4], 0, 16) }, 8), code: 'offsets_out_of_bounds', tensor: 'w', says: '8-byte' },
  { name: 'offsets far past the data', bytes: craft({ w: { dtype: 'U8', shape: [2 ** 40], data_offsets: [0, 2 ** 40] } }, 8), code: 'offsets_out_of_bounds', tensor: 'w' },
  { name: 'overlap', bytes: craft({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12), code: 'overlap', tensor: 'b', says: "'a'" },
  { name: 'same range twice', bytes: craft({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, 8), code: 'overlap' },
  { name: 'empty tensor inside another', bytes: craft({ a: f32([2], 0, 8), e: f32([0], 4, 4) }, 8), code: 'overlap', tensor: 'e', says: "'a'" },
  { name: 'gap between tensors', bytes: craft({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12), code: 'gap', tensor: 'b', says: '[4, 8)' },
  { name: 'first tensor not at 0', bytes: craft({ a: f32([1], 4, 8) }, 8), code: 'gap', tensor: 'a' },
  { name: 'bytes after the last tensor', bytes: craft({ a: f32([1], 0, 4) }, 9), code: 'gap', says: 'last 5 bytes' },
  { name: 'data but no tensors', bytes: craft({}, 3), code: 'gap' },
  { name: 'shape needs more bytes', bytes: craft({ w: f32([3], 0, 8) }, 8), code: 'size_mismatch', tensor: 'w', says: '12 bytes' },
  { name: 'shape needs fewer bytes', bytes: craft({ w: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 16] } }, 16), code: 'size_mismatch', tensor: 'w' },
  { name: 'shape whose element count overflows', bytes: craft({ w: f32([2 ** 40, 2 ** 40, 2 ** 40], 0, 4) }, 4), code: 'size_mismatch', tensor: 'w' },
  { name: 'duplicate name', bytes: craft('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2), code: 'duplicate_name', tensor: 'w' },
  { name: 'duplicate name spelled with an escape', bytes: craft('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}, "\\u0077" :{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2), code: 'duplicate_name', tensor: 'w' },
  { name: 'duplicate metadata', bytes: craft('{"__metadata__":{},"__metadata__":{"a":"b"}}'), code: 'duplicate_name' },
];

test('each broken rule is a SafetensorsError with its code, naming the file and the tensor (file and buffer readers)', () => {
  const base = liveTensors().tensors;
  cases.forEach((c, i) => {
    const file = path.join(dir, `case-${i}.safetensors`);
    writeFileSync(file, c.bytes);
    const readers: [string, () => unknown][] = [
      [file, () => readSafetensors(file, { maxHeaderBytes: c.maxHeaderBytes })],
      ['<mem>', () => fromBuffer(c.bytes, { source: '<mem>', maxHeaderBytes: c.maxHeaderBytes })],
    ];
    for (const [source, read] of readers) {
      assert.throws(read, (e: unknown) => {
        assert.ok(e instanceof SafetensorsError, `${c.name}: ${String(e)} is not a SafetensorsError`);
        assert.equal(e.code, c.code, `${c.name}: ${e.message}`);
        assert.ok(e.message.startsWith(`${source}: `), `${c.name}: the message names the file: ${e.message}`);
        if (c.tensor !== undefined) {
          assert.equal(e.tensor, c.tensor, `${c.name}: ${e.message}`);
          assert.ok(e.message.includes(`tensor '${c.tensor}'`), `${c.name}: ${e.message}`);
        }
        if (c.says) assert.ok(e.message.includes(c.says), `${c.name}: '${c.says}' not in: ${e.message}`);
        return true;
      });
    }
  });
  assert.equal(liveTensors().tensors, base, 'no tensor was made or leaked');
});

test('the files of the hostile cases differ from a valid file only in what they break', () => {
  // Guards the cases above: the same builder with nothing broken gives a file that loads.
  tidy(() => {
    const ok = fromBuffer(craft({ __metadata__: { epoch: '3' }, a: f32([2], 0, 8), e: f32([0], 8, 8), b: { dtype: 'BF16', shape: [2, 2], data_offsets: [8, 16] } }, 16));
    assert.deepEqual(Object.keys(ok.tensors).sort(), ['a', 'b', 'e']);
    assert.deepEqual(ok.tensors.b.shape, [2, 2]);
    assert.deepEqual(ok.metadata, { epoch: '3' });
    // Header length exactly at a custom limit is allowed; unknown extra fields of an entry are ignored.
    const text = JSON.stringify({ a: { ...f32([1], 0, 4), extra: true } });
    assert.deepEqual(fromBuffer(craft(text, 4), { maxHeaderBytes: Buffer.byteLength(text) }).tensors.a.shape, [1]);
  });
});

test('a missing file, a directory and an unreadable path are io errors', () => {
  for (const p of [path.join(dir, 'nope.safetensors'), dir]) {
    assert.throws(() => readSafetensors(p), (e: unknown) => e instanceof SafetensorsError && e.code === 'io' && e.message.startsWith(p));
  }
});

test('random corruption of a valid file is either read or a SafetensorsError, never another error', () => {
  const base = liveTensors().tensors;
  const valid = tidy(() =>
    toBuffer(
      { w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor(new Int16Array([1, -2])).viewDtype('float16'), n: tensor(new BigInt64Array([7n])), f: tensor([true, false]) },
      { format: 'pt' },
    ),
  );
  const dataStart = 8 + Number(valid.readBigUInt64LE(0));
  const rand = seededRandom(42);
  const codes = new Set<string>();
  let loaded = 0;
  for (let trial = 0; trial < 400; trial++) {
    const bytes = Buffer.from(valid);
    const kind = trial % 4;
    let variant: Buffer = bytes;
    const pick = (from: number, to: number) => from + Math.floor(rand() * (to - from));
    if (kind === 0) variant = bytes.subarray(0, pick(0, bytes.length)); // truncation
    else if (kind === 1) for (let k = pick(1, 4); k > 0; k--) bytes[pick(0, dataStart)] = pick(0, 256); // header noise
    else if (kind === 2) for (let k = pick(1, 4); k > 0; k--) bytes[pick(dataStart, bytes.length)] = pick(0, 256); // data noise
    else bytes.writeBigUInt64LE(BigInt(pick(0, 2 ** 20)), 0); // a lying length
    try {
      dispose(fromBuffer(variant).tensors);
      loaded++;
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw new Error(`trial ${trial}: ${String(e)} is not a SafetensorsError`);
      codes.add(e.code);
    }
  }
  assert.ok(loaded >= 100, 'noise in the data bytes still loads');
  assert.ok(codes.size >= 5, `the corruptions reach many checks (${[...codes].join(', ')})`);
  assert.equal(liveTensors().tensors, base, 'nothing leaked');
});

test('a FIFO or a link to /dev/zero as a safetensors file is refused at once (the open of a FIFO does not wait for a writer)', () => {
  const fifo = path.join(dir, 'fifo.safetensors');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const zero = path.join(dir, 'zero.safetensors');
  symlinkSync('/dev/zero', zero);
  for (const file of [fifo, zero]) {
    assert.throws(() => readSafetensors(file), (e: unknown) => e instanceof SafetensorsError && e.code === 'io' && e.message.includes(file) && /is not a regular file/.test(e.message));
  }
});
