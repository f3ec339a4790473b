import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { checkReportDir, MARKER, writeReport, type ReportInput } from './write-report.js';
import { summarizeStudy } from '../stats/index.js';
import { NnlabError } from '../engine/errors.js';
import { makeStudy } from '../testing/run-fixtures.js';
import { byClass, parseXml } from '../testing/xml.js';
import { parseCsv } from '../testing/csv.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnlab-report-test-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function input(): ReportInput {
  const { runs, epochsByRun } = makeStudy();
  const study = { id: 1, name: 'activations', file: '/x/acts.yaml', experiment: {}, createdAt: '2024-01-01T00:00:00.000Z', baselines: null, kind: 'study' as const, testLooks: [] };
  return { study, runs, epochsByRun, summary: summarizeStudy(runs, epochsByRun) };
}

test('writeReport writes report.html, summary.md, the CSVs and every plot as SVG and PNG', async () => {
  const dir = path.join(tmp, 'nested', 'report');
  const inp = input();
  const result = await writeReport(dir, inp, { classNames: ['a', 'b', 'c'] });
  assert.equal(result.dir, dir);
  const plots = readdirSync(path.join(dir, 'plots')).sort();
  assert.deepEqual(readdirSync(dir).sort(), ['.nnlab-report', 'plots', 'report.html', 'runs.csv', 'summary.csv', 'summary.md']);
  assert.deepEqual(result.files.sort(), ['report.html', 'runs.csv', 'summary.csv', 'summary.md', ...plots.map((p) => `plots/${p}`)].sort());
  // Overlay, bars for val accuracy and val loss, a confusion matrix per config, curves per run (8).
  const names = plots.filter((p) => p.endsWith('.svg')).map((p) => p.slice(0, -4));
  assert.equal(names.length, 1 + 2 + 3 + 8);
  assert.ok(names.includes('overlay') && names.includes('bars-val-accuracy') && names.includes('run-8-curves'));
  assert.equal(statSync(dir).mode & 0o777, 0o755);
  // No temp siblings are left behind.
  assert.deepEqual(readdirSync(path.dirname(dir)), ['report']);

  for (const name of names) {
    const { root, elements } = parseXml(readFileSync(path.join(dir, 'plots', `${name}.svg`), 'utf8'));
    assert.equal(root.name, 'svg');
    assert.ok(byClass(elements, 'role-mark').length > 0, `${name}.svg has no marks`);
    const png = readFileSync(path.join(dir, 'plots', `${name}.png`));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png signature`);
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 2 * Number(root.attrs.width), `${name}.png width`);
    assert.ok(meta.width! >= 300 && meta.width! <= 4000 && meta.height! >= 200 && meta.height! <= 3000, `${name}.png is ${meta.width}×${meta.height}`);
  }
  const confusion = parseXml(readFileSync(path.join(dir, 'plots', 'confusion-val-1-activation-relu.svg'), 'utf8'));
  // The relu config's three runs summed: 3 × 30 on the first diagonal cell.
  assert.equal(byClass(confusion.elements, 'mark-text', 'role-mark')[0].children[0].text, '90');

  assert.equal(parseCsv(readFileSync(path.join(dir, 'runs.csv'), 'utf8')).length, 1 + inp.runs.length);
  assert.equal(parseCsv(readFileSync(path.join(dir, 'summary.csv'), 'utf8')).length, 1 + 3);
  const md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
  assert.match(md, /^# Study activations\n/);
  assert.match(md, /^\| {2}\| activation=relu \| activation=sigmoid \| activation=selu \|$/m);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| Val accuracy |')).length, 1);
  assert.equal(md.match(/!\[[^\]]*\]\(plots\/[\w-]+\.png\)/g)!.length, names.length);
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.equal(html.match(/<img /g)!.length, names.length);
});

test("a new report replaces the earlier report's files and keeps the user's; png: false writes SVGs only", async () => {
  const dir = path.join(tmp, 'again');
  const inp = input();
  const first = await writeReport(dir, inp);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')).files, first.files);
  writeFileSync(path.join(dir, 'mynotes.md'), 'keep me');
  mkdirSync(path.join(dir, 'notes', 'drafts'), { recursive: true });
  writeFileSync(path.join(dir, 'notes', 'drafts', 'a.txt'), 'a draft');
  mkdirSync(path.join(dir, 'empty'));
  writeFileSync(path.join(dir, 'plots', 'my-sketch.svg'), '<svg/>');
  writeFileSync(path.join(dir, 'summary.md'), 'edited by hand'); // nnlab's file: the new report's replaces it
  const result = await writeReport(dir, inp, { runCurves: false, png: false });
  assert.equal(readFileSync(path.join(dir, 'mynotes.md'), 'utf8'), 'keep me');
  assert.equal(readFileSync(path.join(dir, 'notes', 'drafts', 'a.txt'), 'utf8'), 'a draft');
  assert.ok(statSync(path.join(dir, 'empty')).isDirectory());
  assert.match(readFileSync(path.join(dir, 'summary.md'), 'utf8'), /^# Study activations\n/);
  // The earlier report's PNGs and run curves are gone, the user's sketch is not.
  assert.deepEqual(readdirSync(path.join(dir, 'plots')).sort(), [...result.files.filter((f) => f.startsWith('plots/')).map((f) => f.slice(6)), 'my-sketch.svg'].sort());
  assert.ok(readdirSync(path.join(dir, 'plots')).every((f) => f.endsWith('.svg')));
  assert.ok(!result.files.some((f) => f.includes('run-')));
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8')).files, result.files);
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.again')), []);
  // And again: the user's files are still theirs (the marker does not list them).
  await writeReport(dir, inp, { runCurves: false, png: false });
  assert.equal(readFileSync(path.join(dir, 'mynotes.md'), 'utf8'), 'keep me');
  assert.ok(existsSync(path.join(dir, 'plots', 'my-sketch.svg')));
});

test("a user's file where the new report writes one is refused, naming it, and nothing changes", async () => {
  const dir = path.join(tmp, 'clash');
  const inp = input();
  await writeReport(dir, inp, { runCurves: false, png: false });
  writeFileSync(path.join(dir, 'plots', 'overlay.png'), 'my own overlay');
  const before = readdirSync(path.join(dir, 'plots')).sort();
  await assert.rejects(writeReport(dir, inp, { runCurves: false }), (e: unknown) => {
    assert.ok(e instanceof NnlabError);
    assert.equal(e.message, `cannot write the report to ${dir}: plots/overlay.png is in the way of a file the report writes, and nnlab did not write it (.nnlab-report does not list it); move it away`);
    return true;
  });
  assert.equal(readFileSync(path.join(dir, 'plots', 'overlay.png'), 'utf8'), 'my own overlay');
  assert.deepEqual(readdirSync(path.join(dir, 'plots')).sort(), before);
});

test("a report folder from before markers listed files: nnlab's names are replaced, the rest kept", async () => {
  const dir = path.join(tmp, 'legacy');
  mkdirSync(path.join(dir, 'plots'), { recursive: true });
  writeFileSync(path.join(dir, MARKER), '{"generator":"nnlab","createdAt":"2024-01-01T00:00:00.000Z"}\n');
  for (const f of ['report.html', 'summary.md', 'runs.csv', 'plots/run-9-curves.svg', 'plots/run-9-curves.png']) writeFileSync(path.join(dir, f), 'old');
  writeFileSync(path.join(dir, 'mynotes.md'), 'keep me');
  await writeReport(dir, input(), { runCurves: false, png: false });
  assert.equal(readFileSync(path.join(dir, 'mynotes.md'), 'utf8'), 'keep me');
  assert.ok(!existsSync(path.join(dir, 'plots', 'run-9-curves.svg')) && !existsSync(path.join(dir, 'plots', 'run-9-curves.png')));
  assert.notEqual(readFileSync(path.join(dir, 'report.html'), 'utf8'), 'old');
});

test('the next report clears the temp folder of a report killed at the swap', async () => {
  const dir = path.join(tmp, 'killed');
  await writeReport(dir, input(), { runCurves: false, png: false });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const leftover = path.join(tmp, `.killed.tmp-${dead}-0badcafe`);
  mkdirSync(path.join(leftover, 'plots'), { recursive: true });
  writeFileSync(path.join(leftover, 'report.html'), '<!DOCTYPE html><p>half');
  await writeReport(dir, input(), { runCurves: false, png: false });
  assert.ok(!existsSync(leftover));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.killed')), []);
});

test('an unwritable folder is an NnlabError naming it, raised before anything is computed', async () => {
  const file = path.join(tmp, 'a-file');
  writeFileSync(file, 'x');
  // Reading any run would throw 'computed': the check must come first.
  const untouchable = new Proxy([], { get: () => { throw new Error('computed'); } });
  const poisoned = { ...input(), runs: untouchable };
  for (const [dir, why] of [
    [path.join(file, 'report'), /is not a folder/],
    [file, /exists and is not a folder/],
    ['/proc/nnlab-report-test/report', /cannot create files in \/proc/],
  ] as const) {
    await assert.rejects(writeReport(dir, poisoned), (e: unknown) => {
      assert.ok(e instanceof NnlabError, String(e));
      assert.ok(e.message.includes(`cannot write the report to ${path.resolve(dir)}`), e.message);
      assert.match(e.message, why);
      return true;
    });
  }
});

test('a folder holding other files is refused and left as it was', () => {
  const dir = path.join(tmp, 'my-notes');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
  assert.throws(() => checkReportDir(dir), /holds other files \(not an earlier nnlab report\)/);
  assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'keep me');
  mkdirSync(path.join(tmp, 'empty'));
  assert.equal(checkReportDir(path.join(tmp, 'empty')), path.join(tmp, 'empty'));
});

test('a report that fails half-way leaves no half-written folder and keeps the earlier report', async () => {
  const dir = path.join(tmp, 'kept');
  const inp = input();
  await writeReport(dir, inp, { runCurves: false, png: false });
  const before = readFileSync(path.join(dir, 'summary.md'), 'utf8');
  // Two class names for 3×3 confusion matrices: fails while the plots are made.
  await assert.rejects(writeReport(dir, inp, { classNames: ['a', 'b'] }), /2 class names for a 3×3 matrix/);
  assert.equal(readFileSync(path.join(dir, 'summary.md'), 'utf8'), before);
  await assert.rejects(writeReport(path.join(tmp, 'never'), inp, { classNames: ['a', 'b'] }), NnlabError);
  assert.ok(!existsSync(path.join(tmp, 'never')));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.kept') || f.startsWith('.never')), []);
});

test('control characters in the study name, factor levels and class names are written out visibly in every file', async () => {
  const inp = input();
  inp.study!.name = 'acts\x07bell';
  for (const r of inp.runs) {
    if (r.values['model.activation'] !== 'relu') continue;
    r.values = { 'model.activation': 're\x07lu\x1b[31m' };
    r.label = 'model.activation=re\x07lu\x1b[31m';
  }
  inp.summary = summarizeStudy(inp.runs, inp.epochsByRun);
  const dir = path.join(tmp, 'control');
  const result = await writeReport(dir, inp, { classNames: ['cat\x07', 'dog\x1b', 'c\u0085'] });
  // No format can hold these raw (XML not at all, a terminal would obey them); CSV keeps the data exact.
  const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
  for (const file of result.files.filter((f) => /\.(svg|html|md)$/.test(f))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    assert.doesNotMatch(text, raw, `${file} holds a raw control character`);
    if (file.endsWith('.svg')) parseXml(text);
  }
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('<h1>Study acts\\x07bell</h1>'));
  assert.ok(html.includes('activation=re\\x07lu\\x1b[31m'));
  assert.match(readFileSync(path.join(dir, 'summary.md'), 'utf8'), /^# Study acts\\x07bell$/m);
  const confusion = result.files.find((f) => f.startsWith('plots/confusion-val-1-') && f.endsWith('.svg'))!;
  const labels = parseXml(readFileSync(path.join(dir, confusion), 'utf8')).elements.filter((e) => e.name === 'text').map((e) => e.text);
  assert.ok(labels.includes('cat\\x07') && labels.includes('dog\\x1b') && labels.includes('c\\x85'), labels.join(' | '));
  assert.ok((await sharp(readFileSync(path.join(dir, confusion.replace(/svg$/, 'png')))).metadata()).width! > 0);
  const runs = parseCsv(readFileSync(path.join(dir, 'runs.csv'), 'utf8'));
  assert.ok(runs.some((r) => r.includes('re\x07lu\x1b[31m')));
});
