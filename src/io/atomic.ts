// Atomic writes: readers see the old file (or directory) or the new one, never a half-written one, and an
// error or crash leaves no partial file under the real name. A file is written to a temp sibling, fsynced and
// renamed over; a directory is filled as a temp sibling (its files fsynced, then the folder) and swapped in,
// and the parent folder is fsynced after the rename; a directory is removed by renaming it aside first.
//
// Temp names carry the writer's pid (`.<name>.tmp-<pid>-<hex>`), so that the next write of a folder can tell a
// killed writer's leftovers from a live writer's work in progress, and clear them (clearStaleSiblings).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Writes all of `bytes` at the file position (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** A hidden temp name next to `target`, unique to this process and call: `.<name>.<kind>-<pid>-<8 hex>`. */
export function tempSibling(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Whether process `pid` exists on this machine (EPERM: it does, and belongs to someone else). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Temp siblings named without a pid (mkdtemp's `.<name>.tmp-XXXXXX`, as earlier versions wrote them) are taken
 * for a killed writer's once they are this old: writing a folder takes seconds, not an hour.
 */
const UNNAMED_STALE_MS = 60 * 60 * 1000;

/**
 * Clears what killed writers left beside `dir` (a SIGKILL or power cut during replaceDirAtomic or
 * removeDirAtomic): `.<name>.tmp-*` (a half-written new version) and `.<name>.del-*` (a folder being deleted)
 * are removed; `.<name>.old-*` (the previous version, moved aside just before the new one took the name) is
 * renamed back to `dir` when `dir` is missing (the crash came between the two renames), else removed. Only
 * siblings whose writer is dead are touched: the pid in the name is not a live process on this machine (or, for
 * names without a pid, the sibling is over an hour old), so a concurrent writer's temp folder is left alone.
 * Returns the names it cleared.
 */
export function clearStaleSiblings(dir: string): string[] {
  const parent = path.dirname(path.resolve(dir));
  const prefix = `.${path.basename(dir)}.`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return []; // no parent yet: nothing can be left there
  }
  // Another process may clear the same leftovers at the same time: whatever is gone meanwhile is skipped.
  const mtime = (name: string) => {
    try {
      return statSync(path.join(parent, name)).mtimeMs;
    } catch {
      return null;
    }
  };
  const stale = names.filter((name) => {
    const m = name.startsWith(prefix) ? /^(tmp|old|del)-(?:(\d+)-[0-9a-f]{8}|[A-Za-z0-9]{6})$/.exec(name.slice(prefix.length)) : null;
    if (!m) return false;
    if (m[2] !== undefined) return !processAlive(Number(m[2]));
    const t = mtime(name);
    return t !== null && Date.now() - t > UNNAMED_STALE_MS;
  });
  // The previous version first, while `dir` is still missing; the newest if (against the odds) there are several.
  const old = stale.filter((n) => n.startsWith(`${prefix}old-`)).sort((a, b) => (mtime(b) ?? 0) - (mtime(a) ?? 0));
  if (old.length && !existsSync(dir)) {
    try {
      renameSync(path.join(parent, old[0]), dir);
      syncDir(parent);
    } catch (e) {
      // Gone (cleared by another process), or `dir` written meanwhile by another: the leftover is then just removed.
      if (!['ENOENT', 'EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  for (const name of stale) rmSync(path.join(parent, name), { recursive: true, force: true });
  return stale;
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
 * Replaces the directory `dir` with one that `fill(tempDir)` builds (an empty folder, mode 0700). The new
 * directory is complete before it takes the name; the old one (if any) is moved aside, the new one renamed in,
 * the old one removed. If `fill` throws, `dir` is untouched. POSIX cannot swap two directories in one step, so a
 * crash between the two renames leaves `dir` absent and the previous version at `.<name>.old-*` beside it; the
 * next replaceDirAtomic of `dir` first clears such leftovers of dead writers (clearStaleSiblings), putting that
 * previous version back.
 */
export function replaceDirAtomic(dir: string, fill: (tempDir: string) => void): void {
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  clearStaleSiblings(dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  const temp = tempSibling(dir, 'tmp');
  mkdirSync(temp, { mode: 0o700 });
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
