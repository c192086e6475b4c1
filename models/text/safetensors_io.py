"""Writes safetensors files by hand (no `safetensors` package): an 8-byte little-endian header
length, a JSON header {name: {dtype, shape, data_offsets}}, padded with spaces to a multiple
of 8, then the raw little-endian data; and reads them back. Used by make_tiny_checkpoints.py,
make_random_checkpoint.py, train_lm.py and modeling.load_checkpoint."""
import json
import struct

import numpy as np
import torch

_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch tensor (F32, F16 or BF16), written in name order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    names = sorted(tensors)
    for name in names:
        t = tensors[name]
        n = t.numel() * t.element_size()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for name in names:
            f.write(tensor_bytes(tensors[name]))


def write_sharded(directory, tensors, shards):
    """Splits tensors (name order) into `shards` files plus model.safetensors.index.json."""
    names = sorted(tensors)
    per = (len(names) + shards - 1) // shards
    weight_map = {}
    total = 0
    for s in range(shards):
        part = names[s * per:(s + 1) * per]
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        write_safetensors(f"{directory}/{file}", {n: tensors[n] for n in part})
        for n in part:
            weight_map[n] = file
            total += tensors[n].numel() * tensors[n].element_size()
    with open(f"{directory}/model.safetensors.index.json", "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=1)


def random_tensor(shape, std, generator, dtype=torch.float32):
    return (torch.randn(*shape, generator=generator, dtype=torch.float32) * std).to(dtype)


_BY_CODE = {"F32": (torch.float32, "<f4"), "F16": (torch.float16, "<f2"), "BF16": (torch.bfloat16, "<i2")}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of one safetensors file (F32, F16 or BF16)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        dtype, np_dtype = _BY_CODE[entry["dtype"]]
        begin, end = entry["data_offsets"]
        raw = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=np_dtype).copy()
        t = torch.from_numpy(raw)
        tensors[name] = (t.view(torch.bfloat16) if dtype == torch.bfloat16 else t).reshape(entry["shape"])
    return tensors, metadata


__all__ = ["write_safetensors", "write_sharded", "random_tensor", "read_safetensors", "np"]
