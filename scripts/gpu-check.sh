#!/bin/sh
# The GPU check of issue 22 (point 8), for a GPU machine without network: from the bundle
# (npm run bundle → dist/attnbench/) and a Node carried beside it, run the `cuda` suite (bench/cuda.ts,
# bfloat16, torch/cuda) and the plain PyTorch yardstick of full (peer-torch.mjs: SDPA on projected
# q, k, v, timed the same way), and leave results.jsonl, run.json, report.html and yardstick.txt in $OUT.
#
#   OUT=/path/out scripts/gpu-check.sh [--cpu]
#
# --cpu: the same plumbing on torch/cpu at a tiny shape (N=64, D=64, 4 heads, one short round), to
#        prove the script where no GPU is (docs/engines.md, "GPU check").
# Environment:
#   OUT              where the files go (default ./gpu-check-out)
#   BUNDLE           the bundle folder (default dist/attnbench beside this script's repository)
#   NODE             a node ≥ 20 binary; else `node` on PATH; else NODE_TARBALL is unpacked
#   NODE_TARBALL     a node-v*-linux-x64.tar.xz, unpacked with Python's lzma (no xz binary needed)
#   ATTNBENCH_PYTHON the interpreter with torch (default python3)
#   SEQ              the suite's sequence lengths on the GPU (default: the suite's, 1024…32768)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-./gpu-check-out}
BUNDLE=${BUNDLE:-$here/dist/attnbench}
PYTHON=${ATTNBENCH_PYTHON:-python3}
export ATTNBENCH_PYTHON="$PYTHON"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ ! -f "$BUNDLE/attnbench.mjs" ]; then
  echo "gpu-check: no bundle at $BUNDLE (run npm run bundle where npm is, and carry dist/attnbench here)" >&2
  exit 2
fi

node_bin() {
  if [ -n "${NODE:-}" ]; then echo "$NODE"; return; fi
  if command -v node >/dev/null 2>&1; then command -v node; return; fi
  if [ -n "${NODE_TARBALL:-}" ]; then
    dest="$OUT/.node"
    "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$NODE_TARBALL" "$dest"
    found=$(ls -d "$dest"/node-*/bin/node 2>/dev/null | head -n 1)
    if [ -n "$found" ]; then echo "$found"; return; fi
  fi
  echo "gpu-check: no node: set NODE to a node ≥ 20 binary, or NODE_TARBALL to a node-v*-linux-x64.tar.xz" >&2
  exit 2
}
NODE_BIN=$(node_bin)

if [ "${1:-}" = "--cpu" ]; then
  suite_flags="--engine torch --backend cpu --seq 64 --d-model 64 --heads 4 --rounds 1 --time 20"
  peer_flags="--backend cpu --seq 64 --d-model 64 --heads 4 --rounds 2 --kind mha --dtype bfloat16"
else
  suite_flags="${SEQ:+--seq $SEQ}"
  peer_flags="--backend cuda --seq 4096 --d-model 1024 --heads 16 --rounds 6 --kind sdpa --dtype bfloat16"
fi

echo "gpu-check: $("$NODE_BIN" --version), $PYTHON, bundle $BUNDLE → $OUT" >&2
"$NODE_BIN" "$BUNDLE/attnbench.mjs" bench --engines > "$OUT/engines.txt"
# shellcheck disable=SC2086 # the flags are words
"$NODE_BIN" "$BUNDLE/attnbench.mjs" bench --suite cuda $suite_flags --out "$OUT/run" > "$OUT/table.txt"
# shellcheck disable=SC2086
"$NODE_BIN" "$BUNDLE/peer-torch.mjs" $peer_flags > "$OUT/yardstick.txt"
for f in results.jsonl run.json report.html; do cp "$OUT/run/$f" "$OUT/$f"; done
cat "$OUT/table.txt" "$OUT/yardstick.txt"
