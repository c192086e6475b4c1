#!/usr/bin/env python3
"""Copies a checkpoint directory with the output-projection inputs of some attention heads set to
zero, for mint's head-pruning tests (tests/text/prune_heads_test.cc): the copy computes exactly
what the model computes with those heads removed.

  zero_heads.py SRC DST --heads "0:2;1:0,3"      (layer:heads;... query-head indices)

GPT-2 (Conv1D c_proj.weight [in, out]): rows h*D..(h+1)*D; Llama family (o_proj.weight
[hidden, heads*D]): those columns. Other files are copied as they are.
"""
import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "models", "text"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--heads", required=True)
    args = ap.parse_args()
    with open(os.path.join(args.src, "config.json")) as f:
        cfg = json.load(f)
    gpt2 = cfg["model_type"] == "gpt2"
    heads = cfg["n_head"] if gpt2 else cfg["num_attention_heads"]
    hidden = cfg["n_embd"] if gpt2 else cfg["hidden_size"]
    d = cfg.get("head_dim") or hidden // heads
    os.makedirs(args.dst, exist_ok=True)
    for name in os.listdir(args.src):
        if name != "model.safetensors":
            shutil.copyfile(os.path.join(args.src, name), os.path.join(args.dst, name))
    tensors, metadata = read_safetensors(os.path.join(args.src, "model.safetensors"))
    for part in args.heads.split(";"):
        layer, hs = part.split(":")
        for h in (int(x) for x in hs.split(",") if x):
            if gpt2:
                key = next(k for k in tensors if k.endswith(f"h.{layer}.attn.c_proj.weight"))
                tensors[key][h * d:(h + 1) * d, :] = 0
            else:
                tensors[f"model.layers.{layer}.self_attn.o_proj.weight"][:, h * d:(h + 1) * d] = 0
    write_safetensors(os.path.join(args.dst, "model.safetensors"), tensors, metadata)


if __name__ == "__main__":
    main()
