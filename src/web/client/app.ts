// The dashboard in the browser: draws each page's plots with vega-embed (Vega's expression interpreter, so
// the page needs no eval under its Content-Security-Policy), and keeps pages with runs that may change live:
// it polls the page's live token and, when it changes, fetches the page again and redraws <main>.

interface EmbedResult {
  finalize(): void;
}
declare const vegaEmbed: (el: HTMLElement, spec: unknown, options: object) => Promise<EmbedResult>;

interface Plot {
  name: string;
  title: string;
  spec: unknown;
}

let interpreter: unknown = null;
async function expressionInterpreter(): Promise<unknown> {
  const url = '/static/vendor/vega-interpreter.js'; // a variable: the module is the server's, not the compiler's
  interpreter ??= ((await import(url)) as { expressionInterpreter: unknown }).expressionInterpreter;
  return interpreter;
}

const views: EmbedResult[] = [];

/** Draws every `.charts[data-plots]` box under `root` from its plots API. */
async function drawCharts(root: ParentNode): Promise<void> {
  const expr = await expressionInterpreter();
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
    for (const plot of plots) {
      const figure = document.createElement('figure');
      figure.className = 'plot';
      figure.dataset.plot = plot.name;
      const chart = document.createElement('div');
      const caption = document.createElement('figcaption');
      caption.textContent = plot.title;
      figure.append(chart, caption);
      box.append(figure);
      views.push(await vegaEmbed(chart, plot.spec, { ast: true, expr, renderer: 'svg', actions: false, defaultStyle: false, tooltip: { disableDefaultStyle: true } }));
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
  for (const v of views.splice(0)) v.finalize();
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
