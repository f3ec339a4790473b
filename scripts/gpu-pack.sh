#!/usr/bin/env bash
# Prepares what scripts/gpu-check.sh needs on a GPU machine that has PyTorch with CUDA and a C++ compiler but no
# Node.js and no package registry: this machine's Node binary (xz-compressed), Node's and node-addon-api's
# headers, the compiled library (dist/), and the npm packages the checked code imports. All of it goes to
# .gpu/ (git-ignored), small enough to carry (about 30 MB).
#
#   bash scripts/gpu-pack.sh        then, on the GPU machine, with .gpu and dist carried:  bash scripts/gpu-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v xz >/dev/null || { echo "gpu-pack.sh: xz not found (apt-get install xz-utils)" >&2; exit 1; }
npm run build >/dev/null
rm -rf .gpu && mkdir -p .gpu/node_modules
node_bin="$(command -v node)"
prefix="$(dirname "$(dirname "$(readlink -f "$node_bin")")")"
xz -T0 -6 -c "$(readlink -f "$node_bin")" > .gpu/node.xz
# Node-API alone (what node-addon-api includes), not all of Node's headers (50 MB of V8 and OpenSSL).
mkdir -p .gpu/node-include
for h in node_api.h node_api_types.h js_native_api.h js_native_api_types.h; do cp "$prefix/include/node/$h" .gpu/node-include/; done
# What the addon build includes, and what the CUDA tests and the GPU bench import at run time.
for pkg in node-addon-api cli-progress string-width strip-ansi ansi-regex emoji-regex is-fullwidth-code-point commander yaml ajv ajv-formats fast-deep-equal fast-uri json-schema-traverse require-from-string; do
  [ -d "node_modules/$pkg" ] && cp -r "node_modules/$pkg" .gpu/node_modules/
done
du -sh .gpu dist | sed 's/^/gpu-pack.sh: /'
