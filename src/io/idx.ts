// The IDX file format of MNIST (and Fashion-MNIST): a 4-byte magic number (two zero bytes, a type code and the
// number of dimensions), one big-endian uint32 per dimension, then the data, big-endian, row-major. Files may
// be gzip-compressed (as they are distributed); gzip is recognised by its magic bytes, not by the file name.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { NnlabError } from '../engine/errors.js';
import { tensor, type Tensor } from '../tensor/index.js';

/** The element types IDX can hold, by nnlab dtype name. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The decoded content of an IDX file: its dtype, shape and data (host byte order). */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** A malformed IDX file: names the file and, for size problems, the expected and actual byte counts. */
export class IdxError extends NnlabError {
  override name = 'IdxError';
  constructor(
    readonly file: string,
    problem: string,
    readonly expectedBytes?: number,
    readonly actualBytes?: number,
  ) {
    super(`${file}: ${problem}`);
  }
}

// Type code -> dtype and element size, as in the format's definition.
const TYPES: Record<number, { dtype: IdxDType; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};
const CODES = Object.fromEntries(Object.entries(TYPES).map(([code, t]) => [t.dtype, Number(code)])) as Record<IdxDType, number>;

const ARRAYS = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Reads an IDX file, plain or gzip-compressed, validating its header against its size. */
export function readIdx(file: string): IdxArray {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new IdxError(file, `cannot read the file: ${(e as Error).message}`);
  }
  return parseIdx(bytes, file);
}

/** Reads an IDX file straight into a tensor of its dtype and shape. */
export function readIdxTensor(file: string): Tensor {
  const a = readIdx(file);
  return tensor(a.data, a.shape);
}

/** Decodes IDX bytes (plain or gzip); `file` names the source in errors. */
export function parseIdx(raw: Uint8Array, file = '<buffer>'): IdxArray {
  let bytes = raw;
  if (isGzip(raw)) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new IdxError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) {
    throw new IdxError(file, `too short for an IDX header: expected at least 4 bytes, found ${bytes.length}`, 4, bytes.length);
  }
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, 4).toString('hex');
  const type = TYPES[bytes[2]];
  const ndim = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || ndim === 0) {
    throw new IdxError(
      file,
      `not an IDX file: magic number 0x${magic} (expected 0x0000TTDD: two zero bytes, a type code ` +
        `08/09/0b/0c/0d/0e and at least one dimension)`,
    );
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new IdxError(file, `truncated header: expected ${headerBytes} bytes for ${ndim} dimensions, found ${bytes.length}`, headerBytes, bytes.length);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new IdxError(
      file,
      `${what}: the header says ${type.dtype} [${shape.join(', ')}], which needs ${expected} bytes, but the ` +
        `${raw === bytes ? 'file' : 'decompressed file'} has ${bytes.length}`,
      expected,
      bytes.length,
    );
  }
  return { dtype: type.dtype, shape, data: decodeData(bytes.subarray(headerBytes), type.dtype, type.bytes) };
}

/** The data section as a typed array in host byte order (a view for bytes, a swapped copy otherwise). */
function decodeData(body: Uint8Array, dtype: IdxDType, size: number): IdxArray['data'] {
  if (size === 1) {
    return dtype === 'uint8' ? body : new Int8Array(body.buffer, body.byteOffset, body.length);
  }
  const copy = Buffer.alloc(body.length); // fresh and aligned
  copy.set(body);
  if (os.endianness() === 'LE') {
    if (size === 2) copy.swap16();
    else if (size === 4) copy.swap32();
    else copy.swap64();
  }
  return new ARRAYS[dtype](copy.buffer, copy.byteOffset, body.length / size);
}

/** Encodes an array as IDX bytes (gzip-compressed when asked). */
export function encodeIdx(array: IdxArray, options: { gzip?: boolean } = {}): Buffer {
  const { dtype, shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new TypeError(`encodeIdx: shape [${shape.join(', ')}] holds ${count} values, data has ${data.length}`);
  if (!(data instanceof ARRAYS[dtype])) throw new TypeError(`encodeIdx: dtype ${dtype} needs a ${ARRAYS[dtype].name}, got ${data.constructor.name}`);
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = CODES[dtype];
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const swapped = data.BYTES_PER_ELEMENT > 1 && os.endianness() === 'LE' ? Buffer.from(body) : body;
  if (swapped !== body) {
    if (data.BYTES_PER_ELEMENT === 2) swapped.swap16();
    else if (data.BYTES_PER_ELEMENT === 4) swapped.swap32();
    else swapped.swap64();
  }
  const bytes = Buffer.concat([header, swapped]);
  return options.gzip ? gzipSync(bytes) : bytes;
}

/** Writes an array as an IDX file. */
export function writeIdx(file: string, array: IdxArray, options: { gzip?: boolean } = {}): void {
  writeFileSync(file, encodeIdx(array, options));
}
