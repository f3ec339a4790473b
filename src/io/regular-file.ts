// Reading files whose size the reader bounds. Only regular files are read: a FIFO, a device such as /dev/zero
// (or a symlink to one) or a folder is refused at once, never read or waited on. The file is opened without
// blocking (opening a FIFO for reading otherwise waits for a writer, forever if none comes), then checked with
// fstat on the open descriptor, so what is checked is what is read. Its size is known before a byte is read:
// callers compare it with what a header declares, or with a cap, and read only what they need.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { NnlabError } from '../engine/errors.js';

/** A file that cannot be read as asked: `reason` says why in words (the message is `file: reason`). */
export class FileReadError extends NnlabError {
  override name = 'FileReadError';
  constructor(
    readonly file: string,
    readonly reason: string,
    /** The system's error code (ENOENT, EACCES, ...) where the system refused. */
    readonly code?: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** What a file is when it is not a regular file, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** An open regular file: its size, reads at an offset, and close(). */
export class RegularFile {
  private constructor(
    readonly file: string,
    private fd: number,
    readonly size: number,
  ) {}

  /** Opens `file` for reading; a FileReadError when it cannot be opened or is not a regular file. */
  static open(file: string): RegularFile {
    let fd: number;
    try {
      // O_NONBLOCK: the open of a FIFO returns at once (and is then refused below); no effect on regular files.
      fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch (e) {
      throw new FileReadError(file, `cannot read the file: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      closeSync(fd);
      throw new FileReadError(file, `cannot read the file: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
    if (!st.isFile()) {
      closeSync(fd);
      throw new FileReadError(file, `is ${kindOf(st)}, not a regular file; only regular files are read`);
    }
    return new RegularFile(file, fd, st.size);
  }

  /**
   * Up to `length` bytes from `offset` (fewer only where the file ends sooner, e.g. it shrank since it was
   * opened). Never more than asked, whatever the file holds.
   */
  read(offset: number, length: number): Buffer {
    // Its own memory, not a slice of Node's shared pool: callers view it as typed arrays from offset 0.
    const out = Buffer.allocUnsafeSlow(length);
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.fd, out, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      throw new FileReadError(this.file, `cannot read the file: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
    }
    return done === length ? out : out.subarray(0, done);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * The whole of a regular file of at most `maxBytes`; a larger one is refused before it is read, naming the
 * cap (`what` names the kind of file in that message, e.g. 'an experiment file').
 */
export function readRegularFile(file: string, maxBytes: number, what = 'a file'): Buffer {
  const f = RegularFile.open(file);
  try {
    const tooLarge = (size: number) =>
      new FileReadError(file, `is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} ${what} may have`);
    if (f.size > maxBytes) throw tooLarge(f.size);
    // Read to the end, not to the size seen at open: the file may have grown since; never past the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = f.read(total, Math.min(Math.max(f.size - total, 64 * 1024), maxBytes + 1 - total));
      if (chunk.length === 0) break;
      chunks.push(chunk);
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(total);
    }
    return Buffer.concat(chunks, total);
  } finally {
    f.close();
  }
}

/** A byte count in words: '512 bytes', '4 MiB', '2.5 GiB'. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toFixed(v < 10 ? 1 : 0))} ${units[u]}`;
}
