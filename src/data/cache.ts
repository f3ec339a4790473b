// nnlab's on-disk cache for converted datasets (Fashion-MNIST from JSON, decoded image folders). The folder is
// NNLAB_CACHE, else $XDG_CACHE_HOME/nnlab, else ~/.cache/nnlab. Entries are written to a temporary name and
// renamed into place, so a crash or a concurrent writer never leaves a half-written entry behind.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The cache folder (not created). `override` wins over the environment. */
export function cacheDir(override?: string): string {
  if (override) return path.resolve(override);
  if (process.env.NNLAB_CACHE) return path.resolve(process.env.NNLAB_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'nnlab');
}

const tempName = (target: string): string => `${target}.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Writes one file atomically (temporary file in the same folder, then rename). */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates a folder of files atomically: `fill` writes into a temporary folder, which is then renamed to `dir`.
 * A complete entry holds the file `marker` (written by fill); an existing folder without it is not one of our
 * entries (or was damaged) and is replaced. If another process finished the same entry first, its folder is
 * kept and ours is discarded.
 */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void, marker = 'meta.json'): void {
  mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = tempName(dir);
  mkdirSync(tmp);
  try {
    fill(tmp);
    if (existsSync(dir) && !existsSync(path.join(dir, marker))) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return; // someone else won the race with identical content
    throw e;
  }
}
