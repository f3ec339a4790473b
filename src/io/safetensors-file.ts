// Reading a safetensors file's header from disk: opening it, exact reads at an offset, and the validated header
// (safetensors-header.ts) without the data. No tensor is made here, so code that only looks at a weights file
// (the dashboard's model summary) needs no native addon; safetensors.ts reads the tensor bytes with the same helpers.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { DEFAULT_MAX_HEADER_BYTES, SafetensorsError, headerLength, parseHeader, type Header } from './safetensors-header.js';

export interface ReadOptions {
  /** Refuse headers longer than this many bytes (default 100 MiB). */
  maxHeaderBytes?: number;
}

/** The format is little-endian; nnlab hands the bytes to libtorch as they are, so it needs a little-endian host. */
export function requireLittleEndian(file: string): void {
  if (endianness() !== 'LE') throw new SafetensorsError('invalid_argument', file, 'nnlab reads and writes safetensors only on little-endian machines');
}

/** Opens `path` for reading; every file-system failure becomes a SafetensorsError with code 'io'. */
export function withFile<T>(path: string, use: (fd: number, size: number) => T): T {
  let fd: number;
  let size: number;
  try {
    // O_NONBLOCK: a FIFO's open returns at once (and is refused below as not a regular file) instead of
    // waiting for a writer; no effect on regular files.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new SafetensorsError('io', path, `cannot open: ${(e as Error).message}`);
  }
  try {
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new SafetensorsError('io', path, 'is not a regular file');
      size = stat.size;
    } catch (e) {
      throw e instanceof SafetensorsError ? e : new SafetensorsError('io', path, `cannot read: ${(e as Error).message}`);
    }
    return use(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** Reads exactly `length` bytes at `position`; a file that ends early is 'truncated'. */
export function readAt(fd: number, length: number, position: number, path: string): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    let got: number;
    try {
      got = readSync(fd, out, done, length - done, position + done);
    } catch (e) {
      throw new SafetensorsError('io', path, `cannot read: ${(e as Error).message}`);
    }
    if (got === 0) throw new SafetensorsError('truncated', path, `ended at byte ${position + done} while ${position + length} were expected (did it change while being read?)`);
    done += got;
  }
  return out;
}

/** The validated header of an open file, and where its data starts. */
export function readHeaderOf(fd: number, size: number, path: string, options: ReadOptions): { header: Header; dataStart: number } {
  requireLittleEndian(path);
  const prefix = readAt(fd, Math.min(8, size), 0, path);
  const n = headerLength(prefix, size, path, options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  const header = parseHeader(readAt(fd, n, 8, path), size - 8 - n, path);
  return { header, dataStart: 8 + n };
}

/** The validated header of a safetensors file (names, dtypes, shapes, metadata) without reading the data. */
export function readSafetensorsHeader(path: string, options: ReadOptions = {}): Header {
  return withFile(path, (fd, size) => readHeaderOf(fd, size, path, options).header);
}
