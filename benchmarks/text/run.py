"""One command for the LLM decode benchmark: exports the ONNX graphs when missing
(models/text/export_onnx.py), optionally checks them (ort_check.js), runs the ONNX Runtime
(ort_decode.js) and PyTorch (torch_decode.py) baselines with --json, adds mint's rows (see
mint_rows below), prints one table with each row's decode speed as a ratio to ONNX Runtime FP32
at the same thread count, and writes everything to --out as JSON.

Rows share one schema (ort_decode.js / torch_decode.py): engine, engine_version, model, variant,
threads, prompt_tokens, decode_tokens, runs, prefill_tok_s / decode_tok_s / ttft_ms /
prefill_cpu_ms_per_tok / decode_cpu_ms_per_tok as {median, min, max, n}, first_tokens.

Usage: /usr/bin/python3 benchmarks/text/run.py [--models gpt2,smollm-135m] [--threads 1,2]
         [--decode 16] [--runs 3] [--check] [--no-torch] [--checkpoint-dir DIR] [--out FILE]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable


def onnx_dir(model):
    return os.path.join(ROOT, ".data", "text", "onnx", model)


def run_json(cmd):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[1]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout), proc.returncode


def mint_rows(model, args):
    """mint's own decode rows for `model`, in the schema above (engine "mint", variants named
    like the baselines' where the weights match: fp32 / int8 / int4). To be added by the mint
    decode benchmark: run it on the same weights (export_onnx.py --checkpoint DIR and mint's
    import of DIR) with the same prompt (reference.bin in onnx_dir(model)), --decode, --runs and
    thread counts, and return its rows here."""
    return []


def table(rows):
    base = {(r["model"], r["threads"]): r["decode_tok_s"]["median"] for r in rows
            if r["engine"] == "onnxruntime" and r["variant"] == "fp32"}
    lines = ["| model | engine | variant | threads | prefill tok/s | TTFT ms | decode tok/s | decode CPU ms/tok "
             "| decode vs ORT fp32 |", "|---|---|---|---|---|---|---|---|---|"]
    f = lambda s, d: f"{s['median']:.{d}f} ({s['min']:.{d}f}-{s['max']:.{d}f})"
    for r in rows:
        b = base.get((r["model"], r["threads"]))
        ratio = f"{r['decode_tok_s']['median'] / b:.2f}x" if b else "-"
        lines.append(f"| {r['model']} | {r['engine']} | {r['variant']} | {r['threads']} | {f(r['prefill_tok_s'], 1)} "
                     f"| {f(r['ttft_ms'], 0)} | {f(r['decode_tok_s'], 2)} | {f(r['decode_cpu_ms_per_tok'], 1)} "
                     f"| {ratio} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="gpt2,smollm-135m")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--decode", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ort-variants", default="fp32,int8,int4")
    ap.add_argument("--torch-variants", default="fp32,int8")
    ap.add_argument("--check", action="store_true", help="run ort_check.js first (logit errors)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--checkpoint-dir", help="DIR/<model> checkpoints (make_random_checkpoint.py) instead of seeds")
    ap.add_argument("--out", default=os.path.join(ROOT, ".data", "text", "decode_bench.json"))
    args = ap.parse_args()
    common = ["--threads", args.threads, "--decode", str(args.decode), "--runs", str(args.runs), "--json"]
    result = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
              "machine": platform.processor() or platform.machine(), "loadavg_before": os.getloadavg(),
              "checks": [], "rows": []}
    for model in args.models.split(","):
        ckpt = os.path.join(args.checkpoint_dir, model) if args.checkpoint_dir else None
        meta_path = os.path.join(onnx_dir(model), "meta.json")
        source = os.path.abspath(ckpt) if ckpt else "random seed 0"
        if not os.path.exists(meta_path) or json.load(open(meta_path))["source"] != source:
            cmd = ["nice", "-n", "10", PY, "models/text/export_onnx.py", "--model", model, "--selftest"]
            subprocess.run(cmd + (["--checkpoint", ckpt] if ckpt else []), cwd=ROOT, check=True)
        if args.check:
            checks, rc = run_json(["node", "benchmarks/text/ort_check.js", "--model-dir", onnx_dir(model), "--json"])
            result["checks"] += checks
            if rc:
                print(f"run.py: {model}: ort_check failed (see checks in {args.out})", file=sys.stderr)
        rows, _ = run_json(["node", "benchmarks/text/ort_decode.js", "--model-dir", onnx_dir(model),
                            "--variants", args.ort_variants] + common)
        result["rows"] += rows
        if not args.no_torch:
            rows, _ = run_json([PY, "benchmarks/text/torch_decode.py", "--model", model, "--variants",
                                args.torch_variants] + (["--checkpoint", ckpt] if ckpt else []) + common)
            result["rows"] += rows
        result["rows"] += mint_rows(model, args)
    result["loadavg_after"] = os.getloadavg()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    for c in result["checks"]:
        print(f"check {c['model']} {c['variant']}: max rel err {c['max_rel_err']:.2e}"
              + (f" top1 {c['top1_agree']}" if "top1_agree" in c else "")
              + ("" if "pass" not in c else (" ok" if c["pass"] else " FAIL")))
    print(f"cpus {result['cpus']}, load average before {result['loadavg_before'][0]:.1f}, "
          f"after {result['loadavg_after'][0]:.1f}; median (min-max) of {args.runs} runs, "
          f"prompt 128 tokens, {args.decode} decoded tokens")
    print(table(result["rows"]))
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
