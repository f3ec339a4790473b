// A verified directory: a folder of files plus manifest.json, which names what the folder holds (`kind`) and
// lists every other file with its size and sha256. It is written atomically as a whole (replaceDirAtomic):
// each file is written and fsynced inside a hidden temp sibling, the manifest last, the temp folder is fsynced
// and renamed in, and the parent folder fsynced, so the name only ever shows a complete folder.
//
// Reading checks every listed file against its size and sha256 before any byte is handed out: a missing,
// truncated or altered file is a CheckpointError naming it (and 'sha256' for a content mismatch); a missing or
// unreadable manifest, or one of another kind, is a CheckpointError naming manifest.json. Reading never writes.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CheckpointError } from './checkpoint.js';
import { replaceDirAtomic, writeFileSynced } from './atomic.js';
import { FileReadError, readRegularFile, RegularFile } from './regular-file.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'nnlab.manifest/1';

export interface ManifestEntry {
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** What the folder holds, e.g. 'nnlab.training-checkpoint/1'. */
  kind: string;
  files: Record<string, ManifestEntry>;
}

/** A file name a verified folder may hold: plain, not hidden, not the manifest. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The sha256 of `bytes`, lower-case hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes the folder `dir` (created, or replaced as a whole) with `files` by name and a manifest of kind
 * `kind`. On error (including a bad file name) `dir` is untouched and no temp folder is left behind.
 */
export function writeVerifiedDir(dir: string, kind: string, files: Record<string, Uint8Array>): void {
  for (const name of Object.keys(files)) {
    if (!FILE_NAME.test(name) || name === MANIFEST_FILE) throw new CheckpointError(path.join(dir, name), `is not a valid file name for a verified folder (letters, digits, '_', '-', '.'; not '${MANIFEST_FILE}')`);
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, kind, files: {} };
  for (const [name, bytes] of Object.entries(files)) manifest.files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
  replaceDirAtomic(dir, (temp) => {
    for (const [name, bytes] of Object.entries(files)) writeFileSynced(path.join(temp, name), bytes);
    writeFileSynced(path.join(temp, MANIFEST_FILE), Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
  });
}

/** The largest manifest read (one line per file: a few hundred bytes in practice). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Reads a file for verification: a regular file only (a FIFO or a link to /dev/zero is refused at once), and no
 * more than `maxBytes`; a missing, unreadable or larger one is a CheckpointError naming it.
 */
function readOrFail(file: string, listed: boolean, maxBytes: number): Buffer {
  try {
    return readRegularFile(file, maxBytes);
  } catch (e) {
    throw asCheckpointError(e, file, listed);
  }
}

/** A FileReadError as a CheckpointError naming the file (a missing listed file says the manifest lists it). */
function asCheckpointError(e: unknown, file: string, listed: boolean): unknown {
  if (!(e instanceof FileReadError)) return e;
  if (e.code === 'ENOENT') return new CheckpointError(file, `missing${listed ? ` (${MANIFEST_FILE} lists it)` : ''}`);
  return new CheckpointError(file, e.code === undefined ? e.reason : `cannot read: ${e.reason.replace(/^cannot read the file: /, '')}`);
}

/**
 * A file the manifest lists, checked against its entry: one larger than listed is refused unread (a weights
 * file swapped for gigabytes, or a link to /dev/zero, is never read), any other is read and hashed.
 */
function readListed(file: string, want: ManifestEntry): Buffer {
  let f: RegularFile;
  try {
    f = RegularFile.open(file);
  } catch (e) {
    throw asCheckpointError(e, file, true);
  }
  try {
    if (f.size > want.bytes) {
      throw new CheckpointError(file, `sha256 mismatch: ${MANIFEST_FILE} says ${want.sha256}, but the file is larger than listed (${f.size} bytes, the manifest says ${want.bytes}), so it was not read; the checkpoint is corrupt`);
    }
    const bytes = f.read(0, want.bytes + 1);
    const got = sha256(bytes);
    if (got !== want.sha256 || bytes.length !== want.bytes) {
      const size = bytes.length !== want.bytes ? ` (${bytes.length} bytes, the manifest says ${want.bytes})` : '';
      throw new CheckpointError(file, `sha256 mismatch: ${MANIFEST_FILE} says ${want.sha256}, the file hashes to ${got}${size}; the checkpoint is corrupt`);
    }
    return bytes;
  } catch (e) {
    throw asCheckpointError(e, file, true);
  } finally {
    f.close();
  }
}

/** The manifest of `dir`, checked to be of `kind` and well formed. */
export function readManifest(dir: string, kind: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let m: Manifest;
  try {
    m = JSON.parse(readOrFail(file, false, MAX_MANIFEST_BYTES).toString('utf8')) as Manifest;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (m === null || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) throw new CheckpointError(file, `is not an nnlab manifest (format ${JSON.stringify((m as Manifest | null)?.format)}, expected '${MANIFEST_FORMAT}')`);
  if (m.kind !== kind) throw new CheckpointError(file, `describes a '${String(m.kind)}' folder, expected '${kind}'`);
  if (m.files === null || typeof m.files !== 'object' || Array.isArray(m.files)) throw new CheckpointError(file, "has no 'files' object");
  for (const [name, e] of Object.entries(m.files)) {
    const ok = FILE_NAME.test(name) && name !== MANIFEST_FILE && Number.isInteger(e?.bytes) && typeof e?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256);
    if (!ok) throw new CheckpointError(file, `files.${name}: expected a plain file name with { bytes, sha256 }`);
  }
  return m;
}

/**
 * Verifies every file the manifest of `dir` lists and returns their bytes by name (files not listed are
 * ignored). Throws a CheckpointError naming the first file that is missing or does not match its sha256.
 */
export function readVerifiedDir(dir: string, kind: string): Record<string, Buffer> {
  const manifest = readManifest(dir, kind);
  const out: Record<string, Buffer> = {};
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = path.join(dir, name);
    out[name] = readListed(file, want);
  }
  return out;
}
