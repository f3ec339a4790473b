// The dashboard in a real browser (Debian's Chromium through playwright-core), on a store the test made:
// what a person sees on each page (a table's numbers, a curve's points, a tooltip, a legend toggle, a live
// update), hostile names as text, and no Content-Security-Policy violation. Screenshots go to
// NNLAB_SCREENSHOTS (default: a folder under the system's temp folder).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../testing/browser.js';
import Sqlite from 'better-sqlite3';
import { ENV, fixtureEpoch, HOSTILE_NAME, makeWebFixture, type WebFixture } from '../testing/web-fixture.js';
import { startDashboard, type Dashboard } from './server.js';
import { studyView } from './data.js';
import { writeReport } from '../report/write-report.js';

const shots = process.env.NNLAB_SCREENSHOTS ?? path.join(tmpdir(), 'nnlab-ui-screenshots');
let fx: WebFixture;
let ui: Dashboard;
let browser: Browser;
/** Console errors and CSP violations of every page opened. */
const problems: string[] = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  fx = await makeWebFixture();
  ui = await startDashboard({ store: fx.store, port: 0 });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await ui?.close();
  await fx?.cleanup();
});

async function open(url: string, shot?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${url}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${url}: ${e.message}`));
  await page.goto(`http://127.0.0.1:${ui.port}${url}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  if (shot) await page.screenshot({ path: path.join(shots, `${shot}.png`), fullPage: true });
  return page;
}

/** Waits until `check()` holds, polling from the test (no script evaluated in the page: its CSP forbids eval). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const points = (page: Page, plot: string) => page.locator(`figure[data-plot="${plot}"] [aria-roledescription="point"]`);

test('the studies page lists the studies; a hostile study name is shown as text and runs nothing', async () => {
  const page = await open('/', 'studies');
  const names = await page.locator('#studies tbody td:nth-child(2)').allInnerTexts();
  assert.deepEqual(names, [HOSTILE_NAME, 'lr-search', 'activations']);
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.equal(await page.locator('main img').count(), 0);
  await page.close();
});

test("a study page shows the summary's numbers, its curves point by point, tooltips and legend toggling", async () => {
  const page = await open(`/studies/${fx.studyId}`, 'study');
  const row = await page.locator('#summary tr', { hasText: 'Val accuracy' }).first().locator('td').allInnerTexts();
  assert.deepEqual(row, ['Val accuracy', '0.7070 ± 0.0110', '0.6293 ± 0.0110']);
  // 2 configs × 2 splits × 2 metrics × 3 epochs, each a point with its values.
  const overlay = points(page, 'overlay');
  assert.equal(await overlay.count(), 24);
  const labels = await overlay.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  const last = labels.find((l) => /Epoch: 3;.*config: activation=relu; Split: validation|Epoch: 3; Accuracy.*activation=relu.*Split: validation/.test(l));
  assert.ok(last && /value: 0\.7070/.test(last), `the relu validation accuracy at epoch 3 is the mean 0.7070: ${last}`);
  await overlay.nth(3).hover();
  await page.locator('#vg-tooltip-element.visible').waitFor();
  assert.match(await page.locator('#vg-tooltip-element').innerText(), /config\s+activation=/);
  // A legend click keeps one series: the other's points fade.
  await page.locator('figure[data-plot="overlay"] .role-legend-label text', { hasText: 'activation=tanh' }).click();
  await until(async () => (await page.locator('figure[data-plot="overlay"] [aria-roledescription="point"][opacity="0.12"]').count()) > 0, 'the faded series');
  const faded = await overlay.evaluateAll((els) => els.filter((e) => e.getAttribute('opacity') === '0.12').map((e) => e.getAttribute('aria-label') ?? ''));
  assert.equal(faded.length, 12);
  assert.ok(faded.every((l) => l.includes('activation=relu')));
  assert.ok(await page.locator('figure[data-plot^="bars-"]').count() >= 1, 'bars with intervals');
  await page.close();
});

test("a search's page draws its history, coordinates, slice and importance", async () => {
  const page = await open(`/studies/${fx.tuneId}`, 'search');
  for (const plot of ['optimization-history', 'parallel-coordinates', 'slice-training-optimizer-lr', 'importance']) assert.equal(await page.locator(`figure[data-plot="${plot}"] svg`).count(), 1, plot);
  assert.equal(await page.locator('#trials tbody tr').count(), 4);
  assert.equal(await points(page, 'optimization-history').count(), 4, 'a point per trial');
  await page.close();
});

test('the runs page sorts by a column, filters, and picks runs to compare', async () => {
  const page = await open(`/runs?study=${fx.studyId}`, 'runs');
  await page.locator('#runs-table th a', { hasText: 'Val accuracy' }).click();
  await page.waitForURL(/sort=val\.accuracy/);
  const ids = (await page.locator('#runs-table tbody td:nth-child(2)').allInnerTexts()).map(Number);
  assert.deepEqual(ids, [fx.runs[1].id, fx.runs[0].id, fx.runs[3].id, fx.runs[2].id]);
  await page.locator('input[name="q"]').fill('tanh');
  await page.locator('form.filters button').click();
  await page.waitForURL(/q=tanh/);
  assert.equal(await page.locator('#runs-table tbody tr').count(), 2);
  await page.locator('#runs-table tbody input[type="checkbox"]').nth(0).check();
  await page.locator('#runs-table tbody input[type="checkbox"]').nth(1).check();
  await page.locator('#compare-form button').click();
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(page.url(), /\/compare\?runs=\d+&runs=\d+/);
  assert.equal(await points(page, 'overlay').count(), 24);
  const diff = await page.locator('#diff').innerText();
  assert.match(diff, /The runs have the same config|seed/);
  await page.close();
});

test('compare shows only the config fields that differ', async () => {
  const page = await open(`/compare?runs=${fx.runs[0].id},${fx.runs[3].id}`, 'compare');
  const fields = await page.locator('#diff tbody td:first-child').allInnerTexts();
  assert.deepEqual(fields, ['model.activation', 'seed']);
  await page.close();
});

test("a run page shows its config, model summary, curves and confusion matrix; a running run's page updates live", async () => {
  const page = await open(`/runs/${fx.runs[0].id}`, 'run');
  assert.match(await page.locator('#config').innerText(), /activation: relu/);
  assert.match(await page.locator('#model').innerText(), /Total params: 25,450/);
  assert.equal(await points(page, 'curves').count(), 12);
  assert.equal(await page.locator('figure[data-plot="confusion-val"] svg').count(), 1);
  await page.close();

  const live = await open(`/runs/${fx.running.id}`);
  assert.equal(await points(live, 'curves').count(), 8, '2 epochs');
  const added = Date.now();
  await fx.store.addEpoch(fx.running.id, fixtureEpoch(2, 0.85));
  await until(async () => (await points(live, 'curves').count()) === 12, 'the third epoch on the curves');
  const seconds = (Date.now() - added) / 1000;
  assert.match(await live.locator('.meta').innerText(), /3 epochs/);
  await fx.store.finishRun(fx.running.id, { status: 'completed', message: null, wallTimeS: 3, metrics: {} });
  await until(async () => (await live.locator('.meta .status').innerText()) === 'completed', 'the status to say completed');
  await live.screenshot({ path: path.join(shots, 'run-live.png'), fullPage: true });
  process.stdout.write(`# live update: the new epoch showed ${seconds.toFixed(2)} s after it was stored\n`);
  await live.close();
});

test('with a token: the address sets the cookie, and the one action (mark crashed) goes through from its button', async () => {
  const tokened = await startDashboard({ store: fx.store, port: 0, token: 'browser-token-42' });
  const lost = await fx.store.createRun({ studyId: fx.hostileId, label: 'lost', values: {}, config: {}, seed: 1, repeat: 1, environment: ENV });
  const raw = new Sqlite(fx.storeFile);
  raw.prepare(`update runs set started_at = '2020-01-01T00:00:00.000Z', heartbeat_at = '2020-01-01T00:00:00.000Z' where id = ?`).run(lost.id);
  raw.close();
  const page = await browser.newPage();
  try {
    page.on('console', (m) => m.type() === 'error' && problems.push(`token page: ${m.text()}`));
    const res = await page.goto(`http://127.0.0.1:${tokened.port}/runs?status=running&token=browser-token-42`);
    assert.equal(res?.status(), 200);
    assert.equal(new URL(page.url()).search, '?status=running', 'the token left the address bar');
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('button[data-action]').click();
    await until(async () => /marked crashed: run \d+/.test(await page.locator('#action-result').innerText()), 'the action result');
    assert.match(await page.locator('#action-result').innerText(), new RegExp(`marked crashed: run ${lost.id}$`));
    assert.equal((await fx.store.getRun(lost.id))!.status, 'crashed');
    // Redrawn: the page lists running runs, and none is left (the live run of the test before has finished).
    assert.match(await page.locator('main').innerText(), /No runs match\./);
  } finally {
    await page.close();
    await tokened.close();
  }
});

/** TensorBoard's smoothing of one line (vz_line_chart resmoothDataset), written out again for the check. */
function tensorboardSmooth(values: number[], weight: number): number[] {
  let last = 0;
  return values.map((v, i) => {
    last = last * weight + (1 - weight) * v;
    return last / (1 - weight ** (i + 1));
  });
}

/** The points of a curves figure as { epoch, metric, split, value, y } from their aria-labels and positions. */
async function curvePoints(page: Page, plot: string): Promise<{ epoch: number; metric: string; split: string; value: number; y: number }[]> {
  const raw = await points(page, plot).evaluateAll((els) => els.map((e) => [e.getAttribute('aria-label') ?? '', e.getAttribute('transform') ?? '']));
  return raw.map(([label, transform]) => {
    const m = /^Epoch: (\d+); (\w+): ([\d.e-]+); Split: (\w+)$/.exec(label)!;
    return { epoch: Number(m[1]), metric: m[2], value: Number(m[3]), split: m[4], y: Number(/translate\([^,]+,([^)]+)\)/.exec(transform)![1]) };
  });
}

test("curves: TensorBoard's smoothing slider and a log-scale y axis, kept for the next visit", async () => {
  const page = await open(`/runs/${fx.runs[0].id}`);
  const figure = page.locator('figure[data-plot="curves"]');
  assert.equal(await figure.getAttribute('data-smoothing'), '0.00');
  const before = await curvePoints(page, 'curves');
  const rawAcc = before.filter((p) => p.metric === 'Accuracy' && p.split === 'validation').sort((a, b) => a.epoch - b.epoch).map((p) => p.value);
  assert.deepEqual(rawAcc.map((v) => v.toFixed(6)), [0, 1, 2].map((e) => (fixtureEpoch(e, 0.9).val!.accuracy as number).toFixed(6)));

  // Playwright sets a range input's value and fires its input event, as dragging the slider does.
  await page.locator('input[name="smoothing"]').fill('0.6');
  await until(async () => (await figure.getAttribute('data-smoothing')) === '0.60', 'the curves smoothed');
  assert.equal(await page.locator('.curve-controls output').innerText(), '0.60');
  const smoothed = await curvePoints(page, 'curves');
  for (const [metric, split] of [['Accuracy', 'validation'], ['Loss', 'train']]) {
    const line = before.filter((p) => p.metric === metric && p.split === split).sort((a, b) => a.epoch - b.epoch).map((p) => p.value);
    const shown = smoothed.filter((p) => p.metric === metric && p.split === split).sort((a, b) => a.epoch - b.epoch).map((p) => p.value);
    const want = tensorboardSmooth(line, 0.6);
    assert.ok(shown.every((v, i) => Math.abs(v - want[i]) < 1e-9), `${metric} ${split}: ${shown} vs ${want}`);
    assert.equal(shown[0], line[0], 'debiased: the first point is the first value');
  }

  // Log scale: equal ratios of values sit at equal distances (on a linear axis equal differences do).
  const lossGaps = (pts: { metric: string; split: string; epoch: number; value: number; y: number }[]) => {
    const line = pts.filter((p) => p.metric === 'Loss' && p.split === 'validation').sort((a, b) => a.epoch - b.epoch);
    return { pixels: (line[1].y - line[0].y) / (line[2].y - line[1].y), linear: (line[0].value - line[1].value) / (line[1].value - line[2].value), log: Math.log(line[0].value / line[1].value) / Math.log(line[1].value / line[2].value) };
  };
  const linear = lossGaps(smoothed);
  assert.ok(Math.abs(linear.pixels - linear.linear) < 1e-6, JSON.stringify(linear));
  await page.locator('input[name="log-y"]').check();
  await until(async () => (await figure.getAttribute('data-log-y')) === 'true', 'the log scale');
  const log = lossGaps(await curvePoints(page, 'curves'));
  assert.ok(Math.abs(log.pixels - log.log) < 1e-6 && Math.abs(log.log - log.linear) > 0.1, JSON.stringify(log));
  await page.screenshot({ path: path.join(shots, 'run-smoothed-log.png'), fullPage: true });

  // The next visit draws with the same settings.
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await figure.getAttribute('data-smoothing'), '0.60');
  assert.equal(await figure.getAttribute('data-log-y'), 'true');
  assert.equal(await page.locator('input[name="log-y"]').isChecked(), true);
  await page.close();
});

test('wide tables scroll inside the page, on the dashboard and in the HTML report', async () => {
  const narrow = async (url: string) => {
    const page = await browser.newPage({ viewport: { width: 640, height: 900 } });
    page.on('pageerror', (e) => problems.push(`${url}: ${e.message}`));
    await page.goto(url);
    return page;
  };
  /** Each table box: whether it fits the viewport, and whether its table is wider than it (so it scrolls). */
  const boxes = (page: Page) =>
    page.locator('.table-scroll').evaluateAll((els) => {
      const win = globalThis as unknown as { innerWidth: number; getComputedStyle(e: unknown): { overflowX: string } };
      return els.map((e) => ({ right: e.getBoundingClientRect().right, width: win.innerWidth, scrolls: e.scrollWidth > e.clientWidth, overflow: win.getComputedStyle(e).overflowX }));
    });
  const page = await narrow(`http://127.0.0.1:${ui.port}/studies/${fx.studyId}`);
  await page.waitForSelector('body[data-ready="true"]');
  const dashboard = await boxes(page);
  assert.ok(dashboard.length >= 2);
  assert.ok(dashboard.every((b) => b.right <= b.width && b.overflow === 'auto'), JSON.stringify(dashboard));
  assert.ok(dashboard.some((b) => b.scrolls), 'the runs table is wider than the page and scrolls in its box');
  await page.screenshot({ path: path.join(shots, 'study-narrow.png'), fullPage: true });
  await page.close();

  const view = (await studyView(fx.store, fx.studyId))!;
  const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-report-'));
  try {
    await writeReport(path.join(dir, 'report'), { study: view.study, runs: view.runs, epochsByRun: view.epochsByRun, summary: view.summary }, { png: false, runCurves: false });
    const report = await narrow(`file://${path.join(dir, 'report', 'report.html')}`);
    const inReport = await boxes(report);
    assert.ok(inReport.length >= 2);
    assert.ok(inReport.every((b) => b.right <= b.width && b.overflow === 'auto'), JSON.stringify(inReport));
    assert.ok(inReport.some((b) => b.scrolls));
    await report.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown run is a 404 page; no page broke the Content-Security-Policy or logged an error', async () => {
  const page = await browser.newPage();
  const res = await page.goto(`http://127.0.0.1:${ui.port}/runs/424242`);
  assert.equal(res?.status(), 404);
  assert.match(await page.locator('main').innerText(), /No run 424242 in this store/);
  await page.close();
  assert.deepEqual(problems, []);
});
