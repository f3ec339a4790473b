// The dashboard's routes over the store: the pages (HTML), their plots and live tokens (JSON), artifact
// downloads and the static files. Every id in a URL is checked; an unknown one is a 404 page.
import { createReadStream, lstatSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ArtifactRecord, RunStore, StoredRunStatus } from '../store/types.js';
import { graceSeconds } from '../store/liveness.js';
import { assets } from './assets.js';
import { modelSummary } from './model-summary.js';
import { configDiff, liveToken, runPage as queryRunPage, RUN_SORT_KEYS, studyRows, studyView, type RunQuery, type RunSortKey } from './data.js';
import { comparePlots, runPlots, studyPlots } from './plots.js';
import { notFoundPage } from './pages/errors.js';
import type { Site } from './pages/layout.js';
import { studiesPage } from './pages/studies.js';
import { studyPage } from './pages/study.js';
import { runsPage, STATUSES } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { comparePage } from './pages/compare.js';

/** A positive integer id from a URL part, or null. */
function idOf(text: unknown): number | null {
  return typeof text === 'string' && /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null;
}

/** Run ids from `?runs=1,2` and/or `?runs=1&runs=2`, in order, without repeats (at most 50). */
function idsOf(value: unknown): number[] {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(/[\s,]+/) : []));
  return [...new Set(parts.map(idOf).filter((id): id is number => id !== null))].slice(0, 50);
}

function one(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** The files of an artifact one can download: the file itself, or the regular files at the top of its folder. */
export function artifactFiles(a: ArtifactRecord): { name: string; bytes: number; file: string }[] {
  let st: Stats;
  try {
    st = lstatSync(a.path);
  } catch {
    return [];
  }
  if (st.isFile()) return [{ name: path.basename(a.path), bytes: st.size, file: a.path }];
  if (!st.isDirectory()) return [];
  return readdirSync(a.path, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(a.path, e.name);
      return { name: e.name, bytes: lstatSync(file).size, file };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}

/** The model summary of the run's first weights artifact that has one here, or null. */
function modelSummaryOf(artifacts: readonly ArtifactRecord[]): string | null {
  for (const a of artifacts.filter((x) => x.kind === 'weights')) {
    const summary = modelSummary(a.path);
    if (summary) return summary;
  }
  return null;
}

export interface RouteContext {
  store: RunStore;
  site: Site;
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store } = ctx;
  const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body);
  const notFound = (reply: FastifyReply, what: string) => html(reply, notFoundPage(what, ctx.site), 404);

  app.get('/', async (_req, reply) => html(reply, studiesPage(await studyRows(store), ctx.site)));

  app.get<{ Params: { id: string } }>('/studies/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    const view = id === null ? null : await studyView(store, id);
    return view ? html(reply, studyPage(view, ctx.site)) : notFound(reply, `No study ${req.params.id} in this store.`);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/runs', async (req, reply) => {
    const q = runQuery(req.query);
    return html(reply, runsPage(await queryRunPage(store, q), q, ctx.site));
  });

  app.get<{ Params: { id: string } }>('/runs/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    const run = id === null ? null : await store.getRun(id);
    if (!run) return notFound(reply, `No run ${req.params.id} in this store.`);
    const [study, epochs, artifacts] = await Promise.all([run.studyId === null ? null : store.getStudy(run.studyId), store.getEpochs(run.id), store.listArtifacts({ runId: run.id })]);
    return html(
      reply,
      runPage({ run, study, epochs: epochs.length, artifacts: artifacts.map((artifact) => ({ artifact, files: artifactFiles(artifact) })), modelSummary: modelSummaryOf(artifacts) }, ctx.site),
    );
  });

  app.get<{ Querystring: Record<string, unknown> }>('/compare', async (req, reply) => {
    const ids = idsOf(req.query.runs);
    const found = await Promise.all(ids.map((id) => store.getRun(id)));
    const runs = found.filter((r) => r !== null);
    const missing = ids.filter((_, i) => found[i] === null);
    return html(reply, comparePage(runs, configDiff(runs), missing, ctx.site));
  });

  app.get<{ Params: { run: string; artifact: string; file: string } }>('/runs/:run/artifacts/:artifact/:file', async (req, reply) => {
    const runId = idOf(req.params.run);
    const artifactId = idOf(req.params.artifact);
    const artifact = runId === null || artifactId === null ? undefined : (await store.listArtifacts({ runId })).find((a) => a.id === artifactId);
    const file = artifact ? artifactFiles(artifact).find((f) => f.name === req.params.file) : undefined;
    if (!file) return notFound(reply, `No file ${req.params.file} in artifact ${req.params.artifact} of run ${req.params.run}.`);
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"`)
      .header('content-length', file.bytes)
      .send(createReadStream(file.file));
  });

  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  app.get<{ Params: { '*': string } }>('/static/*', async (req, reply) => {
    const asset = assets().get(req.params['*']);
    if (!asset) return notFound(reply, `No file ${req.params['*']} among the dashboard's files.`);
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });

  // JSON: what the pages draw and poll, and the lists for other tools.
  app.get('/api/studies', async () => (await studyRows(store)).map(({ study, ...row }) => ({ id: study.id, name: study.name, createdAt: study.createdAt, file: study.file, ...row })));

  app.get<{ Params: { id: string } }>('/api/studies/:id/plots', async (req, reply) => {
    const id = idOf(req.params.id);
    const view = id === null ? null : await studyView(store, id);
    return view ? studyPlots(view) : reply.code(404).send({ error: `no study ${req.params.id}` });
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    const run = id === null ? null : await store.getRun(id);
    return run ? { ...run, epochs: await store.getEpochs(run.id) } : reply.code(404).send({ error: `no run ${req.params.id}` });
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id/plots', async (req, reply) => {
    const id = idOf(req.params.id);
    const run = id === null ? null : await store.getRun(id);
    return run ? runPlots(run, await store.getEpochs(run.id)) : reply.code(404).send({ error: `no run ${req.params.id}` });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/api/compare/plots', async (req) => {
    const runs = (await Promise.all(idsOf(req.query.runs).map((id) => store.getRun(id)))).filter((r) => r !== null);
    const epochs = new Map(await Promise.all(runs.map(async (r) => [r.id, await store.getEpochs(r.id)] as const)));
    return comparePlots(runs, epochs);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/api/live', async (req, reply) => {
    const study = idOf(one(req.query.study));
    const runs = idsOf(req.query.runs);
    if (study === null && runs.length === 0) return reply.code(400).send({ error: 'say ?study=ID or ?runs=ID,ID' });
    return liveToken(store, study !== null ? { study } : { runs });
  });

  // The one write: mark runs whose heartbeat stopped as crashed (what `nnlab runs` does), from the runs page.
  app.post<{ Body: { graceS?: unknown } }>('/api/actions/mark-crashed', async (req, reply) => {
    const grace = req.body?.graceS ?? graceSeconds();
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) return reply.code(400).send({ error: 'graceS: expected a number of seconds ≥ 0' });
    const crashed = await store.markCrashed(grace);
    return { crashed: crashed.map((r) => r.id) };
  });
}

/** The runs page's query from the URL's parameters (unknown values are ignored). */
export function runQuery(params: Record<string, unknown>): RunQuery {
  const status = one(params.status);
  const sort = one(params.sort);
  const order = one(params.order);
  const q: RunQuery = {};
  if (status && STATUSES.includes(status as StoredRunStatus)) q.status = status as StoredRunStatus;
  const study = idOf(one(params.study));
  if (study !== null) q.study = study;
  const text = one(params.q)?.slice(0, 200);
  if (text) q.text = text;
  if (sort && (RUN_SORT_KEYS as readonly string[]).includes(sort)) q.sort = sort as RunSortKey;
  if (order === 'asc' || order === 'desc') q.order = order;
  if (one(params.group) === 'config') q.group = true;
  const pageNo = idOf(one(params.page));
  if (pageNo !== null) q.page = pageNo;
  return q;
}
