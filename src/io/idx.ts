// The IDX file format of MNIST (and Fashion-MNIST): a 4-byte magic number (two zero bytes, a type code and the
// number of dimensions), one big-endian uint32 per dimension, then the data, big-endian, row-major. Files may
// be gzip-compressed (as they are distributed); gzip is recognised by its magic bytes, not by the file name.
// Reading is bounded by the header: only regular files are read, a plain file's size is checked against the
// header before its data is read, and gzip data is inflated no further than the size the header declares.
import { constants as bufferConstants } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { NnlabError } from '../engine/errors.js';
import { FileReadError, RegularFile } from './regular-file.js';
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

/** Compressed bytes inflated per step while looking for the header of a gzip file, and how far to look. */
const HEAD_STEP = 1024;
const HEAD_SEARCH = 64 * 1024;

/** An IDX header: element type, shape, header length and the byte count of the whole (uncompressed) file. */
interface IdxHeader {
  type: { dtype: IdxDType; bytes: number };
  shape: number[];
  headerBytes: number;
  expected: number;
}

/**
 * Reads an IDX file, plain or gzip-compressed, validating its header against its size. Only a regular file
 * is read (a FIFO or device is refused at once), and no more than its header declares: a plain file's size is
 * checked against the header before the data is read, and a gzip file is inflated up to the declared size only.
 */
export function readIdx(file: string): IdxArray {
  let f: RegularFile;
  try {
    f = RegularFile.open(file);
  } catch (e) {
    throw e instanceof FileReadError ? new IdxError(file, e.reason) : e;
  }
  try {
    const start = f.read(0, Math.min(f.size, HEAD_SEARCH));
    if (isGzip(start)) {
      const header = parseHeader(gunzipHead(start, file), file);
      checkFits(header, file);
      // Deflate never grows data by more than a few bytes per 16 KiB block (zlib's deflateBound), so a gzip
      // file much larger than what its header declares holds something else as well: refused unread.
      const bound = header.expected + Math.ceil(header.expected / 1024) + HEAD_SEARCH;
      if (f.size > bound) {
        throw new IdxError(
          file,
          `the header says ${describeHeader(header)}, which needs ${header.expected} bytes, but the gzip file has ` +
            `${f.size} bytes, more than that data compresses to (at most ${bound})`,
          header.expected,
          f.size,
        );
      }
      return parseIdx(f.size === start.length ? start : f.read(0, f.size), file);
    }
    const header = parseHeader(start, file);
    checkLength(header, f.size, file, 'file');
    checkFits(header, file);
    const bytes = f.size === start.length ? start : f.read(0, f.size);
    checkLength(header, bytes.length, file, 'file'); // it may have shrunk since it was opened
    return { dtype: header.type.dtype, shape: header.shape, data: decodeData(bytes.subarray(header.headerBytes), header.type.dtype, header.type.bytes) };
  } catch (e) {
    throw e instanceof FileReadError ? new IdxError(file, e.reason) : e;
  } finally {
    f.close();
  }
}

/** Reads an IDX file straight into a tensor of its dtype and shape. */
export function readIdxTensor(file: string): Tensor {
  const a = readIdx(file);
  return tensor(a.data, a.shape);
}

/**
 * Decodes IDX bytes (plain or gzip); `file` names the source in errors. Gzip data is inflated no further than
 * the size its header declares: a small file that inflates to gigabytes is refused after a few bytes.
 */
export function parseIdx(raw: Uint8Array, file = '<buffer>'): IdxArray {
  let bytes = raw;
  let header: IdxHeader;
  if (isGzip(raw)) {
    header = parseHeader(gunzipHead(raw, file), file);
    checkFits(header, file);
    bytes = gunzipAtMost(raw, header, file);
    checkLength(header, bytes.length, file, 'decompressed file');
  } else {
    header = parseHeader(raw, file);
    checkLength(header, raw.length, file, 'file');
  }
  return { dtype: header.type.dtype, shape: header.shape, data: decodeData(bytes.subarray(header.headerBytes), header.type.dtype, header.type.bytes) };
}

/** The header at the start of `bytes` (which may hold only the header); an IdxError when there is none. */
function parseHeader(bytes: Uint8Array, file: string): IdxHeader {
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
  return { type, shape, headerBytes, expected: headerBytes + count * type.bytes };
}

const describeHeader = (h: IdxHeader) => `${h.type.dtype} [${h.shape.join(', ')}]`;

/** The file's (or decompressed data's) length must be exactly what the header declares. */
function checkLength(header: IdxHeader, length: number, file: string, what: 'file' | 'decompressed file'): void {
  if (length === header.expected) return;
  const problem = length < header.expected ? 'truncated' : 'has trailing bytes';
  throw new IdxError(
    file,
    `${problem}: the header says ${describeHeader(header)}, which needs ${header.expected} bytes, but the ${what} has ${length}`,
    header.expected,
    length,
  );
}

/** What the header declares must fit in one buffer and in this machine's memory, checked before allocating it. */
function checkFits(header: IdxHeader, file: string): void {
  const limit = Math.min(bufferConstants.MAX_LENGTH, os.totalmem());
  if (header.expected > limit) {
    throw new IdxError(
      file,
      `the header says ${describeHeader(header)}, which needs ${header.expected} bytes, more than can be held in ` +
        `memory here (${limit} bytes)`,
      header.expected,
    );
  }
}

/**
 * The first decompressed bytes of gzip data, enough to hold its IDX header: prefixes of the compressed data
 * are inflated (a sync flush, as for truncated input), growing by HEAD_STEP bytes until the header is there,
 * so at most about a megabyte is inflated past it (deflate expands 1 byte to at most 1032).
 */
function gunzipHead(gz: Uint8Array, file: string): Buffer {
  for (let n = Math.min(HEAD_STEP, gz.length); ; n = Math.min(n + HEAD_STEP, gz.length)) {
    let out: Buffer;
    try {
      out = gunzipSync(gz.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 4 * 1024 * 1024 });
    } catch (e) {
      throw new IdxError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
    const wanted = out.length < 4 ? 4 : 4 + 4 * out[3];
    if (out.length >= wanted || n === gz.length) return out;
    if (n >= HEAD_SEARCH) {
      throw new IdxError(file, `no IDX header in the first ${HEAD_SEARCH} bytes of gzip data (it inflates to ${out.length} bytes)`);
    }
  }
}

/** All of the gzip data, inflated to at most what the header declares (more is an error, found early). */
function gunzipAtMost(gz: Uint8Array, header: IdxHeader, file: string): Buffer {
  try {
    return gunzipSync(gz, { maxOutputLength: header.expected });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IdxError(
        file,
        `has trailing bytes: the header says ${describeHeader(header)}, which needs ${header.expected} bytes, but ` +
          `the decompressed file has more (inflation stopped there)`,
        header.expected,
      );
    }
    throw new IdxError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
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
