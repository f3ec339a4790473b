#!/usr/bin/env bash
# Sets up nnlab on a fresh Debian machine; safe to run again (it only installs what is missing).
#
#   bash scripts/setup.sh         libtorch + OpenBLAS (Debian packages), then `npm ci` (builds the addon)
#   bash scripts/setup.sh --dev   also what the tests need: python3-torch (PyTorch as the numerical oracle), postgresql,
#                                 python3-optuna, chromium (the dashboard tests), python3-onnx (checks exported ONNX files),
#                                 python3-torchvision (torchvision's ResNets, the oracle of the resnet template)
#
# Needs root or sudo for apt-get. Reaches only Debian's package mirror and the npm registry.
set -euo pipefail

dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h | --help)
      sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown option '$arg' (use --dev or --help)" >&2
      exit 2
      ;;
  esac
done

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
fail() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "run as root, or install sudo: apt-get needs root to install libtorch"
  sudo="sudo"
fi
command -v apt-get >/dev/null || fail "apt-get not found: this script sets up Debian (see README for other systems: set LIBTORCH)"

# libtorch-dev: the C++ library and headers; libopenblas0-pthread: makes libblas.so.3 point to OpenBLAS
# (with the reference BLAS, training is ~8x slower); fonts-dejavu-core: text in the PNG plots of reports.
# --dev: python3-torch (the tests' numerical oracle and the benchmarks' peer), python3-optuna (the tuner
# benchmark's peer), postgresql (the store's tests start their own server from its binaries), chromium (the
# dashboard's tests drive it with playwright-core), python3-onnx (onnx.checker validates the exported ONNX files),
# python3-torchvision (the resnet template is checked against torchvision's ResNet-18).
packages=(libtorch-dev libopenblas0-pthread fonts-dejavu-core)
[ "$dev" = 1 ] && packages+=(python3-torch python3-optuna postgresql chromium python3-onnx python3-torchvision)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq || fail "apt-get update failed: check the machine's Debian package sources"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/tmp/nnlab-apt.log 2>&1 ||
    fail "could not install ${missing[*]} (log: /tmp/nnlab-apt.log): $(tail -n 3 /tmp/nnlab-apt.log)"
else
  say "Debian packages already installed: ${packages[*]}"
fi

# libblas.so.3 must be OpenBLAS, whatever else is installed.
arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)"
alt="libblas.so.3-${arch}"
openblas="/usr/lib/${arch}/openblas-pthread/libblas.so.3"
current="$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')"
if [ "$current" != "$openblas" ]; then
  [ -e "$openblas" ] || fail "$openblas is missing although libopenblas0-pthread is installed"
  say "pointing libblas.so.3 to OpenBLAS (was: ${current:-unset})"
  $sudo update-alternatives --set "$alt" "$openblas"
else
  say "libblas.so.3 is OpenBLAS"
fi

command -v npm >/dev/null || fail "npm not found: install Node.js 20 with npm"
say "npm ci (installs the npm packages, builds the native addon against libtorch, compiles TypeScript)"
# onnxruntime-node (a dev dependency: the tests run exported ONNX files with it) ships its CPU binaries in the
# npm package; its install script would only fetch CUDA binaries from outside the npm registry. package.json's
# allowScripts denies that script; ONNXRUNTIME_NODE_INSTALL=skip tells the script itself, for npm versions that
# do not read allowScripts.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
say "done: try \`npx nnlab doctor\`"
