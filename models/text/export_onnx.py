"""Exports GPT-2 Small / SmolLM-135M shaped models (random weights, or a checkpoint directory) to
ONNX graphs with a KV cache, in FP32, int8 (dynamic activation quantization) and 4-bit
(com.microsoft MatMulNBits), for the ONNX Runtime decode baseline (benchmarks/text/).

Graph interface (every variant):
  inputs   input_ids int64 [1, T]; past_key_values.{i}.key / .value float [1, kv_heads, P, head_dim]
           for each layer i (P = 0 for the prompt); positions are P..P+T-1 (derived from P)
  outputs  logits float [1, 1, vocab] (last position only); present.{i}.key / .value
           [1, kv_heads, P+T, head_dim] (keys after RoPE for Llama)
Variants, rewritten from the FP32 graph with the onnx python API; every MatMul whose B is a
constant [K, N] matrix is replaced, the tied output projection included:
  int8  DynamicQuantizeLinear(A) -> uint8 A_q, a_scale, a_zp (one per distinct A);
        MatMulInteger(A_q, W_q, a_zp) with W_q int8 symmetric per output channel (zero point 0,
        scale_n = max_k |W[k, n]| / 127); Cast to float; Mul by a_scale * scale[N]. (The
        pattern ORT's own quantize_dynamic writes; ORT fuses it to DynamicQuantizeMatMul.)
  int4  MatMulNBits (domain com.microsoft) K, N, bits=4, block_size=32: per output channel n
        and block b of 32 along K, scale = max |w| / 7, q = clip(round(w / scale), -8, 7) + 8;
        B uint8 [N, K/32, 16] with element 2j in the low nibble of byte j and 2j+1 in the high
        one; scales float [N * K/32] (n-major); no zero_points input (the default 8).
Also written: meta.json (shapes, names), reference.bin (torch logits of a seeded 128-token prompt
and 4 greedy decode steps, read by benchmarks/text/ort_check.js), reference_int4.bin (the same
with every int4-quantized weight replaced by its int4 round trip: what the int4 graph must
reproduce up to float rounding) and, with --selftest, one-node
int8 / int4 graphs with numpy expected outputs that check the quantized-weight layouts alone.

Usage (/usr/bin/python3, Debian's torch 1.13 + python3-onnx):
  nice -n 10 /usr/bin/python3 models/text/export_onnx.py --model gpt2 [--checkpoint DIR]
  -> .data/text/onnx/gpt2/{fp32,int8,int4}.onnx, meta.json, reference.bin
  ... --model gpt2 --write-checkpoint DIR   the same weights as DIR/config.json + model.safetensors
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modeling  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFIGS = {
    "gpt2": dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=50257, n_embd=768,
                 n_layer=12, n_head=12, n_positions=1024, layer_norm_epsilon=1e-5),
    "smollm-135m": dict(architectures=["LlamaForCausalLM"], model_type="llama", vocab_size=49152,
                        hidden_size=576, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                        intermediate_size=1536, tie_word_embeddings=True, rope_theta=10000.0,
                        rms_norm_eps=1e-5, max_position_embeddings=2048),
    # tiny shapes for quick checks of the export and the scripts
    "tiny-gpt2": dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=500, n_embd=64,
                      n_layer=2, n_head=4, n_positions=256, layer_norm_epsilon=1e-5),
    "tiny-llama": dict(architectures=["LlamaForCausalLM"], model_type="llama", vocab_size=500, hidden_size=64,
                       num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, intermediate_size=128,
                       tie_word_embeddings=True, rope_theta=10000.0, rms_norm_eps=1e-5,
                       max_position_embeddings=256),
}
PROMPT_LEN = 128
REF_DECODE = 4
BLOCK = 32


class CachedExport(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, present = self.model.forward_cached(input_ids, past, last_only=True)
        return (logits,) + tuple(t for kv in present for t in kv)


def io_names(layers):
    past = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    present = [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    return past, present


def export_fp32(model, path, opset):
    layers, kv, hd = model.cache_shape()
    past_names, present_names = io_names(layers)
    ids = torch.zeros(1, 5, dtype=torch.int64)
    past = tuple(torch.zeros(1, kv, 3, hd) for _ in past_names)
    axes = {"input_ids": {1: "sequence"}}
    axes.update({n: {2: "past_sequence"} for n in past_names})
    axes.update({n: {2: "total_sequence"} for n in present_names})
    with torch.no_grad():
        torch.onnx.export(CachedExport(model), (ids,) + past, path, opset_version=opset,
                          input_names=["input_ids"] + past_names, output_names=["logits"] + present_names,
                          dynamic_axes=axes, do_constant_folding=True)


def const_matmuls(graph):
    inits = {t.name: t for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits and len(inits[node.input[1]].dims) == 2:
            yield node, inits[node.input[1]]


def quantize_int8_weight(w):
    """w [K, N] f32 -> (int8 [K, N], scale f32 [N]); symmetric per output channel."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def quantize_int4_weight(w, block=BLOCK):
    """w [K, N] f32 -> (uint8 [N, K/block, block/2], scales f32 [N * K/block]) as MatMulNBits reads."""
    k, n = w.shape
    assert k % block == 0, f"K={k} is not a multiple of block_size {block}"
    wt = w.T.reshape(n, k // block, block)
    scale = np.abs(wt).max(axis=2) / 7.0
    scale[scale == 0] = 1.0
    q = (np.clip(np.rint(wt / scale[:, :, None]), -8, 7) + 8).astype(np.uint8)
    packed = q[:, :, 0::2] | (q[:, :, 1::2] << 4)
    return packed.astype(np.uint8), scale.astype(np.float32).reshape(-1)


def dequantize_int4(packed, scales, k):
    n, nb, _ = packed.shape
    q = np.empty((n, nb, 2 * packed.shape[2]), np.float32)
    q[:, :, 0::2] = packed & 15
    q[:, :, 1::2] = packed >> 4
    return ((q - 8) * scales.reshape(n, nb, 1)).reshape(n, k).T


def rewrite(model_proto, variant):
    """Replaces each constant-weight MatMul in place by its int8 or int4 form; returns the count."""
    g = model_proto.graph
    inits = {t.name: t for t in g.initializer}
    targets = list(const_matmuls(g))
    new_nodes, dql = {}, {}
    for idx, (node, w_init) in enumerate(targets):
        w = numpy_helper.to_array(w_init).astype(np.float32)
        a, y, p = node.input[0], node.output[0], f"q{idx}"
        nodes = []
        if variant == "int8":
            if a not in dql:
                dql[a] = (f"{p}_aq", f"{p}_as", f"{p}_az")
                nodes.append(helper.make_node("DynamicQuantizeLinear", [a], list(dql[a]), name=f"{p}_dql"))
            aq, ascale, azp = dql[a]
            q, s = quantize_int8_weight(w)
            g.initializer.extend([numpy_helper.from_array(q, f"{p}_wq"), numpy_helper.from_array(s, f"{p}_ws")])
            nodes += [helper.make_node("MatMulInteger", [aq, f"{p}_wq", azp], [f"{p}_mi"], name=f"{p}_mmi"),
                      helper.make_node("Cast", [f"{p}_mi"], [f"{p}_mf"], to=TensorProto.FLOAT, name=f"{p}_cast"),
                      helper.make_node("Mul", [ascale, f"{p}_ws"], [f"{p}_sc"], name=f"{p}_scale"),
                      helper.make_node("Mul", [f"{p}_mf", f"{p}_sc"], [y], name=f"{p}_deq")]
        else:
            k, n = w.shape
            packed, s = quantize_int4_weight(w)
            g.initializer.extend([numpy_helper.from_array(packed, f"{p}_wq"),
                                  numpy_helper.from_array(s, f"{p}_ws")])
            nodes.append(helper.make_node("MatMulNBits", [a, f"{p}_wq", f"{p}_ws"], [y], name=f"{p}_mnb",
                                          domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK))
        new_nodes[id(node)] = nodes
    order = list(g.node)
    del g.node[:]
    for node in order:
        g.node.extend(new_nodes.get(id(node), [node]))
    used = {i for node in g.node for i in node.input}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    if variant == "int4" and not any(o.domain == "com.microsoft" for o in model_proto.opset_import):
        model_proto.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(targets)


def fake_quantize_int4(model):
    """Replaces, in place, every weight the int4 graph quantizes (Conv1D / nn.Linear weights and
    the output projection) by its int4 round trip; the embedding Gather keeps FP32 weights, as
    in the graph. The ONNX int4 graph must then match this model up to float rounding."""
    def rt(w_kn):
        k = w_kn.shape[0]
        packed, s = quantize_int4_weight(w_kn.detach().numpy().astype(np.float32))
        return torch.from_numpy(np.ascontiguousarray(dequantize_int4(packed, s, k)))
    with torch.no_grad():
        for module in list(model.modules()):
            if isinstance(module, modeling.Conv1D):
                module.weight.copy_(rt(module.weight))
            elif isinstance(module, torch.nn.Linear):
                module.weight.copy_(rt(module.weight.t()).t())
        if getattr(model, "lm_head", None) is None:
            emb = model.transformer.wte if hasattr(model, "transformer") else model.model.embed_tokens
            model.lm_head = torch.nn.Linear(emb.weight.shape[1], emb.weight.shape[0], bias=False)
            model.lm_head.weight.copy_(rt(emb.weight.t()).t())
    return model


def write_reference(model, path, seed, tokens=None):
    """reference.bin: u32 n_prompt, u32 n_steps, u32 vocab, then int64 prompt ids [n_prompt],
    int64 greedy tokens [n_steps], f32 logits [n_steps + 1, vocab] (prompt's last position, then
    each decode step fed the previous greedy token, or `tokens` when given). Returns the tokens."""
    vocab = model.config["vocab_size"]
    g = torch.Generator().manual_seed(seed + 1)
    prompt = torch.randint(0, vocab, (1, PROMPT_LEN), generator=g)
    rows, fed = [], []
    with torch.no_grad():
        logits, past = model.forward_cached(prompt, modeling.empty_cache(model))
        if tokens is None:
            full = model(prompt)[:, -1]
            err = (full - logits[:, 0]).abs().max().item()
            assert err < 1e-4, f"cached prefill disagrees with forward(): {err}"
        rows.append(logits[0, 0])
        for i in range(REF_DECODE):
            tok = int(logits[0, -1].argmax()) if tokens is None else tokens[i]
            fed.append(tok)
            logits, past = model.forward_cached(torch.tensor([[tok]]), past)
            rows.append(logits[0, 0])
    tokens = fed
    with open(path, "wb") as f:
        f.write(struct.pack("<III", PROMPT_LEN, REF_DECODE, vocab))
        f.write(prompt.numpy().astype("<i8").tobytes())
        f.write(np.array(tokens, "<i8").tobytes())
        f.write(torch.stack(rows).numpy().astype("<f4").tobytes())
    return tokens


def write_references(model, out, seed):
    """reference.bin (the model) and reference_int4.bin (fake_quantize_int4 of it, fed the same
    tokens), for benchmarks/text/ort_check.js."""
    tokens = write_reference(model, os.path.join(out, "reference.bin"), seed)
    write_reference(fake_quantize_int4(model), os.path.join(out, "reference_int4.bin"), seed, tokens)


def selftest_graphs(out, seed):
    """Tiny one-node graphs (K=64, N=40) with numpy expected outputs: checks the int8 and int4
    weight layouts against ORT without the rest of a model. Writes selftest_{int8,int4}.onnx and
    selftest.json {A, expected_int8, expected_int4, shape}."""
    rng = np.random.default_rng(seed)
    m, k, n = 3, 64, 40
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) * 0.05).astype(np.float32)
    expected = {}
    for variant in ("int8", "int4"):
        w_name = "W"
        graph = helper.make_graph([helper.make_node("MatMul", ["A", w_name], ["Y"])], "selftest",
                                  [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
                                  [numpy_helper.from_array(w, w_name)])
        proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
        rewrite(proto, variant)
        onnx.checker.check_model(proto)
        onnx.save(proto, os.path.join(out, f"selftest_{variant}.onnx"))
        if variant == "int8":
            lo, hi = min(0.0, a.min()), max(0.0, a.max())
            a_scale = np.float32((hi - lo) / 255.0)
            a_zp = np.clip(np.rint(-lo / a_scale), 0, 255)
            aq = np.clip(np.rint(a / a_scale) + a_zp, 0, 255)
            wq, ws = quantize_int8_weight(w)
            y = ((aq - a_zp) @ wq.astype(np.float64)) * (a_scale * ws)
        else:
            packed, s = quantize_int4_weight(w)
            y = a.astype(np.float64) @ dequantize_int4(packed, s, k)
        expected[variant] = y.astype(np.float32).reshape(-1).tolist()
    with open(os.path.join(out, "selftest.json"), "w") as f:
        json.dump({"A": a.reshape(-1).tolist(), "shape": [m, k, n], "expected_int8": expected["int8"],
                   "expected_int4": expected["int4"]}, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(CONFIGS), required=True)
    ap.add_argument("--checkpoint", help="directory with config.json + model.safetensors (else random)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="output directory (default .data/text/onnx/MODEL)")
    ap.add_argument("--variants", default="fp32,int8,int4")
    ap.add_argument("--opset", type=int, default=14)
    ap.add_argument("--selftest", action="store_true", help="also write the one-node layout checks")
    ap.add_argument("--reference-only", action="store_true",
                    help="only (re)write reference.bin / reference_int4.bin (no export)")
    ap.add_argument("--write-checkpoint", metavar="DIR",
                    help="only write the model as a checkpoint directory (config.json + F32 "
                         "model.safetensors, transformers' names; no export): the weights of the "
                         "graphs for other runtimes (benchmarks/text/run.py gives it to mint)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = args.out or os.path.join(ROOT, ".data", "text", "onnx", args.model)
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    if args.checkpoint:
        model, config = modeling.load_checkpoint(args.checkpoint)
        source = os.path.abspath(args.checkpoint)
    else:
        torch.manual_seed(args.seed)
        config = CONFIGS[args.model]
        model = modeling.build(config).eval()
        source = f"random seed {args.seed}"
    layers, kv, hd = model.cache_shape()
    if args.reference_only:
        write_references(model, out, args.seed)
        return
    if args.write_checkpoint:
        from safetensors_io import write_safetensors
        os.makedirs(args.write_checkpoint, exist_ok=True)
        with open(os.path.join(args.write_checkpoint, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        write_safetensors(os.path.join(args.write_checkpoint, "model.safetensors"),
                          {k: v.contiguous() for k, v in modeling.state_for_checkpoint(model).items()},
                          {"format": "pt", "source": source})
        print(f"wrote {args.write_checkpoint} ({source})")
        return
    fp32 = os.path.join(out, "fp32.onnx")
    export_fp32(model, fp32, args.opset)
    print(f"{fp32}: {os.path.getsize(fp32) / 1e6:.0f} MB ({time.time() - t0:.0f} s)", flush=True)
    write_references(model, out, args.seed)
    variants = [v for v in args.variants.split(",") if v != "fp32"]
    del model
    for variant in variants:
        proto = onnx.load(fp32)
        count = rewrite(proto, variant)
        path = os.path.join(out, f"{variant}.onnx")
        onnx.save(proto, path)
        del proto
        print(f"{path}: {count} MatMuls rewritten, {os.path.getsize(path) / 1e6:.0f} MB", flush=True)
    if args.selftest:
        selftest_graphs(out, args.seed)
    past_names, present_names = io_names(layers)
    meta = dict(model=args.model, source=source, config=config, layers=layers, kv_heads=kv, head_dim=hd,
                vocab=config["vocab_size"], inputs=["input_ids"] + past_names,
                outputs=["logits"] + present_names, variants=["fp32"] + variants, opset=args.opset,
                int4_block_size=BLOCK)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"done in {time.time() - t0:.0f} s -> {out}")


if __name__ == "__main__":
    main()
