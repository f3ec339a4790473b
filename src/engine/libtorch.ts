// Which libtorch nnlab runs on: what the build found (build/libtorch.json, written by native/build.cjs)
// and what the loaded addon reports (the compiled header version, the shared library actually loaded).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { getNative, packageRoot } from './native.js';

export interface LibtorchInfo {
  /** Package or archive version when known (Debian: 1.13.1), else the header's. */
  version: string;
  /** The TORCH_VERSION the addon was compiled against. */
  headerVersion: string;
  /** The libtorch shared library loaded in this process. */
  path: string;
  /** How it was found: LIBTORCH, python or system. */
  source: string;
  /** The folder its libraries came from at build time. */
  libDir: string | null;
  parallelInfo: string;
}

interface BuildRecord {
  source: string;
  libDir: string;
  version: string | null;
}

function buildRecord(): BuildRecord | null {
  const file = path.join(packageRoot, 'build', 'libtorch.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuildRecord;
  } catch {
    return null;
  }
}

export function libtorchInfo(): LibtorchInfo {
  const build = getNative().build();
  const record = buildRecord();
  return {
    version: record?.version ?? build.torchVersion,
    headerVersion: build.torchVersion,
    path: build.libtorchPath,
    source: record?.source ?? 'unknown',
    libDir: record?.libDir ?? null,
    parallelInfo: build.parallelInfo,
  };
}
