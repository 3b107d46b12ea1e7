#!/usr/bin/env bash
# Writes the first COUNT images of Fashion-MNIST's t10k split (with their labels and the class names) as an IDX folder
# that `robustcrop evaluate --data OUT_DIR` reads, for benchmarks on more test images than the sample job's 100.
# Name the folder fashion-mnist: a dataset is named after its folder, and the shipped heads apply to `fashion-mnist`
# only (zoo/default.yaml, head.applies_to), so under another name the run has no class metrics.
#   usage: scripts/fmnist-subset.sh IDX_DIR OUT_DIR [COUNT=500]
#   IDX_DIR holds t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] (the original files: 10000 images).
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: scripts/fmnist-subset.sh IDX_DIR OUT_DIR [COUNT=500]" >&2
  exit 2
fi
src=$1
out=$2
count=${3:-500}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "fmnist-subset: COUNT must be a positive integer, got '$count'" >&2; exit 2; }

# The original files, gzip or plain, unpacked once (a pipe cut short by head would fail under pipefail).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for stem in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [[ -f $src/$stem.gz ]]; then gzip -dc "$src/$stem.gz" > "$work/$stem"
  elif [[ -f $src/$stem ]]; then cp "$src/$stem" "$work/$stem"
  else echo "fmnist-subset: no $stem[.gz] in $src" >&2; exit 1
  fi
done
# A 32-bit big-endian integer, as IDX headers hold them.
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }

available=$(od -An -tu1 -j4 -N4 "$work/t10k-labels-idx1-ubyte" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
if (( count > available )); then
  echo "fmnist-subset: $src has $available t10k images, fewer than $count" >&2
  exit 2
fi
mkdir -p "$out"
# Header: magic 2051, count, 28 rows, 28 columns; then count × 784 bytes. Labels: magic 2049, count, count bytes.
# gzip -n: no name or time stamp, so a rerun gives the same bytes.
{ be32 2051; be32 "$count"; be32 28; be32 28; head -c $((16 + count * 784)) "$work/t10k-images-idx3-ubyte" | tail -c +17; } \
  | gzip -n -9 > "$out/t10k-images-idx3-ubyte.gz"
{ be32 2049; be32 "$count"; head -c $((8 + count)) "$work/t10k-labels-idx1-ubyte" | tail -c +9; } \
  | gzip -n -9 > "$out/t10k-labels-idx1-ubyte.gz"
cp "$repo/samples/fashion-mnist/classes.txt" "$repo/samples/fashion-mnist/LICENSE" "$out/"
echo "fmnist-subset: the first $count t10k images in $out" >&2
[[ $(basename "$(cd "$out" && pwd)") == fashion-mnist ]] || \
  echo "fmnist-subset: note: the folder is not named fashion-mnist, so the shipped heads do not apply to it" >&2
