#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU and the CUDA 13 runtime with cuDNN 9 (the worker's Docker image):
# builds, runs the tests that need a GPU (Category=Gpu, forced to run: a broken driver fails instead of skipping),
# runs `robustcrop bench --device cuda:0`, times the bare framework with scripts/physical-limit.py where PyTorch is
# installed, and prints a short table last. Meant to finish in under 8 minutes.
#
#   scripts/gpu-check.sh [IMAGES=200] [BATCH=auto]
# Exit status: 0 when the GPU tests passed and the bench ran on CUDA, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
images=${1:-200}; batch=${2:-auto}
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found; this script needs an NVIDIA GPU"; exit 1; }
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
echo "gpu-check: $gpu"
dotnet build RobustCrop.sln -c Release -v q -nologo >/dev/null || { echo "gpu-check: build failed"; exit 1; }

tests=FAILED; tests_log=$(mktemp)
if ROBUSTCROP_GPU_TESTS=1 dotnet test RobustCrop.sln -c Release --no-build --filter "Category=Gpu" 2>&1 | tee "$tests_log" | grep -E '^(Passed|Failed)!'; then
  grep -qE '^Failed!' "$tests_log" || tests=passed
fi
rm -f "$tests_log"

cli=src/Coordinator/RobustCrop.Cli/bin/Release/net10.0/linux-x64/robustcrop
bench_log=$(mktemp)
timeout 300 "$cli" bench --device cuda:0 --images "$images" --batch "$batch" 2>&1 | tee "$bench_log"
field() { grep -E "^$1" "$bench_log" | head -1 | sed -E "s/^$1[^0-9]*([0-9.]+).*/\1/"; }
bare=$(field "bare ONNX Runtime loop"); pipe=$(field "full pipeline"); feed=$(field "feed/core"); ratio=$(field "pipeline/bare")
on_cuda=no; grep -q "on cuda:0" "$bench_log" && on_cuda=yes
io_binding=no; grep -q "I/O binding over pinned host buffers" "$bench_log" && io_binding=yes

framework="(no PyTorch)"
if python3 -c "import torch, torchvision" 2>/dev/null; then
  framework=$(timeout 180 python3 scripts/physical-limit.py --seconds 3 | tee /dev/stderr | sed -nE 's/^framework best: ([0-9]+) crops\/s.*/\1/p')
fi

echo
echo "| what | figure |"
echo "| --- | --- |"
echo "| GPU | $gpu |"
echo "| GPU tests | $tests |"
echo "| bench ran on CUDA | $on_cuda |"
echo "| I/O binding (pinned host buffers) | $io_binding |"
echo "| bare ONNX Runtime loop (batch $batch) | ${bare:-?} crops/s |"
echo "| full pipeline | ${pipe:-?} crops/s |"
echo "| pipeline/bare | ${ratio:-?} |"
echo "| feed/core | ${feed:-?} crops per CPU-second |"
echo "| framework (PyTorch resnet18, best of fp32/fp16) | $framework crops/s |"
rm -f "$bench_log"
[ "$tests" = passed ] && [ "$on_cuda" = yes ]
