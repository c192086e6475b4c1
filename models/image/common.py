"""Helpers shared by dcgan.py and vae.py: seeding, raw float32 files, manifests, ONNX export
and PNG sample grids. Not run directly.
"""
import json
import os
import platform
import random

import numpy as np
import torch


def seed_everything(seed, threads=2):
    """Fixes every random source and the thread count (the build machines have 2 cores)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def write_f32(path, tensor):
    """Writes `tensor` as raw little-endian float32 (row-major); returns its shape as a list."""
    array = tensor.detach().cpu().contiguous().numpy().astype("<f4")
    array.tofile(path)
    return list(array.shape)


def export_onnx(module, example, path, input_names, output_names):
    """Exports `module` (put in eval mode: BatchNorm in inference form) with opset 13 and the
    static shape of `example`. Returns the file size in bytes."""
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example, path, opset_version=13, input_names=input_names,
                          output_names=output_names, do_constant_folding=True)
    return os.path.getsize(path)


def environment():
    """What produced the files: versions and machine."""
    return {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "torch_threads": torch.get_num_threads(),
    }


def write_manifest(path, manifest):
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write("\n")


def save_grid(path, images, rows, low=-1.0, high=1.0):
    """Saves images [N, 1, 28, 28] (values in [low, high]) as one PNG grid. Returns False if
    PIL (Debian's python3-pil) is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return False
    x = images.detach().cpu().clamp(low, high)
    x = ((x - low) / (high - low) * 255.0).round().to(torch.uint8).numpy()[:, 0]
    n, h, w = x.shape
    cols = (n + rows - 1) // rows
    grid = np.zeros((rows * (h + 2) + 2, cols * (w + 2) + 2), dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        grid[2 + r * (h + 2):2 + r * (h + 2) + h, 2 + c * (w + 2):2 + c * (w + 2) + w] = x[i]
    Image.fromarray(grid, mode="L").save(path, optimize=True)
    return True


def file_sizes(directory):
    """{name: bytes} of the files in `directory`."""
    return {name: os.path.getsize(os.path.join(directory, name))
            for name in sorted(os.listdir(directory))
            if os.path.isfile(os.path.join(directory, name))}


def save_train_state(path, state):
    """Writes a full training state (modules, optimizers, step, history, RNG states) for
    `--resume`. Written via a temporary file so an interrupted save keeps the old state."""
    state = dict(state, torch_rng=torch.get_rng_state(), numpy_rng=np.random.get_state(),
                 python_rng=random.getstate())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)


def load_train_state(path):
    """Reads a state written by save_train_state and restores the global RNG states."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--resume: no training state at {path}")
    state = torch.load(path)
    torch.set_rng_state(state["torch_rng"])
    np.random.set_state(state["numpy_rng"])
    random.setstate(state["python_rng"])
    return state
