#!/usr/bin/env python3
"""Rebuild the Fashion-MNIST sample subsets shipped in samples/fashion-mnist/.

Source: the original Fashion-MNIST IDX files (Debian's dataset-fashion-mnist,
/usr/share/datasets/fashion-mnist/, or https://github.com/zalandoresearch/fashion-mnist),
© 2017 Zalando SE, MIT licence.

Selection (deterministic, so the shipped files can be checked against the originals):
  * t10k: the FIRST 1000 images of t10k, in order; the labelled test set of the sample run.
  * train: the first 100 images of each of the 10 classes of train, kept in their original
    order of appearance (1000 images); only for fitting a prototype head (`fit-head`).

Output files keep the IDX layout (magic 2051 images / 2049 labels, big-endian counts) with the
count rewritten, gzip-compressed with mtime 0 so reruns give identical bytes.

Usage: python3 samples/fashion-mnist/make_subset.py /path/to/fashion-mnist samples/fashion-mnist
"""
import gzip
import os
import struct
import sys

TEST_COUNT = 1000
PER_CLASS = 100
CLASSES = 10


def read_idx(path, expected_magic):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != expected_magic:
        sys.exit(f"{path}: magic {magic}, expected {expected_magic}")
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        size = rows * cols
        body = data[16:]
        items = [body[i * size:(i + 1) * size] for i in range(count)]
        return items, (rows, cols)
    return list(data[8:8 + count]), None


def find(src, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(src, name)
        if os.path.exists(path):
            return path
    sys.exit(f"missing {stem}[.gz] in {src}")


def write_gz(path, payload):
    # mtime=0 and no file name in the header: byte-identical output on every run.
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(payload)


def write_pair(dst, split, images, labels, dims):
    rows, cols = dims
    write_gz(os.path.join(dst, f"{split}-images-idx3-ubyte.gz"),
             struct.pack(">IIII", 2051, len(images), rows, cols) + b"".join(images))
    write_gz(os.path.join(dst, f"{split}-labels-idx1-ubyte.gz"),
             struct.pack(">II", 2049, len(labels)) + bytes(labels))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)

    images, dims = read_idx(find(src, "t10k-images-idx3-ubyte"), 2051)
    labels, _ = read_idx(find(src, "t10k-labels-idx1-ubyte"), 2049)
    write_pair(dst, "t10k", images[:TEST_COUNT], labels[:TEST_COUNT], dims)

    images, dims = read_idx(find(src, "train-images-idx3-ubyte"), 2051)
    labels, _ = read_idx(find(src, "train-labels-idx1-ubyte"), 2049)
    taken = [0] * CLASSES
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < PER_CLASS:
            taken[label] += 1
            keep.append(i)
    if len(keep) != PER_CLASS * CLASSES:
        sys.exit(f"train: only {len(keep)} images selected")
    write_pair(dst, "train", [images[i] for i in keep], [labels[i] for i in keep], dims)
    print(f"wrote t10k ({TEST_COUNT}) and train ({len(keep)}) subsets to {dst}")


if __name__ == "__main__":
    main()
