// Reading and writing tensors as safetensors files (the format PyTorch, Hugging Face and others share), and as
// in-memory buffers. The reader validates the whole header (safetensors-header.ts) before it makes any tensor,
// then reads one tensor at a time: each becomes a native tensor with one copy of its bytes (a uint8 tensor
// reinterpreted as the dtype with aten::view.dtype, so float16/bfloat16 and unaligned data need no JS work).
import { tensor, tidy, Tensor } from '../tensor/index.js';
import { writeAll, writeFileAtomic } from './atomic.js';
import { SafetensorsError, encodeHeader, headerLength, parseHeader, type Header, type TensorEntry } from './safetensors-header.js';
import { readAt, readHeaderOf, requireLittleEndian, withFile, type ReadOptions } from './safetensors-file.js';

export { SafetensorsError, SAFETENSORS_DTYPES, DEFAULT_MAX_HEADER_BYTES } from './safetensors-header.js';
export type { SafetensorsErrorCode, TensorEntry, Header } from './safetensors-header.js';
export { readSafetensorsHeader, type ReadOptions } from './safetensors-file.js';

/** What a safetensors file holds. Metadata is {} when the file has none. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

// ---- writing ---------------------------------------------------------------------------------------------

/** The header and data layout for `tensors`; checks that every value is a live Tensor. */
function layout(tensors: Record<string, Tensor>, metadata: Record<string, string> | undefined, file: string) {
  requireLittleEndian(file);
  if (typeof tensors !== 'object' || tensors === null) throw new SafetensorsError('invalid_argument', file, 'tensors must be an object of name: Tensor');
  const described = Object.entries(tensors).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new SafetensorsError('invalid_argument', file, 'is not a Tensor', name);
    if (t.isDisposed) throw new SafetensorsError('invalid_argument', file, 'was disposed', name);
    return { name, dtype: t.dtype, shape: t.shape };
  });
  return encodeHeader(described, metadata, file);
}

/** A tensor's bytes in row-major order, as safetensors stores them. */
function tensorBytes(t: Tensor, entry: TensorEntry, file: string): Uint8Array {
  const data = tidy(() => (t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.viewDtype('int16') : t).toTypedArray());
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length !== entry.end - entry.begin) {
    throw new SafetensorsError('invalid_argument', file, `changed while being written (${bytes.length} bytes, expected ${entry.end - entry.begin})`, entry.name);
  }
  return bytes;
}

function lengthPrefix(header: Buffer): Buffer {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  return prefix;
}

/** The safetensors encoding of `tensors` (and optional string metadata) in one buffer. */
export function toBuffer(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Buffer {
  const file = '<buffer>';
  const { header, entries } = layout(tensors, metadata, file);
  const parts: Uint8Array[] = [lengthPrefix(header), header];
  for (const e of entries) parts.push(tensorBytes(tensors[e.name], e, file));
  return Buffer.concat(parts);
}

/**
 * Writes `tensors` (and optional string metadata) to `path` as a safetensors file, atomically: a temp file in
 * the same folder is written one tensor at a time and renamed over `path`; on error nothing is left behind and
 * an existing file keeps its content.
 */
export function writeSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  try {
    writeFileAtomic(path, (fd) => {
      const { header, entries } = layout(tensors, metadata, path);
      writeAll(fd, lengthPrefix(header));
      writeAll(fd, header);
      for (const e of entries) writeAll(fd, tensorBytes(tensors[e.name], e, path));
    });
  } catch (e) {
    // File-system failures (no such folder, disk full, no permission) become typed errors too.
    if (e instanceof Error && 'errno' in e) throw new SafetensorsError('io', path, `cannot write: ${e.message}`);
    throw e;
  }
}

// ---- reading ---------------------------------------------------------------------------------------------

/** A tensor of `entry`'s dtype and shape holding a copy of `bytes` (exactly its end - begin bytes). */
function makeTensor(bytes: Uint8Array, entry: TensorEntry): Tensor {
  return tidy(() => {
    const raw = tensor(bytes, [bytes.length]);
    // A bool byte other than 0 or 1 would be an invalid bool in libtorch; ne(0) makes it true.
    const typed = entry.dtype === 'bool' ? raw.ne(0) : raw.viewDtype(entry.dtype);
    return typed.reshape(entry.shape);
  });
}

/** Makes every tensor of a validated header; on any error the ones already made are freed. */
function makeTensors(header: Header, bytesOf: (e: TensorEntry) => Uint8Array): SafetensorsContents {
  const tensors = tidy(() => Object.fromEntries(header.entries.map((e) => [e.name, makeTensor(bytesOf(e), e)])));
  return { tensors, metadata: header.metadata };
}

/** Reads a safetensors encoding from memory; `source` names it in errors. */
export function fromBuffer(buffer: Uint8Array, options: ReadOptions & { source?: string } = {}): SafetensorsContents {
  const file = options.source ?? '<buffer>';
  requireLittleEndian(file);
  const n = headerLength(buffer.subarray(0, 8), buffer.length, file, options.maxHeaderBytes);
  const dataStart = 8 + n;
  const header = parseHeader(buffer.subarray(8, dataStart), buffer.length - dataStart, file);
  return makeTensors(header, (e) => buffer.subarray(dataStart + e.begin, dataStart + e.end));
}

/**
 * Reads a safetensors file into tensors. The header is validated first (size limit, JSON structure, dtypes,
 * shapes, offsets inside the data, no overlaps or gaps, dtype x shape = bytes, unique names); a corrupt or
 * hostile file throws a SafetensorsError whose `code` says what is wrong and whose message names the file and
 * the tensor. The data is then read one tensor at a time.
 */
export function readSafetensors(path: string, options: ReadOptions = {}): SafetensorsContents {
  return withFile(path, (fd, size) => {
    const { header, dataStart } = readHeaderOf(fd, size, path, options);
    return makeTensors(header, (e) => readAt(fd, e.end - e.begin, dataStart + e.begin, path));
  });
}
