"""PyTorch decode baseline: the models of models/text/modeling.py (forward_cached, KV cache) with
the same random weights as models/text/export_onnx.py (same seed) or a checkpoint directory,
prefilling the same 128-token prompt and decoding --decode tokens greedily. Variants:
  fp32  the model as built
  int8  torch.quantization.quantize_dynamic(nn.Linear -> dynamic int8); GPT-2's Conv1D layers
        are first swapped for equivalent nn.Linear modules and the tied output projection gets an
        nn.Linear sharing the embedding, so that every matmul the ONNX int8 graph quantizes is
        quantized here too (quantized engine: onednn, else qnnpack; reported)
Per variant and thread count (torch.set_num_threads): one warm-up, then --runs runs; reports the
median / min / max of prefill_tok_s, ttft_ms (prefill + argmax), decode_tok_s and the process
CPU time per token (prefill_cpu_ms_per_tok, decode_cpu_ms_per_tok; less sensitive than wall time
to other load on a shared machine), plus the int8
variant's relative logit error vs fp32 on the prompt's last position.
Usage: /usr/bin/python3 benchmarks/text/torch_decode.py --model gpt2 [--checkpoint DIR]
         [--variants fp32,int8] [--threads 1,2] [--decode 32] [--runs 3] [--json]
"""
import argparse
import copy
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models", "text"))
import modeling  # noqa: E402
from export_onnx import CONFIGS, PROMPT_LEN  # noqa: E402


def prompt_ids(vocab, seed):
    """The prompt of export_onnx.write_reference (same generator and seed)."""
    return torch.randint(0, vocab, (1, PROMPT_LEN), generator=torch.Generator().manual_seed(seed + 1))


def linearize(model):
    """Returns a copy whose Conv1D layers are nn.Linear and whose tied head is an nn.Linear."""
    model = copy.deepcopy(model)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, modeling.Conv1D):
                lin = nn.Linear(child.weight.shape[0], child.weight.shape[1])
                lin.weight.data = child.weight.data.t().contiguous()
                lin.bias.data = child.bias.data.clone()
                setattr(module, name, lin)
    if getattr(model, "lm_head", None) is None:
        emb = model.transformer.wte if hasattr(model, "transformer") else model.model.embed_tokens
        model.lm_head = nn.Linear(emb.weight.shape[1], emb.weight.shape[0], bias=False)
        model.lm_head.weight = emb.weight
    return model


def quantized_engine():
    for engine in ("onednn", "x86", "fbgemm", "qnnpack"):
        if engine in torch.backends.quantized.supported_engines:
            return engine
    raise RuntimeError("no quantized engine in this torch")


def generate(model, prompt, n_decode):
    with torch.no_grad():
        t0, c0 = time.perf_counter(), time.process_time()
        logits, past = model.forward_cached(prompt, modeling.empty_cache(model))
        tok = int(logits[0, -1].argmax())
        t1, c1 = time.perf_counter(), time.process_time()
        tokens = [tok]
        for _ in range(n_decode):
            logits, past = model.forward_cached(torch.tensor([[tok]]), past)
            tok = int(logits[0, -1].argmax())
            tokens.append(tok)
        t2, c2 = time.perf_counter(), time.process_time()
    return t1 - t0, t2 - t1, tokens, c1 - c0, c2 - c1


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(CONFIGS), required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variants", default="fp32,int8")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--decode", type=int, default=32)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.checkpoint:
        base, config = modeling.load_checkpoint(args.checkpoint)
    else:
        torch.manual_seed(args.seed)
        config = CONFIGS[args.model]
        base = modeling.build(config).eval()
    prompt = prompt_ids(config["vocab_size"], args.seed)
    with torch.no_grad():
        ref_last, _ = base.forward_cached(prompt, modeling.empty_cache(base))
    rows = []
    for variant in args.variants.split(","):
        extra = {}
        if variant == "fp32":
            model = base
        elif variant == "int8":
            extra["quantized_engine"] = torch.backends.quantized.engine = quantized_engine()
            model = torch.quantization.quantize_dynamic(linearize(base), {nn.Linear}, dtype=torch.qint8).eval()
            with torch.no_grad():
                last, _ = model.forward_cached(prompt, modeling.empty_cache(model))
            extra["max_rel_err_vs_fp32"] = ((last - ref_last).abs().max() / ref_last.abs().max()).item()
            extra["top1_agree_vs_fp32"] = bool(last[0, -1].argmax() == ref_last[0, -1].argmax())
        else:
            raise SystemExit(f"unknown variant {variant}")
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)
            generate(model, prompt[:, :16], 2)  # warm-up
            prefill, ttft, decode, prefill_cpu, decode_cpu = [], [], [], [], []
            for _ in range(args.runs):
                ps, ds, tokens, pc, dc = generate(model, prompt, args.decode)
                prefill_cpu.append(pc * 1e3 / PROMPT_LEN)
                decode_cpu.append(dc * 1e3 / args.decode)
                prefill.append(PROMPT_LEN / ps)
                ttft.append(ps * 1e3)
                decode.append(args.decode / ds)
            row = dict(engine="pytorch", engine_version=torch.__version__, model=args.model, variant=variant,
                       threads=threads, prompt_tokens=PROMPT_LEN, decode_tokens=args.decode, runs=args.runs,
                       prefill_tok_s=stats(prefill), decode_tok_s=stats(decode), ttft_ms=stats(ttft),
                       prefill_cpu_ms_per_tok=stats(prefill_cpu), decode_cpu_ms_per_tok=stats(decode_cpu),
                       first_tokens=tokens[:8], **extra)
            rows.append(row)
            if not args.json:
                f = lambda s, d: f"{s['median']:.{d}f} [{s['min']:.{d}f}, {s['max']:.{d}f}]"
                print(f"torch {args.model} {variant} t{threads}: prefill {f(row['prefill_tok_s'], 1)} tok/s, "
                      f"ttft {f(row['ttft_ms'], 0)} ms, decode {f(row['decode_tok_s'], 2)} tok/s, "
                      f"decode cpu {f(row['decode_cpu_ms_per_tok'], 1)} ms/tok "
                      f"(median [min, max] of {args.runs})" +
                      (f", rel err vs fp32 {extra['max_rel_err_vs_fp32']:.2e}" if extra else ""), flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
