import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, htmlReport } from './html.js';
import { summarizeStudy } from '../stats/index.js';
import { makeStudy } from '../testing/run-fixtures.js';

const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

test('the HTML report is one self-contained page with the tables and every plot', () => {
  const { runs, epochsByRun } = makeStudy();
  const study = { id: 4, name: 'acts <&>', file: null, experiment: {}, createdAt: '2024-01-01T00:00:00Z', baselines: null, kind: 'study' as const, testLooks: [] };
  const html = htmlReport(summarizeStudy(runs, epochsByRun), study, [{ title: 'A & B', svg }, { title: 'C', svg }]);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<title>Study acts &lt;&amp;&gt;<\/title>/);
  // Nothing is fetched: no external scripts, styles, links or image sources.
  assert.doesNotMatch(html, /<script|<link|src="(?!data:)|url\(/);
  const images = [...html.matchAll(/<img alt="([^"]*)" src="data:image\/svg\+xml;base64,([^"]+)">/g)];
  assert.deepEqual(images.map((m) => m[1]), ['A &amp; B', 'C']);
  assert.equal(Buffer.from(images[0][2], 'base64').toString(), svg);
  // Three tables (summary, comparison, runs), each closed; one body row per run in the last.
  assert.equal(html.match(/<table>/g)!.length, 3);
  assert.equal(html.match(/<\/table>/g)!.length, 3);
  const runsTable = html.slice(html.lastIndexOf('<table>'));
  assert.equal(runsTable.match(/<tr>/g)!.length, 1 + runs.length);
  assert.match(html, /<td class="num">0\.9053 ± 0\.0050<\/td>/);
});

test('escapeHtml escapes markup characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
