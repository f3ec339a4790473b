// Atomic writes: readers see the old file (or directory) or the new one, never a half-written one, and an
// error or crash leaves no partial file under the real name. A file is written to a temp sibling, fsynced and
// renamed over; a directory is filled as a temp sibling (its files fsynced, then the folder) and swapped in,
// and the parent folder is fsynced after the rename; a directory is removed by renaming it aside first.
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Writes all of `bytes` at the file position (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** A hidden temp name next to `target`, unique to this process and call. */
export function tempSibling(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Best-effort fsync of a directory, so that a rename in it survives a crash (not every file system allows it). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Durability only: the rename itself has already happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `file` atomically: `write(fd)` fills a temp file in the same folder, which is then fsynced and renamed
 * over `file`. If `write` throws, the temp file is removed, `file` keeps its old content, and the error is
 * rethrown.
 */
export function writeFileAtomic(file: string, write: (fd: number) => void): void {
  const temp = tempSibling(file, 'tmp');
  const fd = openSync(temp, 'wx');
  try {
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  syncDir(path.dirname(file));
}

/**
 * Writes `bytes` to the new file `file` and fsyncs it, without a rename: for the files of a temp folder that
 * replaceDirAtomic renames in as a whole. Fails if `file` exists.
 */
export function writeFileSynced(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'wx');
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the directory `dir` so that it leaves its name in one step: it is renamed to a hidden sibling
 * (`.<name>.del-*`), the parent is fsynced, then the sibling is deleted. A crash leaves `dir` whole under its
 * name or gone from it (perhaps with a `.del-` sibling to delete), never half-deleted. No-op when absent.
 */
export function removeDirAtomic(dir: string): void {
  if (!existsSync(dir)) return;
  const aside = tempSibling(dir, 'del');
  renameSync(dir, aside);
  syncDir(path.dirname(path.resolve(dir)));
  rmSync(aside, { recursive: true, force: true });
}

/**
 * Replaces the directory `dir` with one that `fill(tempDir)` builds. The new directory is complete before it
 * takes the name; the old one (if any) is moved aside, the new one renamed in, the old one removed. If `fill`
 * throws, `dir` is untouched. POSIX cannot swap two directories in one step, so a crash between the two renames
 * leaves `dir` absent and the previous version at `.<name>.old-*` beside it.
 */
export function replaceDirAtomic(dir: string, fill: (tempDir: string) => void): void {
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  const temp = mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  try {
    fill(temp);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  syncDir(temp);
  if (!existsSync(dir)) {
    renameSync(temp, dir);
  } else {
    const old = tempSibling(dir, 'old');
    renameSync(dir, old);
    try {
      renameSync(temp, dir);
    } catch (e) {
      renameSync(old, dir);
      rmSync(temp, { recursive: true, force: true });
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }
  syncDir(parent);
}
