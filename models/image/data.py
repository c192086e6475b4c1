"""Fashion-MNIST from Debian's dataset-fashion-mnist package, as torch tensors in [-1, 1].

    from data import load_fashion_mnist
    train_x, train_y = load_fashion_mnist("train")  # [60000, 1, 28, 28] float32, [60000] int64
    test_x, test_y = load_fashion_mnist("test")     # [10000, 1, 28, 28], [10000]

The package (`apt-get install -y dataset-fashion-mnist`) ships the original IDX files
(optionally gzipped) under /usr/share/datasets/fashion-mnist; the FASHION_MNIST_DIR environment
variable overrides the directory. Pixels are uint8 0..255, scaled by x / 127.5 - 1.

Run directly to print the shapes and value ranges as a check:

    /usr/bin/python3 models/image/data.py
"""
import gzip
import os
import struct

import numpy as np
import torch

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(directory, stem):
    """Returns the path of `stem` or `stem.gz` under `directory` (searched recursively)."""
    for root, _, names in os.walk(directory):
        for candidate in (stem, stem + ".gz"):
            if candidate in names:
                return os.path.join(root, candidate)
    raise FileNotFoundError(
        f"{stem}[.gz] not found under {directory}: install the Debian package "
        "dataset-fashion-mnist or set FASHION_MNIST_DIR")


def _read_idx(path):
    """Decodes an IDX file (big-endian header: magic 0x00000800 | rank, then rank dims)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: magic {magic:#x} is not an unsigned-byte IDX file")
    rank = magic & 0xff
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims} but holds {data.size} bytes")
    return data.reshape(dims)


def load_fashion_mnist_uint8(split, directory=None):
    """Returns (images uint8 [N, 28, 28], labels uint8 [N]) as numpy arrays."""
    directory = directory or os.environ.get("FASHION_MNIST_DIR", DEFAULT_DIR)
    images_stem, labels_stem = _FILES[split]
    images = _read_idx(_find(directory, images_stem))
    labels = _read_idx(_find(directory, labels_stem))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"unexpected shapes {images.shape} / {labels.shape}")
    return images, labels


def load_fashion_mnist(split, directory=None):
    """Returns (images float32 [N, 1, 28, 28] in [-1, 1], labels int64 [N]) as tensors."""
    images, labels = load_fashion_mnist_uint8(split, directory)
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1) / 127.5 - 1.0
    return x, torch.from_numpy(labels.astype(np.int64))


if __name__ == "__main__":
    for split in ("train", "test"):
        x, y = load_fashion_mnist(split)
        print(f"{split}: images {tuple(x.shape)} [{x.min():.1f}, {x.max():.1f}] "
              f"labels {tuple(y.shape)} classes {sorted(set(y.tolist()))}")
