// The dashboard in the browser: draws each page's plots with vega-embed (Vega's expression interpreter, so
// the page needs no eval under its Content-Security-Policy), and keeps pages with runs that may change live:
// it polls the page's live token and, when it changes, fetches the page again and redraws <main>. Per-epoch
// curves get TensorBoard's two controls: a smoothing slider (its debiased exponential moving average) and a
// log scale for the y axis; the settings hold for every curve on the page and are kept for the next visit.

interface EmbedResult {
  finalize(): void;
}
declare const vegaEmbed: (el: HTMLElement, spec: unknown, options: object) => Promise<EmbedResult>;

interface Plot {
  name: string;
  title: string;
  spec: unknown;
  /** Per-epoch curves: the fields that make one line (see src/web/plots.ts). */
  curves?: { series: string[] };
}

/** A point of a curves plot: { epoch, value } and the series fields; `raw` is the value before smoothing. */
type CurvePoint = Record<string, unknown> & { epoch: number; value: number; raw?: number };

interface CurveSettings {
  /** TensorBoard's smoothing weight, 0 (none) to 0.99. */
  smoothing: number;
  logY: boolean;
}

const SETTINGS_KEY = 'nnlab.curves';

function loadSettings(): CurveSettings {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<CurveSettings>;
    const smoothing = typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : 0;
    return { smoothing, logY: s.logY === true };
  } catch {
    return { smoothing: 0, logY: false };
  }
}

const settings = loadSettings();

/**
 * TensorBoard's smoothing of each line: an exponential moving average started at 0 and divided by 1 − wⁿ
 * after n finite points (debiased, so the first points are not pulled towards 0), along the epochs; a constant
 * line and non-finite values are left as they are (TensorBoard's vz_line_chart resmoothDataset).
 */
function smooth(values: readonly CurvePoint[], series: readonly string[], weight: number): CurvePoint[] {
  const lines = new Map<string, CurvePoint[]>();
  for (const v of values) {
    const key = JSON.stringify(series.map((f) => v[f]));
    const line = lines.get(key);
    if (line) line.push(v);
    else lines.set(key, [v]);
  }
  const out: CurvePoint[] = [];
  for (const line of lines.values()) {
    const sorted = [...line].sort((a, b) => a.epoch - b.epoch);
    const constant = sorted.every((d) => d.value === sorted[0].value);
    let last = 0;
    let n = 0;
    for (const d of sorted) {
      if (constant || !Number.isFinite(d.value)) {
        out.push({ ...d, raw: d.value });
        continue;
      }
      last = last * weight + (1 - weight) * d.value;
      n++;
      out.push({ ...d, value: last / (weight === 1 ? 1 : 1 - weight ** n), raw: d.value });
    }
  }
  return out;
}

type Panel = { encoding?: { y?: { scale?: object }; tooltip?: unknown } };

/** The spec as the settings show it: a curves plot smoothed and on a log y scale where asked. */
function shown(plot: Plot): unknown {
  if (!plot.curves || (settings.smoothing === 0 && !settings.logY)) return plot.spec;
  const spec = structuredClone(plot.spec) as Panel & { data: { values: CurvePoint[] }; hconcat?: Panel[] };
  let values = spec.data.values;
  if (settings.smoothing > 0) values = smooth(values, plot.curves.series, settings.smoothing);
  // A log scale has no place for 0 or below (an accuracy of 0): those points are left out.
  if (settings.logY) values = values.filter((v) => v.value > 0);
  for (const panel of spec.hconcat ?? [spec]) {
    const enc = panel.encoding;
    if (!enc?.y) continue;
    if (settings.logY) {
      // `zero` means nothing on a log scale (Vega-Lite warns and drops it).
      const { zero: _zero, ...scale } = (enc.y.scale ?? {}) as { zero?: boolean };
      enc.y = { ...enc.y, scale: { ...scale, type: 'log' } };
    }
    if (settings.smoothing > 0 && Array.isArray(enc.tooltip)) enc.tooltip = [...enc.tooltip, { field: 'raw', title: 'unsmoothed', format: '.4f' }];
  }
  spec.data = { values };
  return spec;
}

let interpreter: unknown = null;
async function expressionInterpreter(): Promise<unknown> {
  const url = '/static/vendor/vega-interpreter.js'; // a variable: the module is the server's, not the compiler's
  interpreter ??= ((await import(url)) as { expressionInterpreter: unknown }).expressionInterpreter;
  return interpreter;
}

/** A plot on the page: where it is drawn and its current view. */
interface Drawn {
  plot: Plot;
  figure: HTMLElement;
  chart: HTMLElement;
  view: EmbedResult | null;
}

const drawn: Drawn[] = [];

/** (Re)draws one plot as the settings show it; a curves figure says the settings it was drawn with. */
async function embed(d: Drawn): Promise<void> {
  const expr = await expressionInterpreter();
  d.view?.finalize();
  d.view = await vegaEmbed(d.chart, shown(d.plot), { ast: true, expr, renderer: 'svg', actions: false, defaultStyle: false, tooltip: { disableDefaultStyle: true } });
  if (d.plot.curves) {
    d.figure.dataset.smoothing = settings.smoothing.toFixed(2);
    d.figure.dataset.logY = String(settings.logY);
  }
}

let redrawing: Promise<void> | null = null;
let redrawAgain = false;

/** Redraws every curves plot after a settings change; changes made meanwhile are drawn once it is done. */
function redrawCurves(): void {
  if (redrawing) {
    redrawAgain = true;
    return;
  }
  redrawing = (async () => {
    do {
      redrawAgain = false;
      for (const d of drawn) if (d.plot.curves) await embed(d);
    } while (redrawAgain);
    redrawing = null;
  })();
}

/** The smoothing slider and log-scale toggle shown above a box of curves; every copy on the page stays in step. */
function curveControls(): HTMLElement {
  const box = document.createElement('div');
  box.className = 'curve-controls';
  const slider = document.createElement('input');
  Object.assign(slider, { type: 'range', name: 'smoothing', min: '0', max: '0.99', step: '0.01', value: String(settings.smoothing) });
  const output = document.createElement('output');
  output.textContent = settings.smoothing.toFixed(2);
  const smoothLabel = document.createElement('label');
  smoothLabel.append('Smoothing ', slider, ' ', output);
  smoothLabel.title = "TensorBoard's smoothing: a debiased exponential moving average of each curve along the epochs (0: none)";
  const log = document.createElement('input');
  Object.assign(log, { type: 'checkbox', name: 'log-y', checked: settings.logY });
  const logLabel = document.createElement('label');
  logLabel.append(log, ' Log scale (y)');
  box.append(smoothLabel, logLabel);
  const changed = () => {
    settings.smoothing = Math.min(0.99, Math.max(0, Number(slider.value) || 0));
    settings.logY = log.checked;
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch {
      // Not kept for the next visit; this page still follows it.
    }
    for (const other of document.querySelectorAll<HTMLElement>('.curve-controls')) {
      other.querySelector<HTMLInputElement>('input[name="smoothing"]')!.value = String(settings.smoothing);
      other.querySelector('output')!.textContent = settings.smoothing.toFixed(2);
      other.querySelector<HTMLInputElement>('input[name="log-y"]')!.checked = settings.logY;
    }
    redrawCurves();
  };
  slider.addEventListener('input', changed);
  log.addEventListener('change', changed);
  return box;
}

/** Draws every `.charts[data-plots]` box under `root` from its plots API. */
async function drawCharts(root: ParentNode): Promise<void> {
  for (const box of root.querySelectorAll<HTMLElement>('.charts[data-plots]')) {
    let plots: Plot[];
    try {
      const res = await fetch(box.dataset.plots!, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      plots = (await res.json()) as Plot[];
    } catch (e) {
      box.replaceChildren(message(`Could not load the plots: ${(e as Error).message}`, 'error'));
      continue;
    }
    box.replaceChildren();
    if (plots.length === 0) box.append(message('No plots yet: they appear after the first epoch.', 'muted'));
    if (plots.some((p) => p.curves)) box.before(curveControls());
    for (const plot of plots) {
      const figure = document.createElement('figure');
      figure.className = 'plot';
      figure.dataset.plot = plot.name;
      const chart = document.createElement('div');
      const caption = document.createElement('figcaption');
      caption.textContent = plot.title;
      figure.append(chart, caption);
      box.append(figure);
      const d: Drawn = { plot, figure, chart, view: null };
      drawn.push(d);
      await embed(d);
    }
    box.dataset.drawn = String(plots.length);
  }
}

function message(text: string, cls: string): HTMLElement {
  const p = document.createElement('p');
  p.className = cls;
  p.textContent = text;
  return p;
}

/** Fetches this page again and puts its <main> in place of ours, then redraws the plots. */
async function refresh(main: HTMLElement): Promise<void> {
  const res = await fetch(location.href, { headers: { accept: 'text/html' } });
  if (!res.ok) return;
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
  if (!fresh) return;
  for (const d of drawn.splice(0)) d.view?.finalize();
  main.replaceChildren(...Array.from(fresh.childNodes));
  if (fresh.dataset.live) main.dataset.live = fresh.dataset.live;
  else delete main.dataset.live;
  await drawCharts(main);
  main.dataset.updates = String(Number(main.dataset.updates ?? '0') + 1);
}

/** Polls the live token: every second while a run is running, every 5 s otherwise. */
function watch(main: HTMLElement): void {
  const state = document.getElementById('live-state');
  let token: string | null = null;
  const tick = async () => {
    let delay = 5000;
    const url = main.dataset.live;
    if (url) {
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        const live = (await res.json()) as { token: string; running: boolean };
        if (token !== null && live.token !== token) await refresh(main);
        token = live.token;
        delay = live.running ? 1000 : 5000;
        if (state) state.textContent = live.running ? '● live' : '';
      } catch {
        if (state) state.textContent = 'offline: retrying';
      }
    }
    setTimeout(tick, delay);
  };
  void tick();
}

/** The page's action buttons: POST JSON to their address with the token, say the result, redraw the page. */
function actions(main: HTMLElement): void {
  main.addEventListener('click', async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (!button) return;
    const result = document.getElementById('action-result');
    const token = document.querySelector<HTMLMetaElement>('meta[name="nnlab-token"]')?.content;
    button.disabled = true;
    try {
      const res = await fetch(button.dataset.action!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { 'x-nnlab-token': token } : {}) },
        body: '{}',
      });
      const body = (await res.json()) as { crashed?: number[]; error?: string };
      const text = !res.ok ? `refused: ${body.error}` : body.crashed?.length ? `marked crashed: run ${body.crashed.join(', ')}` : 'no run had lost its heartbeat';
      await refresh(main);
      const after = document.getElementById('action-result');
      if (after) after.textContent = text;
    } catch (e) {
      if (result) result.textContent = `failed: ${(e as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
}

async function start(): Promise<void> {
  const main = document.querySelector('main');
  if (!main) return;
  await drawCharts(main);
  actions(main);
  document.body.dataset.ready = 'true';
  if (main.dataset.live) watch(main);
}

void start();
