// The dashboard's static files, by name: its own (style.css, app.js, the vega-util shim) and the chart
// libraries from their npm packages (Vega, Vega-Lite, vega-embed, vega-interpreter). Read once into memory;
// a request names an entry of this table, never a path, so no request can reach another file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NnlabError } from '../engine/errors.js';

export interface Asset {
  body: Buffer;
  type: string;
}

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/src/web
/** The package's root (the folder holding package.json and src/). */
const root = path.resolve(here, '..', '..', '..');

/** The folder of an installed npm package (its exports may not list package.json). */
function packageDir(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new NnlabError(`the dashboard cannot find the npm package ${name}: reinstall nnlab's dependencies (npm ci)`);
    dir = up;
  }
  return dir;
}

const JS = 'text/javascript; charset=utf-8';

/** Where each asset comes from, and an edit for the one that imports by a bare name. */
function sources(): Record<string, { file: string; type: string; edit?: (text: string) => string }> {
  return {
    'style.css': { file: path.join(root, 'src', 'web', 'assets', 'style.css'), type: 'text/css; charset=utf-8' },
    'app.js': { file: path.join(here, 'client', 'app.js'), type: JS },
    'vendor/vega.min.js': { file: path.join(packageDir('vega'), 'build', 'vega.min.js'), type: JS },
    'vendor/vega-lite.min.js': { file: path.join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'), type: JS },
    'vendor/vega-embed.min.js': { file: path.join(packageDir('vega-embed'), 'build', 'vega-embed.min.js'), type: JS },
    // An ES module importing 'vega-util' by name: pointed at the shim, which takes those functions from Vega's build.
    'vendor/vega-interpreter.js': {
      file: path.join(packageDir('vega-interpreter'), 'build', 'vega-interpreter.js'),
      type: JS,
      edit: (text) => text.replace(/from\s+['"]vega-util['"]/g, "from './vega-util.js'"),
    },
    'vendor/vega-util.js': { file: path.join(root, 'src', 'web', 'assets', 'vega-util.js'), type: JS },
  };
}

let cache: Map<string, Asset> | null = null;

/** Every asset, read on first use. An NnlabError naming a missing file (an incomplete install or build). */
export function assets(): Map<string, Asset> {
  if (cache) return cache;
  const out = new Map<string, Asset>();
  for (const [name, s] of Object.entries(sources())) {
    if (!existsSync(s.file)) throw new NnlabError(`the dashboard's file ${s.file} is missing: run npm run build (or reinstall nnlab)`);
    const body = readFileSync(s.file);
    out.set(name, { body: s.edit ? Buffer.from(s.edit(body.toString('utf8'))) : body, type: s.type });
  }
  return (cache = out);
}
