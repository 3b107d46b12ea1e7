#!/usr/bin/env python3
"""The physical limit, measured without RobustCrop: the bare framework's batched throughput of the architecture the
default zoo runs (torchvision resnet18; random weights time the same as trained ones) on one GPU, at fp32 and fp16,
batch 32 / 64 / 256, so a table can show pipeline / bare ONNX Runtime / framework side by side.

    python3 scripts/physical-limit.py [--device cuda:0] [--seconds 5] [--batches 32,64,256] [--channels-last]

Prints one line per (dtype, batch): crops per second, and last a line `framework best: <crops/s> (<dtype>, batch <b>)`.
Needs PyTorch and torchvision; nothing else of this repository.
"""
import argparse
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per (dtype, batch) after warm-up")
    parser.add_argument("--batches", default="32,64,256")
    parser.add_argument("--channels-last", action="store_true", help="NHWC memory format (often faster with cuDNN at fp16)")
    args = parser.parse_args()
    try:
        import torch
        import torchvision
    except ImportError as e:
        print(f"physical-limit: PyTorch and torchvision are needed ({e})", file=sys.stderr)
        return 2
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"physical-limit: no CUDA device for {args.device}", file=sys.stderr)
        return 2
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"physical-limit: torch {torch.__version__}, torchvision {torchvision.__version__}, {name}")
    print(f"{'dtype':>7} {'batch':>6} {'crops/s':>10} {'ms/batch':>9}")
    best = (0.0, "", 0)
    for dtype_name, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
        model = torchvision.models.resnet18(weights=None).eval().to(device=device, dtype=dtype)
        if args.channels_last:
            model = model.to(memory_format=torch.channels_last)
        for batch in (int(b) for b in args.batches.split(",")):
            x = torch.randn(batch, 3, 224, 224, device=device, dtype=dtype)
            if args.channels_last:
                x = x.to(memory_format=torch.channels_last)
            with torch.inference_mode():
                # Warm-up: cuDNN picks its algorithms for this shape, the clocks settle.
                for _ in range(10):
                    model(x)
                sync(torch, device)
                runs, start = 0, time.perf_counter()
                while time.perf_counter() - start < args.seconds:
                    model(x)
                    runs += 1
                    if runs % 10 == 0:
                        sync(torch, device)
                sync(torch, device)
                elapsed = time.perf_counter() - start
            rate = runs * batch / elapsed
            print(f"{dtype_name:>7} {batch:>6} {rate:>10.0f} {1000 * elapsed / runs:>9.2f}")
            if rate > best[0]:
                best = (rate, dtype_name, batch)
    print(f"framework best: {best[0]:.0f} crops/s ({best[1]}, batch {best[2]})")
    return 0


def sync(torch, device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


if __name__ == "__main__":
    sys.exit(main())
