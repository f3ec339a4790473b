'use strict';
// Builds the native addon (npm's install step): finds libtorch, records what it found in
// build/libtorch.json (read by `nnlab doctor`), then runs node-gyp. Fails with the list of fixes when
// no libtorch is found, so `npm ci` stops with a readable message instead of a compiler error.

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { discover } = require('./libtorch.cjs');

const root = path.resolve(__dirname, '..');

function nodeGyp() {
  if (process.env.npm_config_node_gyp) return [process.execPath, [process.env.npm_config_node_gyp]];
  const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (fs.existsSync(bundled)) return [process.execPath, [bundled]];
  return ['node-gyp', []];
}

let found;
try {
  found = discover();
} catch (e) {
  console.error(`nnlab: cannot build the native addon.\n${e.message}`);
  process.exit(1);
}
console.log(`nnlab: building the native addon against libtorch ${found.version ?? '(unknown version)'} (${found.source}: ${found.libDir})`);

const [cmd, pre] = nodeGyp();
const jobs = String(Math.max(1, require('node:os').availableParallelism?.() ?? 2));
// Build against this Node's own headers (nothing is downloaded): npm passes them as npm_config_nodedir.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ||
  (fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi')) ? prefix : null);
const args = [...pre, 'rebuild', '-j', jobs, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error('nnlab: the native addon failed to build (see the compiler output above).');
  process.exit(r.status ?? 1);
}
fs.mkdirSync(path.join(root, 'build'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'build', 'libtorch.json'),
  JSON.stringify({ ...found, builtAt: new Date().toISOString() }, null, 2) + '\n',
);
