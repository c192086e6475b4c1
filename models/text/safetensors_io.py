"""The safetensors file format, written and read by hand (Debian has no python3-safetensors).

Layout (https://github.com/huggingface/safetensors, "Format"):
    u64 little-endian N | N bytes of JSON header | data
The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end)} with
offsets relative to the start of the data; "__metadata__" maps strings to strings. The header
is padded with spaces so that the data starts at an 8-byte boundary. Tensors are written in
name order, densely, little-endian, row-major.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {
    torch.float32: ("F32", np.float32),
    torch.float16: ("F16", np.float16),
    torch.int32: ("I32", np.int32),
    torch.int64: ("I64", np.int64),
}
_BY_NAME = {name: (dtype, np_dtype) for dtype, (name, np_dtype) in _DTYPES.items()}


def save(path, tensors, metadata=None):
    """Writes {name: tensor} to `path`. BF16 is not written (numpy has no bfloat16)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in _DTYPES:
            raise ValueError(f"{name}: dtype {t.dtype} not supported")
        code, np_dtype = _DTYPES[t.dtype]
        blob = t.numpy().astype(np.dtype(np_dtype).newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load(path):
    """Returns ({name: tensor}, metadata) from a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        dtype, np_dtype = _BY_NAME[entry["dtype"]]
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype=np.dtype(np_dtype).newbyteorder("<"))
        tensors[name] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return tensors, metadata
