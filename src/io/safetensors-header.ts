// The header of the safetensors format (github.com/huggingface/safetensors): a file is an 8-byte little-endian
// header length N, N bytes of UTF-8 JSON, then the data buffer. The JSON maps each tensor name to
// {dtype, shape, data_offsets: [begin, end]} (offsets into the data buffer) and may hold "__metadata__", a
// string-to-string map. This file holds the dtype table, the validating header parser (every way a file can be
// corrupt or hostile becomes a SafetensorsError with a code, before any tensor is made) and the header encoder.
// safetensors.ts moves the tensor bytes.
import { NnlabError, closest } from '../engine/errors.js';
import type { DType } from '../tensor/index.js';

export type SafetensorsErrorCode =
  | 'io' // the file cannot be opened or read
  | 'truncated' // shorter than the 8-byte length prefix, or shrank while being read
  | 'header_too_large' // the declared header length is beyond the limit
  | 'header_out_of_bounds' // the declared header length runs past the end of the file
  | 'invalid_json' // the header is not UTF-8 JSON
  | 'invalid_header' // the JSON has the wrong structure or field types
  | 'unknown_dtype'
  | 'invalid_shape' // a dimension that is not a non-negative integer
  | 'invalid_offsets' // data_offsets that are not two integers with 0 <= begin <= end
  | 'offsets_out_of_bounds' // data_offsets beyond the data buffer
  | 'overlap' // two tensors share bytes
  | 'gap' // bytes of the data buffer that no tensor owns
  | 'size_mismatch' // end - begin != elements x bytes per element
  | 'duplicate_name'
  | 'invalid_argument'; // the writer was given something it cannot write

/** A corrupt or hostile safetensors file (or a bad argument to the writer): names the file and the tensor. */
export class SafetensorsError extends NnlabError {
  override name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    readonly file: string,
    /** What is wrong, without the file and tensor names. */
    readonly problem: string,
    readonly tensor?: string,
  ) {
    super(`${file}: ${tensor !== undefined ? `tensor '${tensor}': ` : ''}${problem}`);
  }
}

/** The safetensors dtypes nnlab reads and writes: nnlab dtype and bytes per element. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, { dtype: DType; bytes: number }>> = {
  F64: { dtype: 'float64', bytes: 8 },
  F32: { dtype: 'float32', bytes: 4 },
  F16: { dtype: 'float16', bytes: 2 },
  BF16: { dtype: 'bfloat16', bytes: 2 },
  I64: { dtype: 'int64', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
  I16: { dtype: 'int16', bytes: 2 },
  I8: { dtype: 'int8', bytes: 1 },
  U8: { dtype: 'uint8', bytes: 1 },
  BOOL: { dtype: 'bool', bytes: 1 },
};

const BY_DTYPE = new Map(Object.entries(SAFETENSORS_DTYPES).map(([name, d]) => [d.dtype, { name, bytes: d.bytes }]));

/** The safetensors name and element size of an nnlab dtype. */
export function safetensorsDtype(dtype: DType): { name: string; bytes: number } {
  const d = BY_DTYPE.get(dtype);
  if (!d) throw new TypeError(`dtype '${dtype}' has no safetensors name`);
  return d;
}

/** One tensor as the header describes it; begin and end are offsets into the data buffer. */
export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  /** In data-buffer order. */
  entries: TensorEntry[];
  metadata: Record<string, string>;
}

/** The default limit on the JSON header (the reference implementation uses the same 100 MB figure). */
export const DEFAULT_MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Checks the 8-byte length prefix against the limit and the file size; returns the header length N. */
export function headerLength(prefix: Uint8Array, fileSize: number, file: string, maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError('truncated', file, `${fileSize} bytes is too short for a safetensors file (8-byte header length first)`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) {
    throw new SafetensorsError('header_too_large', file, `the header length ${n} is beyond the limit of ${maxHeaderBytes} bytes`);
  }
  if (n > BigInt(fileSize - 8)) {
    throw new SafetensorsError('header_out_of_bounds', file, `the header length ${n} runs past the end of the file (${fileSize} bytes)`);
  }
  return Number(n);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `'${v}'` : typeof v === 'object' ? 'an object' : String(v));

/** Parses and validates the JSON header against a data buffer of `dataLength` bytes. */
export function parseHeader(bytes: Uint8Array, dataLength: number, file: string): Header {
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError('invalid_json', file, `the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw new SafetensorsError('invalid_header', file, `the header must be a JSON object, not ${describe(json)}`);
  const dup = duplicateKey(text);
  if (dup !== null) throw new SafetensorsError('duplicate_name', file, 'the header names it twice', dup);

  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, info] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(info, file);
    else entries.push(parseEntry(name, info, dataLength, file));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: string | null = null;
  for (const e of entries) {
    if (e.begin < cursor) throw new SafetensorsError('overlap', file, `bytes [${e.begin}, ${e.end}) overlap those of '${previous}'`, e.name);
    if (e.begin > cursor) throw new SafetensorsError('gap', file, `no tensor owns bytes [${cursor}, ${e.begin}) before this one`, e.name);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError('gap', file, `no tensor owns the last ${dataLength - cursor} bytes of the ${dataLength}-byte data buffer`);
  }
  return { entries, metadata };
}

function parseMetadata(info: unknown, file: string): Record<string, string> {
  if (!isObject(info)) throw new SafetensorsError('invalid_header', file, `__metadata__ must be an object of strings, not ${describe(info)}`);
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new SafetensorsError('invalid_header', file, `__metadata__.${k} must be a string, not ${describe(v)}`);
  }
  return Object.fromEntries(Object.entries(info as Record<string, string>));
}

function parseEntry(name: string, info: unknown, dataLength: number, file: string): TensorEntry {
  const fail = (code: SafetensorsErrorCode, problem: string) => new SafetensorsError(code, file, problem, name);
  if (!isObject(info)) throw fail('invalid_header', `must be an object {dtype, shape, data_offsets}, not ${describe(info)}`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') throw fail('invalid_header', `dtype must be a string, not ${describe(dtype)}`);
  const known = SAFETENSORS_DTYPES[Object.hasOwn(SAFETENSORS_DTYPES, dtype) ? dtype : ''];
  if (!known) {
    const valid = Object.keys(SAFETENSORS_DTYPES);
    const near = closest(dtype, valid);
    throw fail('unknown_dtype', `unknown dtype '${dtype}'${near ? ` (did you mean '${near}'?)` : ''}; nnlab reads ${valid.join(', ')}`);
  }
  if (!Array.isArray(shape)) throw fail('invalid_header', `shape must be an array, not ${describe(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw fail('invalid_shape', `shape [${shape.map(describe).join(', ')}] has ${describe(d)}, not a non-negative integer`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) throw fail('invalid_header', `data_offsets must be [begin, end], not ${describe(offsets)}`);
  const [begin, end] = offsets as unknown[];
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number)) {
    throw fail('invalid_offsets', `data_offsets [${describe(begin)}, ${describe(end)}] must be integers with 0 <= begin <= end`);
  }
  if ((end as number) > dataLength) {
    throw fail('offsets_out_of_bounds', `data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data buffer`);
  }
  // BigInt: a hostile shape's element count can be beyond 2^53.
  const elements = (shape as number[]).reduce((n, d) => n * BigInt(d), 1n);
  const expected = elements * BigInt(known.bytes);
  if (expected !== BigInt((end as number) - (begin as number))) {
    throw fail('size_mismatch', `${dtype} [${shape.join(', ')}] needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${(end as number) - (begin as number)}`);
  }
  return { name, dtype: known.dtype, shape: shape as number[], begin: begin as number, end: end as number };
}

/**
 * The first key that the top-level object of valid JSON `text` holds twice, or null. JSON.parse keeps the
 * last silently, so the keys are scanned here: strings at depth 1 that follow '{' or ','.
 */
export function duplicateKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return null;
}

/**
 * The header for tensors described by (name, dtype, shape), laid out largest element size first so that every
 * tensor starts at a multiple of its element size, padded with spaces so that the data buffer starts at a
 * multiple of 8 (as the reference writer does). Returns the encoded header (without the length prefix), the
 * entries in data order, and the data buffer's length.
 */
export function encodeHeader(
  tensors: readonly { name: string; dtype: DType; shape: readonly number[] }[],
  metadata: Record<string, string> | undefined,
  file: string,
): { header: Buffer; entries: TensorEntry[]; dataLength: number } {
  const fields: string[] = [];
  if (metadata !== undefined) {
    if (!isObject(metadata)) throw new SafetensorsError('invalid_argument', file, 'metadata must be an object of strings');
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError('invalid_argument', file, `metadata.${k} must be a string, not ${describe(v)}`);
    }
    fields.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const ordered = tensors
    .map((t, i) => ({ ...t, i, bytes: safetensorsDtype(t.dtype).bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.i - b.i);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of ordered) {
    if (t.name === '__metadata__') throw new SafetensorsError('invalid_argument', file, "the name '__metadata__' is reserved for the metadata", t.name);
    const end = offset + t.shape.reduce((n, d) => n * d, 1) * t.bytes;
    entries.push({ name: t.name, dtype: t.dtype, shape: [...t.shape], begin: offset, end });
    // Built by hand, not from an object, so that a name such as '__proto__' stays an ordinary key.
    fields.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: safetensorsDtype(t.dtype).name, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = Buffer.from(`{${fields.join(',')}}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
  json.copy(padded);
  return { header: padded, entries, dataLength: offset };
}
