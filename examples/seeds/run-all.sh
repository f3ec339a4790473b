#!/usr/bin/env bash
# Runs every seed study into reports/seeds/<study>/ (tables, plots, report.html) and keeps each run's --json
# line in reports/seeds/<study>.json; docs/seeds.md sets their numbers beside the seeds'. On 2 cores the MNIST
# and Fashion-MNIST studies take about 25 minutes together, the two searches of 003 about 30, the image-folder
# study (002) about 40.
#
#   bash examples/seeds/run-all.sh                 # every study
#   bash examples/seeds/run-all.sh 004-final-model  # some of them
#
# Runs are stored in $NNLAB_HOME (default .nnlab-seeds), apart from your own.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NNLAB_HOME="${NNLAB_HOME:-.nnlab-seeds}"
studies=("$@")
[ ${#studies[@]} -eq 0 ] && studies=(000-one-vs-rest 000-hyperparameters 000-architectures-default 000-architectures 000-normalization 000-initializers 000-ten-outputs
  004-activations 004-initializers 004-optimizers 004-regularization 004-final-model 003-mnist-stddev 003-fashion-stddev 002-dogs-vs-cats)
[ -f dist/examples/seeds/make-image-folder.js ] || npm run build
mkdir -p reports/seeds
for s in "${studies[@]}"; do
  if [ "$s" = 002-dogs-vs-cats ]; then
    # The stand-in folder: 600 + 150 images per class (the seed had 4,000 + 1,000) keeps the CNN at 256 × 256
    # within reach of 2 cores. Its batches of 128 need about 6 GB of activations: a larger allocation cache
    # than the default 2 GB halves the time per epoch (the process then holds about 11 GB).
    node dist/examples/seeds/make-image-folder.js examples/seeds/data/pets --per-class "${PETS_PER_CLASS:-600}" --test-per-class "${PETS_TEST_PER_CLASS:-150}"
    export NNLAB_CPU_CACHE_MB="${NNLAB_CPU_CACHE_MB:-8192}"
  fi
  echo "== $s"
  node dist/src/cli/main.js run "examples/seeds/$s.yaml" --no-bar --report "reports/seeds/$s" --json > "reports/seeds/$s.json" 2> "reports/seeds/$s.log" || echo "   (exit $?: see reports/seeds/$s.log)"
  tail -n 25 "reports/seeds/$s.log" | grep -v '^Epoch\|Epoch [0-9]' || true
done
