// Verified folders: written whole with a sha256 manifest and no temp folder left; every kind of damage to a
// file (a flipped bit, truncation, deletion) or to the manifest is a CheckpointError naming the file; reading
// never writes. Also the atomic helpers they rest on: writeFileSynced, removeDirAtomic, and the clearing of what
// killed writers leave beside a folder.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { removeDirAtomic, replaceDirAtomic, writeFileSynced } from './atomic.js';
import { CheckpointError } from './checkpoint.js';
import { MANIFEST_FILE, readManifest, readVerifiedDir, sha256, writeVerifiedDir } from './verified-dir.js';

const root = mkdtempSync(path.join(tmpdir(), 'nnlab-verified-'));
after(() => rmSync(root, { recursive: true, force: true }));

const KIND = 'test.kind/1';
const files = () => ({ 'a.json': Buffer.from('{"x":1}\n'), 'b.bin': Buffer.from([0, 1, 2, 3, 255]) });

function fresh(name: string): string {
  const dir = path.join(root, name);
  writeVerifiedDir(dir, KIND, files());
  return dir;
}

test('a verified folder round-trips; its manifest lists every file with size and sha256; no temp folder is left', () => {
  const dir = fresh('roundtrip');
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.bin', MANIFEST_FILE]);
  assert.deepEqual(readdirSync(root), ['roundtrip'], 'no temp sibling left');
  const m = readManifest(dir, KIND);
  assert.deepEqual(m.files['b.bin'], { bytes: 5, sha256: sha256(Buffer.from([0, 1, 2, 3, 255])) });
  assert.deepEqual(readVerifiedDir(dir, KIND), files());
  // Writing again replaces the folder as a whole.
  writeVerifiedDir(dir, KIND, { 'c.txt': Buffer.from('c') });
  assert.deepEqual(readdirSync(dir).sort(), ['c.txt', MANIFEST_FILE]);
  assert.throws(() => writeVerifiedDir(path.join(root, 'bad'), KIND, { '.hidden': Buffer.alloc(0) }), /\.hidden: is not a valid file name/);
  assert.throws(() => writeVerifiedDir(path.join(root, 'bad'), KIND, { [MANIFEST_FILE]: Buffer.alloc(0) }), /is not a valid file name/);
  assert.ok(!existsSync(path.join(root, 'bad')));
});

test('damage is a CheckpointError naming the file; reading writes nothing', () => {
  const isAt = (file: string, re: RegExp) => (e: unknown) => e instanceof CheckpointError && e.file === file && re.test(e.message);
  const flipped = fresh('flipped');
  const b = path.join(flipped, 'b.bin');
  const bytes = readFileSync(b);
  bytes[2] ^= 0x10;
  writeFileSync(b, bytes);
  assert.throws(() => readVerifiedDir(flipped, KIND), isAt(b, /sha256 mismatch: manifest\.json says [0-9a-f]{64}, the file hashes to [0-9a-f]{64}; the checkpoint is corrupt/));
  assert.deepEqual(readFileSync(b), bytes, 'the corrupt file is left as it was');

  const truncated = fresh('truncated');
  truncateSync(path.join(truncated, 'a.json'), 3);
  assert.throws(() => readVerifiedDir(truncated, KIND), isAt(path.join(truncated, 'a.json'), /sha256 mismatch.*\(3 bytes, the manifest says 8\)/));

  const missing = fresh('missing');
  rmSync(path.join(missing, 'a.json'));
  assert.throws(() => readVerifiedDir(missing, KIND), isAt(path.join(missing, 'a.json'), /missing \(manifest\.json lists it\)/));

  const manifest = fresh('manifest');
  const mf = path.join(manifest, MANIFEST_FILE);
  assert.throws(() => readVerifiedDir(manifest, 'other.kind/1'), isAt(mf, /describes a 'test\.kind\/1' folder, expected 'other\.kind\/1'/));
  writeFileSync(mf, '{"format": "nnlab.manifest/1", "kind": "test.kind/1", "files": {"a.json": {"bytes": 8}}}');
  assert.throws(() => readVerifiedDir(manifest, KIND), isAt(mf, /files\.a\.json: expected a plain file name with \{ bytes, sha256 \}/));
  writeFileSync(mf, '{"format": ');
  assert.throws(() => readVerifiedDir(manifest, KIND), isAt(mf, /is not valid JSON/));
  rmSync(mf);
  assert.throws(() => readVerifiedDir(manifest, KIND), isAt(mf, /^.*: missing$/));
});

test('writeFileSynced refuses to overwrite; removeDirAtomic leaves nothing behind', () => {
  const dir = path.join(root, 'helpers');
  mkdirSync(path.join(dir, 'gone', 'deep'), { recursive: true });
  writeFileSynced(path.join(dir, 'gone', 'deep', 'f'), Buffer.from('x'));
  assert.throws(() => writeFileSynced(path.join(dir, 'gone', 'deep', 'f'), Buffer.from('y')), /EEXIST/);
  assert.equal(readFileSync(path.join(dir, 'gone', 'deep', 'f'), 'utf8'), 'x');
  removeDirAtomic(path.join(dir, 'gone'));
  assert.deepEqual(readdirSync(dir), []);
  removeDirAtomic(path.join(dir, 'gone')); // absent: a no-op
});

/** A leftover as a killed writer leaves it: a hidden sibling folder with a file in it. */
function leftover(parent: string, name: string, content = 'half-written'): string {
  mkdirSync(path.join(parent, name));
  writeFileSync(path.join(parent, name, 'weights.safetensors'), content);
  return name;
}

test("the next write in a folder clears dead writers' temp folders (its own and its neighbours') and leaves live writers' alone", async (t) => {
  const parent = path.join(root, 'stale');
  mkdirSync(parent);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  t.after(() => live.kill());
  await new Promise((resolve) => live.once('spawn', resolve));
  // Names as tempSibling writes them on this machine (a tag of its host name), on another, and before the tag.
  const here = createHash('sha256').update(hostname()).digest('hex').slice(0, 4);
  const elsewhere = here === 'beef' ? 'cafe' : 'beef';
  const hourAgo = (name: string) => {
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(path.join(parent, name), old, old);
    return name;
  };
  const gone = [
    leftover(parent, `.run-3.tmp-${dead}-${here}0badc0`),
    leftover(parent, `.run-3.del-${dead}-89abcdef`),
    leftover(parent, `.run-2.tmp-${dead}-${here}123456`), // a run killed while saving: the next run's save clears it
    hourAgo(leftover(parent, `.run-1.tmp-${live.pid}-${elsewhere}123456`)), // another machine's, an hour old
    hourAgo(leftover(parent, '.run-3.tmp-Ab12Cd')), // an earlier version's mkdtemp name, an hour old
  ];
  const kept = [
    leftover(parent, `.run-3.tmp-${live.pid}-${here}0badc0`), // a concurrent writer at work
    leftover(parent, `.run-3.tmp-${dead}-${elsewhere}0badc0`), // another machine's (its pid means nothing here), recent
    leftover(parent, '.run-3.tmp-Xy34Zw'), // no pid and recent: perhaps at work
    hourAgo(leftover(parent, '.notes.tmp-backup')), // not a name nnlab writes
  ];
  writeVerifiedDir(path.join(parent, 'run-3'), KIND, files());
  assert.deepEqual(readdirSync(parent).sort(), [...kept, 'run-3'].sort());
  for (const name of gone) assert.ok(!existsSync(path.join(parent, name)), name);
  assert.deepEqual(readVerifiedDir(path.join(parent, 'run-3'), KIND), files());
});

test('a crash between the two renames of a swap: the next write puts the previous version back first', () => {
  const parent = path.join(root, 'swap');
  mkdirSync(parent);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  // The folder was moved aside, the new version (complete or not) never took its name.
  leftover(parent, `.rep.old-${dead}-00000000`, 'previous');
  leftover(parent, `.rep.tmp-${dead}-11111111`, 'new');
  // A write that fails leaves the previous version in place, and nothing else.
  assert.throws(() => replaceDirAtomic(path.join(parent, 'rep'), () => { throw new Error('disk full'); }), /disk full/);
  assert.deepEqual(readdirSync(parent), ['rep']);
  assert.equal(readFileSync(path.join(parent, 'rep', 'weights.safetensors'), 'utf8'), 'previous');
});

test('only regular files are read, and a listed file larger than its entry is refused unread', () => {
  const isAt = (file: string, re: RegExp) => (e: unknown) => e instanceof CheckpointError && e.file === file && re.test(e.message);
  const zero = fresh('zero');
  rmSync(path.join(zero, 'b.bin'));
  symlinkSync('/dev/zero', path.join(zero, 'b.bin'));
  assert.throws(() => readVerifiedDir(zero, KIND), isAt(path.join(zero, 'b.bin'), /^.*b\.bin: is a character device, not a regular file; only regular files are read$/));
  const fifo = fresh('fifo');
  rmSync(path.join(fifo, 'a.json'));
  assert.equal(spawnSync('mkfifo', [path.join(fifo, 'a.json')]).status, 0);
  assert.throws(() => readVerifiedDir(fifo, KIND), isAt(path.join(fifo, 'a.json'), /is a FIFO \(named pipe\), not a regular file/));
  const manifestFifo = fresh('manifest-fifo');
  rmSync(path.join(manifestFifo, MANIFEST_FILE));
  assert.equal(spawnSync('mkfifo', [path.join(manifestFifo, MANIFEST_FILE)]).status, 0);
  assert.throws(() => readManifest(manifestFifo, KIND), isAt(path.join(manifestFifo, MANIFEST_FILE), /is a FIFO/));
  const grown = fresh('grown');
  truncateSync(path.join(grown, 'b.bin'), 3 * 1024 ** 3); // sparse: nothing written, and nothing must be read
  assert.throws(() => readVerifiedDir(grown, KIND), isAt(path.join(grown, 'b.bin'), /sha256 mismatch: manifest\.json says [0-9a-f]{64}, but the file is larger than listed \(3221225472 bytes, the manifest says 5\), so it was not read/));
});
