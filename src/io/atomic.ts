// Atomic writes: readers see the old file (or directory) or the new one, never a half-written one, and an
// error or crash leaves no partial file under the real name. A file is written to a temp sibling, fsynced and
// renamed over; a directory is filled as a temp sibling (its files fsynced, then the folder) and swapped in,
// and the parent folder is fsynced after the rename; a directory is removed by renaming it aside first.
//
// Temp names carry the writer's pid and machine (`.<name>.tmp-<pid>-<host tag><random>`), so that a later
// write in the same folder can tell a killed writer's leftovers from a live writer's work in progress, and clear
// them (clearStaleSiblings).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';

/** Writes all of `bytes` at the file position (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * 4 hex digits of this machine's name: a pid only says whether its writer is alive on the machine that wrote it
 * (a folder may be shared between machines).
 */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 4);

/**
 * A hidden temp name next to `target`, unique to this process and call: `.<name>.<kind>-<pid>-<host tag><6
 * random hex>`.
 */
export function tempSibling(target: string, kind: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}-${HOST_TAG}${randomBytes(3).toString('hex')}`);
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
 * Leftovers whose writer cannot be asked (written on another machine, or named without a pid: mkdtemp's
 * `.<name>.tmp-XXXXXX`, as earlier versions wrote them) are taken for a killed writer's once they are this old:
 * writing a folder takes seconds, not an hour.
 */
const UNASKED_STALE_MS = 60 * 60 * 1000;

/** What killed writers leave: `.<name>.<kind>-<pid>-<10 hex>` (8 hex: names from before the host tag). */
const LEFTOVER = /^\.(.+)\.(tmp|old|del)-(\d+)-([0-9a-f]{10}|[0-9a-f]{8})$/;

/**
 * Clears what killed writers left in the folder that holds `dir` (a SIGKILL or power cut during
 * replaceDirAtomic, removeDirAtomic or writeFileAtomic), for `dir` and its neighbours alike (a run killed while
 * saving its weights leaves `.run-3.tmp-*`, which the next run, saving run-4, clears): `.<name>.tmp-*` (a
 * half-written new version) and `.<name>.del-*` (a folder being deleted) are removed; `.<name>.old-*` (the
 * previous version, moved aside just before the new one took the name) is renamed back to `<name>` when that is
 * missing (the crash came between the two renames), else removed. Only leftovers whose writer is dead are
 * touched: the pid in the name is no live process on this machine; where the writer was on another machine (or,
 * for `dir`'s own mkdtemp names of earlier versions, is not named), the leftover is over an hour old. A
 * concurrent writer's temp is left alone. Returns the names it cleared.
 */
export function clearStaleSiblings(dir: string): string[] {
  const parent = path.dirname(path.resolve(dir));
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return []; // no folder yet: nothing can be left there
  }
  // Another process may clear the same leftovers at the same time: whatever is gone meanwhile is skipped.
  const mtime = (name: string) => {
    try {
      return statSync(path.join(parent, name)).mtimeMs;
    } catch {
      return null;
    }
  };
  const aged = (name: string) => {
    const t = mtime(name);
    return t !== null && Date.now() - t > UNASKED_STALE_MS;
  };
  // mkdtemp's names (`.<name>.tmp-XXXXXX`, earlier versions) are too plain to be told from a user's file by
  // the name alone: only `dir`'s own are taken.
  const mkdtemp = new RegExp(`^\\.${path.basename(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tmp-[A-Za-z0-9]{6}$`);
  const stale = names.flatMap((name) => {
    if (mkdtemp.test(name)) return aged(name) ? [{ name, target: path.basename(dir), kind: 'tmp' }] : [];
    const m = LEFTOVER.exec(name);
    if (!m) return [];
    const [, target, kind, pid, tag] = m;
    const here = tag.length === 8 || tag.startsWith(HOST_TAG);
    return (here ? !processAlive(Number(pid)) : aged(name)) ? [{ name, target, kind }] : [];
  });
  // Previous versions first, while their folders are still missing; the newest where (against the odds) a folder
  // has several.
  const restored = new Set<string>();
  for (const s of stale.filter((x) => x.kind === 'old').sort((a, b) => (mtime(b.name) ?? 0) - (mtime(a.name) ?? 0))) {
    const to = path.join(parent, s.target);
    if (restored.has(s.target) || existsSync(to)) continue;
    try {
      renameSync(path.join(parent, s.name), to);
      restored.add(s.target);
    } catch (e) {
      // Gone (cleared by another process), or written meanwhile by another: the leftover is then just removed.
      if (!['ENOENT', 'EEXIST', 'ENOTEMPTY'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  if (restored.size) syncDir(parent);
  for (const s of stale) rmSync(path.join(parent, s.name), { recursive: true, force: true });
  return stale.map((s) => s.name);
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
