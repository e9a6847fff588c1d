#!/bin/sh
# The GPU check of issue 22 (point 8), for a GPU machine without network: from the bundle
# (npm run bundle → dist/attnbench/) and a Node carried beside it, run the `cuda` suite (bench/cuda.ts,
# bfloat16, torch/cuda), whose `yardstick` lines are the plain PyTorch module (SDPA on projected q, k, v)
# measured in full's rounds, and leave results.jsonl, run.json, findings.json, report.html in $OUT, with
# yardstick.txt: the run's comparisons of full with the module (findings.json), ratio and 95 % interval.
#
#   OUT=/path/out scripts/gpu-check.sh [--cpu]
#
# --cpu: the same plumbing on torch/cpu at a tiny shape (N=64, D=64, 4 heads, one short round) and three
#        of the suite's configurations (full, the yardstick, SDPA's flash: a skipped line on torch 1.13),
#        to prove the script where no GPU is (docs/engines.md, "GPU check").
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
  suite_flags="--engine torch --backend cpu --seq 64 --d-model 64 --heads 4 --rounds 1 --time 20
    --variants full,yardstick,flash:kernel=fused:backend=flash"
else
  suite_flags="${SEQ:+--seq $SEQ}"
fi

echo "gpu-check: $("$NODE_BIN" --version), $PYTHON, bundle $BUNDLE → $OUT" >&2
"$NODE_BIN" "$BUNDLE/attnbench.mjs" bench --engines > "$OUT/engines.txt"
# shellcheck disable=SC2086 # the flags are words
"$NODE_BIN" "$BUNDLE/attnbench.mjs" bench --suite cuda $suite_flags --out "$OUT/run" > "$OUT/table.txt"
for f in results.jsonl run.json findings.json report.html; do cp "$OUT/run/$f" "$OUT/$f"; done
# The yardstick's comparisons, as the report states them (findings.ts: full held against the engine's own module).
"$NODE_BIN" -e '
const found = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).filter((f) => f.yardstick);
if (found.length === 0) { console.error("gpu-check: the run has no comparison of full with the yardstick (findings.json)"); process.exit(1); }
console.log(found.map((f) => f.text).join("\n"));' "$OUT/findings.json" > "$OUT/yardstick.txt"
cat "$OUT/table.txt" "$OUT/yardstick.txt"
