"""GPT-2 and Llama decoder-only language models in plain PyTorch, with exactly the parameter
names and the forward pass of transformers' GPT2LMHeadModel and LlamaForCausalLM (Debian has no
python3-transformers). Used to train the committed models, to distil the student, and to compute
the reference logits mint is tested against.

Conventions followed from transformers:
  GPT-2: Conv1D weights are [in, out] (y = x W + b); gelu_new (tanh form); attention scaled by
    1/sqrt(head_dim); LayerNorm eps = layer_norm_epsilon; lm_head tied to wte (not stored).
  Llama: RMSNorm computed in float32 as weight * x * rsqrt(mean(x^2) + eps); RoPE with the
    rotate_half convention (the first and second halves of each head are the pairs), inv_freq =
    theta^(-2i/head_dim); grouped-query attention where query head h reads kv head
    h // (num_attention_heads / num_key_value_heads); SwiGLU MLP down(silu(gate(x)) * up(x));
    tied embeddings when tie_word_embeddings (then lm_head.weight is not stored).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def causal_attention(q, k, v):
    """q [B, H, T, D], k/v [B, H, S, D] with the T queries at the last T of S positions."""
    t, s = q.shape[2], k.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
    scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1) @ v


class Conv1D(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return x @ self.weight + self.bias


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, inner = c["n_embd"], c.get("n_inner") or 4 * c["n_embd"]
        eps = c.get("layer_norm_epsilon", 1e-5)
        self.n_head = c["n_head"]
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = nn.Module()
        self.attn.c_attn = Conv1D(d, 3 * d)
        self.attn.c_proj = Conv1D(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(d, inner)
        self.mlp.c_proj = Conv1D(inner, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(d, dim=2)
        heads = lambda y: y.view(b, t, self.n_head, d // self.n_head).transpose(1, 2)
        a = causal_attention(heads(q), heads(k), heads(v)).transpose(1, 2).reshape(b, t, d)
        x = x + self.attn.c_proj(a)
        return x + self.mlp.c_proj(gelu_new(self.mlp.c_fc(self.ln_2(x))))

    def forward_cached(self, x, past_k, past_v):
        """forward() with a KV cache: past_k/past_v [B, H, P, D] -> (x, present_k, present_v)."""
        b, t, d = x.shape
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(d, dim=2)
        heads = lambda y: y.view(b, t, self.n_head, d // self.n_head).transpose(1, 2)
        k = torch.cat((past_k, heads(k)), dim=2)
        v = torch.cat((past_v, heads(v)), dim=2)
        a = causal_attention(heads(q), k, v).transpose(1, 2).reshape(b, t, d)
        x = x + self.attn.c_proj(a)
        return x + self.mlp.c_proj(gelu_new(self.mlp.c_fc(self.ln_2(x)))), k, v


class GPT2LMHeadModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = config
        self.config = c
        self.transformer = nn.Module()
        self.transformer.wte = nn.Embedding(c["vocab_size"], c["n_embd"])
        self.transformer.wpe = nn.Embedding(c["n_positions"], c["n_embd"])
        self.transformer.h = nn.ModuleList(GPT2Block(c) for _ in range(c["n_layer"]))
        self.transformer.ln_f = nn.LayerNorm(c["n_embd"], eps=c.get("layer_norm_epsilon", 1e-5))
        for emb in (self.transformer.wte, self.transformer.wpe):
            nn.init.normal_(emb.weight, std=0.02)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1])
        x = self.transformer.wte(ids) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        return self.transformer.ln_f(x) @ self.transformer.wte.weight.t()

    def forward_cached(self, ids, past, last_only=True):
        """Decoding with a KV cache (see the cached-decoding note above _head)."""
        p = past[0][0].shape[2]
        pos = torch.arange(p, p + ids.shape[1])
        x = self.transformer.wte(ids) + self.transformer.wpe(pos)
        present = []
        for block, (pk, pv) in zip(self.transformer.h, past):
            x, k, v = block.forward_cached(x, pk, pv)
            present.append((k, v))
        x = self.transformer.ln_f(x[:, -1:] if last_only else x)
        return _head(self, x, self.transformer.wte), present

    def cache_shape(self):
        c = self.config
        return c["n_layer"], c["n_head"], c["n_embd"] // c["n_head"]


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        return self.weight * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, positions, theta):
    """x [B, H, T, D] at `positions` [T]."""
    d = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


class LlamaLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h, self.kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = d // self.h
        self.theta = c.get("rope_theta", 10000.0)
        eps = c.get("rms_norm_eps", 1e-5)
        bias = c.get("attention_bias", False)
        self.input_layernorm = RMSNorm(d, eps)
        self.self_attn = nn.Module()
        self.self_attn.q_proj = nn.Linear(d, self.h * self.hd, bias=bias)
        self.self_attn.k_proj = nn.Linear(d, self.kv * self.hd, bias=bias)
        self.self_attn.v_proj = nn.Linear(d, self.kv * self.hd, bias=bias)
        self.self_attn.o_proj = nn.Linear(self.h * self.hd, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, eps)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(d, c["intermediate_size"], bias=False)
        self.mlp.up_proj = nn.Linear(d, c["intermediate_size"], bias=False)
        self.mlp.down_proj = nn.Linear(c["intermediate_size"], d, bias=False)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, x):
        b, t, _ = x.shape
        a = self.input_layernorm(x)
        sa = self.self_attn
        q = sa.q_proj(a).view(b, t, self.h, self.hd).transpose(1, 2)
        k = sa.k_proj(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = sa.v_proj(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        pos = torch.arange(t)
        q, k = rope(q, pos, self.theta), rope(k, pos, self.theta)
        rep = self.h // self.kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        o = causal_attention(q, k, v).transpose(1, 2).reshape(b, t, self.h * self.hd)
        x = x + sa.o_proj(o)
        m = self.post_attention_layernorm(x)
        return x + self.mlp.down_proj(F.silu(self.mlp.gate_proj(m)) * self.mlp.up_proj(m))

    def forward_cached(self, x, past_k, past_v):
        """forward() with a KV cache of the kv heads (before repetition), [B, KV, P, D]."""
        b, t, _ = x.shape
        a = self.input_layernorm(x)
        sa = self.self_attn
        q = sa.q_proj(a).view(b, t, self.h, self.hd).transpose(1, 2)
        k = sa.k_proj(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = sa.v_proj(a).view(b, t, self.kv, self.hd).transpose(1, 2)
        p = past_k.shape[2]
        pos = torch.arange(p, p + t)
        q, k = rope(q, pos, self.theta), rope(k, pos, self.theta)
        k = torch.cat((past_k, k), dim=2)
        v = torch.cat((past_v, v), dim=2)
        rep = self.h // self.kv
        # repeat_interleave on dim 1, written as expand + reshape (exports to ONNX with dynamic S)
        s = k.shape[2]
        kr = k[:, :, None].expand(b, self.kv, rep, s, self.hd).reshape(b, self.h, s, self.hd)
        vr = v[:, :, None].expand(b, self.kv, rep, s, self.hd).reshape(b, self.h, s, self.hd)
        o = causal_attention(q, kr, vr).transpose(1, 2).reshape(b, t, self.h * self.hd)
        x = x + sa.o_proj(o)
        m = self.post_attention_layernorm(x)
        return x + self.mlp.down_proj(F.silu(self.mlp.gate_proj(m)) * self.mlp.up_proj(m)), k, v


class LlamaForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = config
        self.config = c
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        nn.init.normal_(self.model.embed_tokens.weight, std=0.02)
        self.model.layers = nn.ModuleList(LlamaLayer(c) for _ in range(c["num_hidden_layers"]))
        self.model.norm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-5))
        if not c.get("tie_word_embeddings", False):
            self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def forward(self, ids):
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x)
        x = self.model.norm(x)
        head = self.model.embed_tokens.weight if self.config.get("tie_word_embeddings") else self.lm_head.weight
        return x @ head.t()

    def forward_cached(self, ids, past, last_only=True):
        """Decoding with a KV cache (see the cached-decoding note above _head)."""
        x = self.model.embed_tokens(ids)
        present = []
        for layer, (pk, pv) in zip(self.model.layers, past):
            x, k, v = layer.forward_cached(x, pk, pv)
            present.append((k, v))
        x = self.model.norm(x[:, -1:] if last_only else x)
        return _head(self, x, self.model.embed_tokens), present

    def cache_shape(self):
        c = self.config
        return c["num_hidden_layers"], c["num_key_value_heads"], c["hidden_size"] // c["num_attention_heads"]


# Cached decoding (forward_cached; forward() above is the no-cache reference and is unchanged):
#   logits, present = model.forward_cached(ids [B, T], past, last_only=True)
# past is one (key, value) pair per layer, each [B, kv_heads, P, head_dim] (P may be 0, see
# empty_cache); the T new tokens sit at positions P..P+T-1; present holds the pairs extended to
# P+T. logits are [B, 1, V] for the last position (last_only) or [B, T, V]. Keys are stored after
# RoPE (Llama), as transformers does. The tied output projection is x @ embedding.T unless a
# module `lm_head` exists (benchmarks attach an nn.Linear sharing the embedding so that
# torch.quantization.quantize_dynamic reaches it).


def _head(model, x, embedding):
    head = getattr(model, "lm_head", None)
    return head(x) if head is not None else x @ embedding.weight.t()


def empty_cache(model, batch=1):
    layers, kv_heads, head_dim = model.cache_shape()
    return [(torch.zeros(batch, kv_heads, 0, head_dim), torch.zeros(batch, kv_heads, 0, head_dim))
            for _ in range(layers)]


ARCHITECTURES = {"GPT2LMHeadModel": GPT2LMHeadModel, "LlamaForCausalLM": LlamaForCausalLM}


def build(config):
    return ARCHITECTURES[config["architectures"][0]](config)


def state_for_checkpoint(model):
    """The parameters under their transformers names, tied weights stored once."""
    return {name: p.detach() for name, p in model.named_parameters()}


def load_checkpoint(directory):
    """Builds the model of DIR/config.json and loads DIR/model.safetensors (weights upcast to f32)."""
    import json
    import os

    from safetensors_io import read_safetensors

    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    model = build(config)
    tensors, _ = read_safetensors(os.path.join(directory, "model.safetensors"))
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    return model.eval(), config
