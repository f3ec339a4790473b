// Failing calls, as the README states them: a usage error (an unknown run, study or image file, a bad flag or
// field) exits 2, a failure of the work exits 1, each with one line on stderr and no stack trace; with --json
// the last stdout line is `{ "error": { code, message, field? } }`; export-predictions --out leaves nothing
// half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cli-errors-'));
const env = { ...process.env, NNLAB_HOME: path.join(work, '.nnlab') };
const store = path.join(work, 'runs.db');

function nnlab(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
}

const TINY = `name: tiny
seed: 3
data: { dataset: mnist, subset: { perClass: 20 }, split: { fraction: 0.2, stratify: true } }
model: { template: mlp, units: [8], activation: relu }
training: { optimizer: { name: adam, lr: 0.01 }, epochs: 1, batchSize: 32 }
`;

test('every failing call exits 2 (usage) or 1 (failed) with one stderr line and, with --json, one JSON error line', async () => {
  const tiny = path.join(work, 'tiny.yaml');
  writeFileSync(tiny, TINY);
  const trained = nnlab(['run', tiny, '--store', store, '--json']);
  assert.equal(trained.status, 0, trained.stderr);
  const { study, runs } = JSON.parse(trained.stdout.trim().split('\n').pop()!);
  const id = String(runs[0].id);
  const { default: sharp } = await import('sharp');
  const image = path.join(work, 'digit.png');
  await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(image);
  writeFileSync(path.join(work, 'typo.yaml'), TINY.replace('batchSize', 'batchSise'));
  const blocked = path.join(work, 'blocked');
  mkdirSync(blocked);
  writeFileSync(path.join(blocked, 'mynotes.md'), 'mine');

  // [what, args (--store and --json added), exit, error code, field or null, stderr]
  const cases: [string, string[], number, string, string | null, RegExp][] = [
    ['a missing experiment file', ['run', 'missing.yaml'], 2, 'usage', null, /missing\.yaml/],
    ['an unknown field', ['run', 'typo.yaml'], 2, 'usage', 'training.batchSise', /typo\.yaml:\d+: training\.batchSise: .*did you mean 'batchSize'/],
    ['a bad --set value', ['run', tiny, '--set', 'training.epochs=x'], 2, 'usage', 'training.epochs', /training\.epochs/],
    ['an unknown device', ['run', tiny, '--device', 'tpu'], 2, 'usage', '--device', /--device: unknown device 'tpu'/],
    ['an unknown option', ['run', tiny, '--bogus'], 2, 'usage', null, /unknown option '--bogus'/],
    ['an unknown command', ['nosuch'], 2, 'usage', null, /unknown command 'nosuch'/],
    ['a missing argument', ['show'], 2, 'usage', null, /missing required argument 'run'/],
    ['an unknown run (show)', ['show', '999'], 2, 'usage', 'run', /no run 999 in /],
    ['a run id that is no id', ['show', 'abc'], 2, 'usage', 'run', /expected a positive integer id, got 'abc'/],
    ['an unknown run (compare)', ['compare', id, '999'], 2, 'usage', 'run', /no run 999 in /],
    ['an unknown study (compare)', ['compare', 'study:999'], 2, 'usage', 'study', /no study '999' in /],
    ['a bad --metric', ['compare', `study:${study}`, '--metric', 'accuracy'], 2, 'usage', '--metric', /--metric: expected <split>\.<metric>/],
    ['an unknown study (report)', ['report', '999'], 2, 'usage', 'study', /no study '999' in /],
    ['an unknown study (runs --study)', ['runs', '--study', '999'], 2, 'usage', '--study', /--study: no study '999' in /],
    ['an unknown status (runs)', ['runs', '--status', 'done'], 2, 'usage', '--status', /unknown status 'done'/],
    ['an unknown run (resume)', ['resume', '999'], 2, 'usage', 'run', /no run 999 in /],
    ['an unknown run (predict)', ['predict', '--run', '999', image], 2, 'usage', '--run', /--run: no run 999 in /],
    ['a missing image file', ['predict', '--run', id, path.join(work, 'missing.png')], 2, 'usage', null, /missing\.png: no such image file/],
    ['a folder as an image', ['predict', '--run', id, blocked], 2, 'usage', null, /blocked: not a regular file/],
    ['a missing model folder', ['predict', '--model', path.join(work, 'nowhere'), image], 2, 'usage', '--model', /no such model folder: .*nowhere/],
    ['neither --run nor --model', ['predict', image], 2, 'usage', '--run', /exactly one of --run <id> or --model <dir>/],
    ['an unknown run (export-predictions)', ['export-predictions', '999', '--out', path.join(work, 'p.csv')], 2, 'usage', 'run', /no run 999 in /],
    ['--out in a missing folder', ['export-predictions', id, '--out', path.join(work, 'nowhere', 'p.csv')], 2, 'usage', '--out', /--out: cannot write .*p\.csv: the folder .*nowhere does not exist/],
    ['--out a folder', ['export-predictions', id, '--out', blocked], 2, 'usage', '--out', /--out: .*blocked is a folder/],
    ['no --out', ['export-predictions', id], 2, 'usage', null, /required option '--out <file>' not specified/],
    ['--out to a full disk', ['export-predictions', id, '--out', '/dev/full'], 1, 'failed', null, /cannot write \/dev\/full: ENOSPC/],
  ];
  for (const [what, args, exit, code, field, stderr] of cases) {
    if (args.includes('/dev/full') && !existsSync('/dev/full')) continue; // Linux only
    const r = nnlab([...args, ...(args[0] === 'nosuch' ? [] : ['--store', store]), '--json']);
    assert.equal(r.status, exit, `${what}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, stderr, what);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: no stack trace`);
    const lines = r.stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]);
    assert.equal(last.error.code, code, what);
    assert.equal(typeof last.error.message, 'string', what);
    assert.ok(r.stderr.includes(last.error.message), `${what}: the JSON message is the stderr line's`);
    assert.equal(last.error.field, field ?? undefined, what);
  }
  // Without --json, the same exit code and nothing on stdout.
  const plain = nnlab(['show', '999', '--store', store]);
  assert.deepEqual([plain.status, plain.stdout], [2, '']);
  // Nothing half-written: no CSV and no temp file beside any --out that failed.
  assert.deepEqual(readdirSync(work).filter((f) => /p\.csv|\.tmp-/.test(f)), []);
  assert.deepEqual(readdirSync(blocked), ['mynotes.md']);
});

test('export-predictions --out writes the CSV whole, replacing an older file, and through a link', () => {
  const r = nnlab(['runs', '--store', store, '--json']);
  const id = String(JSON.parse(r.stdout.trim().split('\n').pop()!).runs[0].id);
  const out = path.join(work, 'preds.csv');
  writeFileSync(out, 'old');
  const exp = nnlab(['export-predictions', id, '--out', out, '--store', store, '--json']);
  assert.equal(exp.status, 0, exp.stderr);
  assert.equal(JSON.parse(exp.stdout.trim().split('\n').pop()!).rows, 40);
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('preds.csv')), ['preds.csv'], 'no temp file left');
  // A link (as /dev/stdout is one) is written through, not renamed over.
  const target = path.join(work, 'target.csv');
  writeFileSync(target, 'old');
  symlinkSync(target, path.join(work, 'link.csv'));
  const linked = nnlab(['export-predictions', id, '--out', path.join(work, 'link.csv'), '--store', store]);
  assert.equal(linked.status, 0, linked.stderr);
  assert.ok(lstatSync(path.join(work, 'link.csv')).isSymbolicLink());
  assert.equal(readFileSync(target, 'utf8'), readFileSync(out, 'utf8'));
});
