"""Writes safetensors files by hand (no `safetensors` package): an 8-byte little-endian header
length, a JSON header {name: {dtype, shape, data_offsets}}, padded with spaces to a multiple
of 8, then the raw little-endian data. Used by make_tiny_checkpoints.py and
make_random_checkpoint.py; load() reads them back (modeling.py)."""
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


__all__ = ["write_safetensors", "write_sharded", "random_tensor", "np"]


_LOAD_DTYPES = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64}


def load(path):
    """Returns ({name: tensor}, metadata) from a safetensors file (F32, F16, BF16, I32, I64);
    the reader modeling.py's load_checkpoint uses (same interface as branch text-train's)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = data[base + begin:base + end]
        if entry["dtype"] == "BF16":
            bits = torch.from_numpy(np.frombuffer(raw, dtype="<i2").copy())
            tensors[name] = bits.view(torch.bfloat16).reshape(entry["shape"])
            continue
        np_dtype = np.dtype(_LOAD_DTYPES[entry["dtype"]]).newbyteorder("<")
        array = np.frombuffer(raw, dtype=np_dtype)
        tensors[name] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return tensors, metadata
