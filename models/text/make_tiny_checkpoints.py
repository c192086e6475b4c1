#!/usr/bin/env python3
"""Tiny random Hugging Face checkpoints and reference outputs for mint's HF importer tests.

Writes, under --out, one directory per model (config.json + model.safetensors, or shards with
model.safetensors.index.json) and reference.json with a prompt, 32 greedy tokens and the logits
at every position from the last prompt token on. References come from plain-PyTorch
reimplementations of transformers' forward passes (modeling_gpt2.py, modeling_llama.py,
modeling_qwen2.py, modeling_phi3.py), run in float64 on the stored (rounded) weights over the
whole sequence without a cache, so they are independent of mint's KV-cache path.

  gpt2   GPT2LMHeadModel, Conv1D weights [in, out], tied lm_head, gelu_new       (F32)
  llama  LlamaForCausalLM, grouped-query attention (4 heads, 2 KV heads), untied (F16)
  qwen2  Qwen2ForCausalLM, q/k/v biases, tied, rope_theta 1e6, 2 shards          (F32)
  phi3   Phi3ForCausalLM, fused qkv_proj and gate_up_proj, GQA                   (BF16)

Usage: make_tiny_checkpoints.py --out DIR   (takes a few seconds, needs torch)
"""
import argparse
import json
import math
import os

import torch

from safetensors_io import random_tensor, write_safetensors, write_sharded

PROMPT_LEN = 20
GREEDY = 32


# ---- reference forward passes (float64, no cache) ----------------------------------------------

def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def causal_attention(q, k, v):
    """q [T, H, D], k/v [T, Hkv, D] -> [T, H*D]; head h uses KV head h // (H / Hkv)."""
    t, h, d = q.shape
    rep = h // k.shape[1]
    k = k.repeat_interleave(rep, dim=1)
    v = v.repeat_interleave(rep, dim=1)
    s = torch.einsum("thd,shd->hts", q, k) / math.sqrt(d)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
    s = s.masked_fill(mask, float("-inf"))
    w = torch.softmax(s, dim=-1)
    return torch.einsum("hts,shd->thd", w, v).reshape(t, h * d)


def rope(x, positions, theta, rotary_dim):
    """rotate_half convention on the first rotary_dim features; x [T, H, D]."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, rotary_dim, 2, dtype=torch.float64) / rotary_dim))
    freqs = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    xr, xp = x[..., :rotary_dim], x[..., rotary_dim:]
    half = rotary_dim // 2
    rotated = torch.cat([-xr[..., half:], xr[..., :half]], dim=-1)
    return torch.cat([xr * cos + rotated * sin, xp], dim=-1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gpt2_forward(cfg, w, ids):
    t = len(ids)
    h_dim, nh = cfg["n_embd"], cfg["n_head"]
    pos = torch.arange(t)
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][pos]
    for l in range(cfg["n_layer"]):
        p = f"transformer.h.{l}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], cfg["layer_norm_epsilon"])
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(h_dim, dim=-1)
        shape = (t, nh, h_dim // nh)
        a = causal_attention(q.reshape(shape), k.reshape(shape), v.reshape(shape))
        x = x + a @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], cfg["layer_norm_epsilon"])
        m = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], cfg["layer_norm_epsilon"])
    return x @ w["transformer.wte.weight"].T


def llama_forward(cfg, w, ids):
    """Llama / Mistral / Qwen2 / Phi-3."""
    t = len(ids)
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg["hidden_size"] // nh
    rot = int(d * cfg.get("partial_rotary_factor", 1.0))
    eps, theta = cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
    inter = cfg["intermediate_size"]
    pos = torch.arange(t)
    x = w["model.embed_tokens.weight"][ids]

    def lin(h, name, bias=False):
        y = h @ w[name + ".weight"].T
        return y + w[name + ".bias"] if bias else y

    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        if cfg["model_type"] == "phi3":
            qkv = lin(h, p + "self_attn.qkv_proj")
            q, k, v = qkv.split([nh * d, nkv * d, nkv * d], dim=-1)
        else:
            bias = cfg["model_type"] == "qwen2"
            q = lin(h, p + "self_attn.q_proj", bias)
            k = lin(h, p + "self_attn.k_proj", bias)
            v = lin(h, p + "self_attn.v_proj", bias)
        q = rope(q.reshape(t, nh, d), pos, theta, rot)
        k = rope(k.reshape(t, nkv, d), pos, theta, rot)
        a = causal_attention(q, k, v.reshape(t, nkv, d))
        x = x + lin(a, p + "self_attn.o_proj")
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        if cfg["model_type"] == "phi3":
            gate, up = lin(h, p + "mlp.gate_up_proj").split(inter, dim=-1)
        else:
            gate, up = lin(h, p + "mlp.gate_proj"), lin(h, p + "mlp.up_proj")
        x = x + lin(torch.nn.functional.silu(gate) * up, p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return x @ head.T


# ---- checkpoints ---------------------------------------------------------------------------------

def gpt2_weights(cfg, g, dtype):
    h, v, n, inner = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], 4 * cfg["n_embd"]
    w = {"transformer.wte.weight": random_tensor((v, h), 0.3, g, dtype),
         "transformer.wpe.weight": random_tensor((n, h), 0.1, g, dtype),
         "transformer.ln_f.weight": 1 + random_tensor((h,), 0.1, g, dtype),
         "transformer.ln_f.bias": random_tensor((h,), 0.1, g, dtype)}
    for l in range(cfg["n_layer"]):
        p = f"transformer.h.{l}."
        for ln in ("ln_1", "ln_2"):
            w[p + ln + ".weight"] = 1 + random_tensor((h,), 0.1, g, dtype)
            w[p + ln + ".bias"] = random_tensor((h,), 0.1, g, dtype)
        w[p + "attn.c_attn.weight"] = random_tensor((h, 3 * h), 0.3, g, dtype)
        w[p + "attn.c_attn.bias"] = random_tensor((3 * h,), 0.1, g, dtype)
        w[p + "attn.c_proj.weight"] = random_tensor((h, h), 0.15, g, dtype)
        w[p + "attn.c_proj.bias"] = random_tensor((h,), 0.1, g, dtype)
        w[p + "mlp.c_fc.weight"] = random_tensor((h, inner), 0.2, g, dtype)
        w[p + "mlp.c_fc.bias"] = random_tensor((inner,), 0.1, g, dtype)
        w[p + "mlp.c_proj.weight"] = random_tensor((inner, h), 0.1, g, dtype)
        w[p + "mlp.c_proj.bias"] = random_tensor((h,), 0.1, g, dtype)
    # The original checkpoints also carry attention-mask buffers; the importer ignores them.
    w["transformer.h.0.attn.masked_bias"] = torch.tensor([-1e4], dtype=torch.float32)
    return w


def llama_weights(cfg, g, dtype):
    h, v, inter = cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = h // nh
    phi3, qwen2 = cfg["model_type"] == "phi3", cfg["model_type"] == "qwen2"
    w = {"model.embed_tokens.weight": random_tensor((v, h), 0.5, g, dtype),
         "model.norm.weight": 1 + random_tensor((h,), 0.1, g, dtype)}
    if not cfg.get("tie_word_embeddings", False):
        w["lm_head.weight"] = random_tensor((v, h), 0.2, g, dtype)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        w[p + "input_layernorm.weight"] = 1 + random_tensor((h,), 0.1, g, dtype)
        w[p + "post_attention_layernorm.weight"] = 1 + random_tensor((h,), 0.1, g, dtype)
        if phi3:
            w[p + "self_attn.qkv_proj.weight"] = random_tensor(((nh + 2 * nkv) * d, h), 0.3, g, dtype)
            w[p + "mlp.gate_up_proj.weight"] = random_tensor((2 * inter, h), 0.2, g, dtype)
        else:
            w[p + "self_attn.q_proj.weight"] = random_tensor((nh * d, h), 0.3, g, dtype)
            w[p + "self_attn.k_proj.weight"] = random_tensor((nkv * d, h), 0.3, g, dtype)
            w[p + "self_attn.v_proj.weight"] = random_tensor((nkv * d, h), 0.3, g, dtype)
            if qwen2:
                w[p + "self_attn.q_proj.bias"] = random_tensor((nh * d,), 0.1, g, dtype)
                w[p + "self_attn.k_proj.bias"] = random_tensor((nkv * d,), 0.1, g, dtype)
                w[p + "self_attn.v_proj.bias"] = random_tensor((nkv * d,), 0.1, g, dtype)
            w[p + "mlp.gate_proj.weight"] = random_tensor((inter, h), 0.2, g, dtype)
            w[p + "mlp.up_proj.weight"] = random_tensor((inter, h), 0.2, g, dtype)
        w[p + "self_attn.o_proj.weight"] = random_tensor((h, nh * d), 0.15, g, dtype)
        w[p + "mlp.down_proj.weight"] = random_tensor((h, inter), 0.1, g, dtype)
    return w


MODELS = {
    "gpt2": dict(dtype=torch.float32, shards=1, config={
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 96, "n_embd": 32,
        "n_layer": 2, "n_head": 4, "n_positions": 64, "n_inner": None,
        "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "bos_token_id": 95,
        "eos_token_id": 95}),
    "llama": dict(dtype=torch.float16, shards=1, config={
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 100,
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "hidden_act": "silu",
        "tie_word_embeddings": False, "attention_bias": False, "bos_token_id": 1,
        "eos_token_id": 2}),
    "qwen2": dict(dtype=torch.float32, shards=2, config={
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 100,
        "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 3,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
        "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "hidden_act": "silu",
        "tie_word_embeddings": True, "use_sliding_window": False, "eos_token_id": [3, 4]}),
    "phi3": dict(dtype=torch.bfloat16, shards=1, config={
        "architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "vocab_size": 100,
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "hidden_act": "silu",
        "tie_word_embeddings": False, "sliding_window": 64, "bos_token_id": 1, "eos_token_id": 32000}),
}


def make(name, spec, out, seed):
    cfg = spec["config"]
    g = torch.Generator().manual_seed(seed)
    weights = (gpt2_weights if cfg["model_type"] == "gpt2" else llama_weights)(cfg, g, spec["dtype"])
    directory = os.path.join(out, name)
    os.makedirs(directory, exist_ok=True)
    for f in os.listdir(directory):
        os.remove(os.path.join(directory, f))
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    if spec["shards"] > 1:
        write_sharded(directory, weights, spec["shards"])
    else:
        write_safetensors(os.path.join(directory, "model.safetensors"), weights, {"format": "pt"})

    w64 = {k: v.to(torch.float64) for k, v in weights.items()}
    forward = gpt2_forward if cfg["model_type"] == "gpt2" else llama_forward
    vocab = cfg["vocab_size"]
    prompt = torch.randint(0, vocab, (PROMPT_LEN,), generator=g).tolist()
    ids = list(prompt)
    logits_rows, greedy = [], []
    with torch.no_grad():
        for _ in range(GREEDY):
            logits = forward(cfg, w64, torch.tensor(ids))
            logits_rows.append(logits[-1].tolist())
            nxt = int(torch.argmax(logits[-1]))
            greedy.append(nxt)
            ids.append(nxt)
        logits_rows.append(forward(cfg, w64, torch.tensor(ids))[-1].tolist())
    ref = {"prompt": prompt, "greedy": greedy,
           "logits_from_position": PROMPT_LEN - 1, "logits": logits_rows}
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump(ref, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for i, (name, spec) in enumerate(MODELS.items()):
        make(name, spec, args.out, 1234 + i)
    print(f"wrote {', '.join(MODELS)} under {args.out}")


if __name__ == "__main__":
    main()
