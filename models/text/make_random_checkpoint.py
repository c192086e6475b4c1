#!/usr/bin/env python3
"""Random-weight Hugging Face checkpoints in the exact shapes of real models, for benchmarks.

  gpt2-small     GPT-2 Small (124M): 12 layers, n_embd 768, 12 heads, vocab 50257, 1024
                 positions, tied lm_head; F32 like the released checkpoint
  smollm-135m    SmolLM-135M (Llama): hidden 576, 30 layers, 9 heads, 3 KV heads,
                 intermediate 1536, vocab 49152, tied, rope_theta 10000; BF16
  smollm-360m    SmolLM-360M: hidden 960, 32 layers, 15 heads, 5 KV heads, intermediate 2560,
                 otherwise as 135M; BF16

Weights are N(0, 0.02) (norm weights 1, biases 0), so outputs are meaningless: these
checkpoints measure speed and memory only. Written into .data/random/<name>/ by default
(git-ignored); a few hundred MB to 1.4 GB each.

Usage: make_random_checkpoint.py gpt2-small [--out DIR]
"""
import argparse
import json
import os

import torch

from safetensors_io import write_safetensors

CONFIGS = {
    "gpt2-small": ({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50257,
                    "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024, "n_ctx": 1024,
                    "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
                    "bos_token_id": 50256, "eos_token_id": 50256}, torch.float32),
    "smollm-135m": ({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152,
                     "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
                     "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 2048,
                     "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None,
                     "hidden_act": "silu", "tie_word_embeddings": True, "bos_token_id": 0,
                     "eos_token_id": 0}, torch.bfloat16),
    "smollm-360m": ({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152,
                     "hidden_size": 960, "intermediate_size": 2560, "num_hidden_layers": 32,
                     "num_attention_heads": 15, "num_key_value_heads": 5, "max_position_embeddings": 2048,
                     "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None,
                     "hidden_act": "silu", "tie_word_embeddings": True, "bos_token_id": 0,
                     "eos_token_id": 0}, torch.bfloat16),
}


def shapes(cfg):
    """(name, shape, kind) for every tensor; kind: w (random), one (norm weight), zero (bias)."""
    if cfg["model_type"] == "gpt2":
        h, inner = cfg["n_embd"], 4 * cfg["n_embd"]
        out = [("wte.weight", (cfg["vocab_size"], h), "w"), ("wpe.weight", (cfg["n_positions"], h), "w"),
               ("ln_f.weight", (h,), "one"), ("ln_f.bias", (h,), "zero")]
        for l in range(cfg["n_layer"]):
            p = f"h.{l}."
            out += [(p + "ln_1.weight", (h,), "one"), (p + "ln_1.bias", (h,), "zero"),
                    (p + "ln_2.weight", (h,), "one"), (p + "ln_2.bias", (h,), "zero"),
                    (p + "attn.c_attn.weight", (h, 3 * h), "w"), (p + "attn.c_attn.bias", (3 * h,), "zero"),
                    (p + "attn.c_proj.weight", (h, h), "w"), (p + "attn.c_proj.bias", (h,), "zero"),
                    (p + "mlp.c_fc.weight", (h, inner), "w"), (p + "mlp.c_fc.bias", (inner,), "zero"),
                    (p + "mlp.c_proj.weight", (inner, h), "w"), (p + "mlp.c_proj.bias", (h,), "zero")]
        return out
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h // nh
    out = [("model.embed_tokens.weight", (cfg["vocab_size"], h), "w"), ("model.norm.weight", (h,), "one")]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        out += [(p + "input_layernorm.weight", (h,), "one"), (p + "post_attention_layernorm.weight", (h,), "one"),
                (p + "self_attn.q_proj.weight", (nh * d, h), "w"), (p + "self_attn.k_proj.weight", (nkv * d, h), "w"),
                (p + "self_attn.v_proj.weight", (nkv * d, h), "w"), (p + "self_attn.o_proj.weight", (h, nh * d), "w"),
                (p + "mlp.gate_proj.weight", (inter, h), "w"), (p + "mlp.up_proj.weight", (inter, h), "w"),
                (p + "mlp.down_proj.weight", (h, inter), "w")]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(CONFIGS))
    ap.add_argument("--out", default=None, help="directory (default .data/random/<model>)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = args.out or os.path.join(root, ".data", "random", args.model)
    os.makedirs(out, exist_ok=True)
    cfg, dtype = CONFIGS[args.model]
    g = torch.Generator().manual_seed(args.seed)
    tensors = {}
    for name, shape, kind in shapes(cfg):
        if kind == "w":
            t = torch.randn(*shape, generator=g) * 0.02
        elif kind == "one":
            t = torch.ones(*shape)
        else:
            t = torch.zeros(*shape)
        tensors[name] = t.to(dtype)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    write_safetensors(os.path.join(out, "model.safetensors"), tensors, {"format": "pt"})
    params = sum(t.numel() for t in tensors.values())
    print(f"wrote {out}: {params / 1e6:.1f}M parameters")


if __name__ == "__main__":
    main()
