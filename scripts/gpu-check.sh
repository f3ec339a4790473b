#!/usr/bin/env bash
# The GPU check in one command, for a machine with PyTorch (CUDA) and g++ but perhaps no Node.js, npm or
# network: builds the addon against that PyTorch's libtorch (its include and library paths, its C++ ABI), runs
# the CUDA tests and the device tests, then B1/B2 on the GPU against PyTorch on the same GPU. Needs dist/ and
# .gpu/ from scripts/gpu-pack.sh on the development machine (or a node on PATH and npm ci done). About 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
say() { printf '\n== %s\n' "$*"; }

say "Node"
if [ -f .gpu/node.xz ] && [ ! -x .gpu/bin/node ]; then mkdir -p .gpu/bin && xz -dc .gpu/node.xz > .gpu/bin/node && chmod +x .gpu/bin/node; fi
NODE="$(command -v node || echo .gpu/bin/node)"
[ -x "$NODE" ] || { echo "gpu-check.sh: no Node.js: run scripts/gpu-pack.sh on the development machine and carry .gpu and dist" >&2; exit 1; }
"$NODE" --version
[ -d node_modules ] || ln -s .gpu/node_modules node_modules
[ -f dist/src/cli/main.js ] || { echo "gpu-check.sh: dist/ is missing: carry it (scripts/gpu-pack.sh builds it)" >&2; exit 1; }

say "PyTorch"
"$PYTHON" - <<'PY'
import torch
print('torch', torch.__version__, 'CUDA', torch.version.cuda, 'available:', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')
PY
# Where that libtorch is and how to compile against it (include paths, C++ ABI, C++ standard), from the same
# discovery binding.gyp uses (native/libtorch.cjs, LIBTORCH_USE_PYTORCH=1).
discover() { LIBTORCH_USE_PYTORCH=1 PYTHON="$PYTHON" "$NODE" native/libtorch.cjs "$1"; }
TORCH_JSON="$(discover json)"
TORCH_LIB="$("$NODE" -p "JSON.parse(process.argv[1]).libDir" "$TORCH_JSON")"
TORCH_VERSION="$("$NODE" -p "JSON.parse(process.argv[1]).version" "$TORCH_JSON")"
TORCH_INCLUDES="$(discover includes | sed -E 's/(^| )([^ ])/\1-I\2/g')"

say "Building the addon against libtorch $TORCH_VERSION ($TORCH_LIB)"
NODE_INCLUDE="${NODE_INCLUDE:-$(if [ -d .gpu/node-include ]; then echo .gpu/node-include; else echo "$(dirname "$(dirname "$(readlink -f "$NODE")")")/include/node"; fi)}"
ADDON_API="$("$NODE" -p "require('node-addon-api').include_dir")"
mkdir -p build/Release
CUDA_LIBS=""
[ -f "$TORCH_LIB/libtorch_cuda.so" ] && CUDA_LIBS="-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed"
# The same sources and flags as binding.gyp, without node-gyp (not there without npm). torch_cuda is linked
# with --no-as-needed so that loading the addon registers the CUDA kernels.
g++ -O3 "$(discover std)" -fopenmp -shared -fPIC -fexceptions -frtti -fno-math-errno -Wno-unused-parameter -Wno-deprecated-declarations \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -D"$(discover defines)" \
  -I"$NODE_INCLUDE" -I"$ADDON_API" $TORCH_INCLUDES native/src/*.cc \
  -L"$TORCH_LIB" -Wl,-rpath,"$TORCH_LIB" $CUDA_LIBS -ltorch -ltorch_cpu -lc10 -ldl \
  -o build/Release/nnlab.node
printf '{"source":"python","libDir":"%s","version":"%s"}\n' "$TORCH_LIB" "${TORCH_VERSION%%+*}" > build/libtorch.json
# doctor's own module (the CLI would load the report and dashboard packages, not carried here)
"$NODE" --input-type=module -e "const m = await import('./dist/src/cli/doctor.js'); console.log(m.formatDoctor(m.doctor()));"

say "Tests: CUDA training, devices, op wrappers on this libtorch, moving models, the sparse-input kernels"
"$NODE" --expose-gc --test dist/src/train/cuda.test.js dist/src/engine/device.test.js dist/src/tensor/codegen/generate.test.js dist/src/nn/model-to.test.js dist/src/train/trainer.test.js dist/src/tensor/sparse-input.test.js

say "B1/B2 on the GPU against PyTorch on the same GPU"
NNLAB_PYTHON="$(command -v "$PYTHON")" "$NODE" dist/bench/run.js gpu
