// A run's page: status and message, its final metrics, curves drawn live, confusion matrices, the config as
// YAML, where it ran, the model summary and its artifacts to download.
import { stringify } from 'yaml';
import { html, type Html } from '../html.js';
import { num } from '../../report/format.js';
import type { ArtifactRecord, RunRecord, StudyRecord } from '../../store/types.js';
import { charts, page, status, type Site } from './layout.js';

export interface RunView {
  run: RunRecord;
  study: StudyRecord | null;
  epochs: number;
  /** Each artifact with the files it offers for download (names inside its folder; [] when not on this machine). */
  artifacts: { artifact: ArtifactRecord; files: { name: string; bytes: number }[] }[];
  /** The Keras-style model summary kept with the run's weights, or null. */
  modelSummary: string | null;
}

function metricsTable(run: RunRecord): Html {
  const splits = (['train', 'val', 'test'] as const).filter((s) => run.metrics[s]);
  const keys = [...new Set(splits.flatMap((s) => Object.entries(run.metrics[s] ?? {}).filter(([, v]) => typeof v === 'number').map(([k]) => k)))];
  if (keys.length === 0) return html`<p class="muted">No final metrics${run.status === 'running' ? ' yet' : ''}.</p>`;
  return html`<table id="metrics"><thead><tr><th></th>${splits.map((s) => html`<th class="num">${s}</th>`)}</tr></thead>
<tbody>${keys.map((k) => html`<tr><td>${k}</td>${splits.map((s) => html`<td class="num">${num(run.metrics[s]?.[k] as number | undefined)}</td>`)}</tr>`)}</tbody></table>`;
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export function runPage(v: RunView, site: Site): string {
  const { run, study } = v;
  const env = run.environment;
  const envRows: [string, string][] = env
    ? [
        ['nnlab', env.nnlab],
        ['libtorch', env.libtorch],
        ['Node.js', env.node],
        ['host', env.host],
        ['device', env.device ?? '—'],
        ['threads', `intra-op ${env.threads?.intraOp}, inter-op ${env.threads?.interOp}, BLAS ${env.threads?.blas ?? '—'}`],
        ['data fingerprint', env.dataFingerprint],
      ]
    : [];
  const body = html`<p class="meta">${status(run.status)} ${study ? html`· <a href="/studies/${study.id}">${study.kind === 'tune' ? 'search' : 'study'} ${study.name}</a>` : ''}
${run.label ? html`· <span id="run-label">${run.label}</span>` : ''}${run.trial !== null ? html` · trial ${run.trial}` : ''} · seed ${run.seed} · repeat ${run.repeat}
· started ${run.startedAt}${run.endedAt ? html` · ended ${run.endedAt}` : ''}${run.wallTimeS !== null ? html` · ${num(run.wallTimeS, 1)} s` : ''} · ${v.epochs} epochs
· <a href="/compare?runs=${run.id}">compare</a></p>
${run.message ? html`<p class="message" id="run-message">${run.message}</p>` : ''}
<section id="final"><h2>Final metrics</h2>${metricsTable(run)}</section>
<section><h2>Curves</h2><p class="muted">Training solid, validation dashed; hover a point for its values.</p>${charts(`/api/runs/${run.id}/plots`)}</section>
<section id="config"><h2>Config</h2><pre><code>${stringify({ ...(run.config as object), seed: run.seed })}</code></pre></section>
<section id="environment"><h2>Environment</h2>${envRows.length ? html`<table>${envRows.map(([k, val]) => html`<tr><th>${k}</th><td>${val}</td></tr>`)}</table>` : html`<p class="muted">Not recorded.</p>`}</section>
<section id="model"><h2>Model</h2>${v.modelSummary ? html`<pre><code>${v.modelSummary}</code></pre>` : html`<p class="muted">No model summary: the run kept no weights on this machine${run.status === 'running' ? ' yet' : ''}.</p>`}</section>
<section id="artifacts"><h2>Artifacts</h2>${
    v.artifacts.length
      ? html`<table><thead><tr><th>Kind</th><th>Where</th><th>Download</th></tr></thead><tbody>${v.artifacts.map(
          ({ artifact: a, files }) => html`<tr><td>${a.kind}</td><td><code>${a.path}</code>${a.sha256 ? html`<br><span class="muted">sha256 ${a.sha256.slice(0, 16)}…</span>` : ''}</td>
<td>${files.length ? files.map((f) => html`<a href="/runs/${run.id}/artifacts/${a.id}/${encodeURIComponent(f.name)}" download>${f.name}</a> <span class="muted">(${bytes(f.bytes)})</span><br>`) : html`<span class="muted">not on this machine</span>`}</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">None.</p>`
  }</section>`;
  return page({ title: `Run ${run.id}`, section: 'runs', site, live: `/api/live?runs=${run.id}` }, body);
}
