"""Image-model results page: every DCGAN / beta-VAE decoder variant compiled by mint, timed
(`mint bench`) and scored (`mint eval`), next to the same FP32 models run by ONNX Runtime
(onnxruntime-node, benchmarks/images/ort_bench.js) and PyTorch, all in one run; writes
docs/results/images.md with the table, goal PASS/MISS lines, plots and sample grids.

    /usr/bin/python3 benchmarks/images/run.py            # after cmake --build --preset release
    /usr/bin/python3 benchmarks/images/run.py --samples 2000 --runs 100   # quicker

Needs: build/release/mint, Debian's python3-torch / numpy / matplotlib, node and
onnxruntime-node under .data/npm/ort (scripts/fetch-paddleocr.sh installs it), the
Fashion-MNIST data package. Generated plans and calibration latents go to .data/images/.
Every figure on the page comes from this run; nothing is typed in.
"""
import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRAINED = os.path.join(ROOT, "models", "image", "trained")
DCGAN_DIMS, VAE_DIMS = [1, 100, 1, 1], [1, 16]


def variants():
    """(model, label, onnx file, compile options); calibration latents are added per model."""
    t = lambda *p: os.path.join(TRAINED, *p)  # noqa: E731
    g = t("dcgan", "generator.onnx")
    int8 = ["--weights", "int8", "--calibration"]
    rows = [("dcgan", "FP32", g, []), ("dcgan", "FP16", g, ["--weights", "f16"]),
            ("dcgan", "INT8 (static, calibrated)", g, int8)]
    for r in (30, 50, 70):
        rows.append(("dcgan", f"pruned {r}%", t(f"dcgan_pruned_r{r}", "generator.onnx"), []))
    rows.append(("dcgan", "pruned 50% + INT8", t("dcgan_pruned_r50", "generator.onnx"), int8))
    rows.append(("dcgan", "distilled", t("dcgan_distilled", "generator.onnx"), []))
    rows.append(("dcgan", "distilled + INT8", t("dcgan_distilled", "generator.onnx"), int8))
    d = t("vae", "decoder.onnx")
    rows += [("vae", "FP32", d, []), ("vae", "FP16", d, ["--weights", "f16"]),
             ("vae", "INT8 (static, calibrated)", d, int8)]
    return rows


NOT_APPLICABLE_VAE = ["pruned 30%", "pruned 50%", "pruned 70%", "pruned 50% + INT8",
                      "distilled", "distilled + INT8"]


def run(cmd, log):
    log.append(" ".join(shlex.quote(c) for c in cmd))
    print("$", log[-1], flush=True)
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    return out


def run_json(cmd, log):
    return json.loads(run(cmd, log).strip().splitlines()[-1])


def slug(model, label):
    keep = "".join(c if c.isalnum() else "_" for c in label.lower())
    return f"{model}_" + "_".join(p for p in keep.split("_") if p)


def calibration(path, dims, count, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    rng.standard_normal([count] + dims[1:]).astype("<f4").tofile(path)
    return path


def pytorch_worker(model, threads, runs, warmup):
    """Child process: times batch-1 PyTorch inference; prints a JSON line."""
    import torch
    sys.path.insert(0, os.path.join(ROOT, "models", "image"))
    torch.set_num_threads(threads)
    if model == "dcgan":
        import dcgan
        net = dcgan.load_generator(os.path.join(TRAINED, "dcgan", "generator.pt"))
        x = torch.randn(DCGAN_DIMS, generator=torch.Generator().manual_seed(1))
    else:
        import vae
        full = vae.VAE(latent=VAE_DIMS[1])
        full.load_state_dict(torch.load(os.path.join(TRAINED, "vae", "vae.pt")))
        net = full.decoder.eval()
        x = torch.randn(VAE_DIMS, generator=torch.Generator().manual_seed(1))
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            net(x)
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    q = lambda f: times[min(len(times) - 1, int(f * len(times)))]  # noqa: E731
    print(json.dumps({"median": q(0.5), "p90": q(0.9),
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def shrink_png(path):
    """Rewrites a PNG with zlib compression when python3-pil is there (mint's grids are
    stored uncompressed); the pixels do not change."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        im.load()
        im.save(path, optimize=True)


def fmt(v, digits=3):
    if v is None:
        return "n/a"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:.{digits}f}"


def plots(rows, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=80)
    for model, marker in (("dcgan", "o"), ("vae", "s")):
        pts = [r for r in rows if r["model"] == model]
        ax.scatter([r["plan_bytes"] / 1024 for r in pts], [r["lat"][1][0] for r in pts],
                   marker=marker, label=f"{model} (mint, 1 thread)")
        for r in pts:
            ax.annotate(r["label"], (r["plan_bytes"] / 1024, r["lat"][1][0]), fontsize=6)
    ax.set_xlabel("plan size (KiB)")
    ax.set_ylabel("median latency, batch 1 (ms)")
    ax.set_title("mint variants: latency vs plan size")
    ax.legend(fontsize=7)
    fig.tight_layout()
    latency_png = os.path.join(out_dir, "images_latency_vs_size.png")
    fig.savefig(latency_png)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=80)
    scored = [r for r in rows if r["fid"] is not None]
    ax.barh([f"{r['model']} {r['label']}" for r in scored], [r["fid"] for r in scored])
    ax.invert_yaxis()
    ax.set_xlabel("FID-FMNIST (lower is better)")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fid_png = os.path.join(out_dir, "images_fid.png")
    fig.savefig(fid_png)
    plt.close(fig)
    return latency_png, fid_png


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build/release", help="build tree with the mint tool")
    p.add_argument("--samples", type=int, default=10000, help="generated images per FID / IS")
    p.add_argument("--runs", type=int, default=200, help="timed runs per latency figure")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--out", default="docs/results", help="folder of images.md and the PNGs")
    p.add_argument("--pytorch-worker", nargs=2, metavar=("MODEL", "THREADS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.pytorch_worker:
        return pytorch_worker(args.pytorch_worker[0], int(args.pytorch_worker[1]), args.runs,
                              args.warmup)

    command = "/usr/bin/python3 benchmarks/images/run.py " + " ".join(
        shlex.quote(a) for a in sys.argv[1:])
    load_start = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    t_start = time.time()
    mint = os.path.join(ROOT, args.build, "mint")
    work = os.path.join(ROOT, ".data", "images")
    out_dir = os.path.join(ROOT, args.out)
    os.makedirs(work, exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    log = []
    calib = {"dcgan": calibration(os.path.join(work, "calib_dcgan.bin"), DCGAN_DIMS, 256, 20240701),
             "vae": calibration(os.path.join(work, "calib_vae.bin"), VAE_DIMS, 256, 20240702)}

    # The classifier of the metrics and the VAE encoder (for SSIM / MSE), compiled by mint.
    classifier = os.path.join(work, "classifier.mint")
    encoder = os.path.join(work, "vae_encoder.mint")
    run([mint, "compile", os.path.join(TRAINED, "classifier", "classifier.onnx"), "-o", classifier], log)
    run([mint, "compile", os.path.join(TRAINED, "vae", "encoder.onnx"), "-o", encoder], log)

    rows = []
    for model, label, onnx, options in variants():
        name = slug(model, label)
        plan = os.path.join(work, name + ".mint")
        opts = options + ([calib[model]] if options and options[-1] == "--calibration" else [])
        run([mint, "compile", onnx, "-o", plan] + opts, log)
        bench = run_json([mint, "bench", plan, "--threads", "1,2", "--runs", str(args.runs),
                          "--warmup", str(args.warmup), "--json"], log)
        grid = os.path.join(out_dir, f"images_grid_{name}.png")
        if model == "dcgan":
            ev = run_json([mint, "eval", "gan", plan, "--classifier", classifier, "--samples",
                           str(args.samples), "--grid", grid, "--json"], log)
            scores, ssim, mse = ev, None, None
        else:
            ev = run_json([mint, "eval", "vae", encoder, plan, "--classifier", classifier,
                           "--samples", str(args.samples), "--grid", grid, "--json"], log)
            scores = ev["prior_samples"]
            ssim, mse = ev["reconstruction"]["ssim"], ev["reconstruction"]["mse"]
        shrink_png(grid)
        lat = {s["threads"]: (s["median"], s["p90"]) for s in bench["latency_ms"]}
        rows.append({"model": model, "label": label, "onnx": os.path.relpath(onnx, ROOT),
                     "options": " ".join(options), "params": bench["params"],
                     "flops": bench["flops"], "plan_bytes": bench["plan_bytes"], "lat": lat,
                     "rss": bench["peak_rss_kib"], "fid": scores["fid_fmnist"],
                     "is": scores["inception_score"]["mean"], "samples": scores["samples"],
                     "ssim": ssim, "mse": mse, "grid": os.path.basename(grid)})

    # Baselines: the FP32 models in ONNX Runtime and PyTorch, same machine, same run.
    ort_modules = os.path.join(ROOT, ".data", "npm", "ort", "node_modules")
    baselines = []
    for model, onnx, dims in (("dcgan", os.path.join(TRAINED, "dcgan", "generator.onnx"), DCGAN_DIMS),
                              ("vae", os.path.join(TRAINED, "vae", "decoder.onnx"), VAE_DIMS)):
        ort = run_json(["node", os.path.join(HERE, "ort_bench.js"), onnx, ort_modules,
                        ",".join(map(str, dims)), "1,2", str(args.runs), str(args.warmup)], log)
        baselines.append({"model": model, "runtime": "ONNX Runtime (onnxruntime-node) FP32",
                          "lat": {t["threads"]: (t["median"], t["p90"]) for t in ort["threads"]},
                          "rss": ort["peak_rss_kib"]})
        lat, rss = {}, 0
        for threads in (1, 2):
            pt = run_json([sys.executable, os.path.abspath(__file__), "--pytorch-worker", model,
                           str(threads), "--runs", str(args.runs), "--warmup", str(args.warmup)], log)
            lat[threads] = (pt["median"], pt["p90"])
            rss = max(rss, pt["peak_rss_kib"])
        baselines.append({"model": model, "runtime": "PyTorch FP32 (eager, inference_mode)",
                          "lat": lat, "rss": rss})

    latency_png, fid_png = plots(rows, out_dir)
    write_page(args, rows, baselines, command, started, load_start, time.time() - t_start,
               latency_png, fid_png, log)


def find(rows, model, label):
    return next(r for r in rows if r["model"] == model and r["label"] == label)


def goals(rows, baselines):
    lines = []
    for model in ("dcgan", "vae"):
        ort = next(b for b in baselines if b["model"] == model and b["runtime"].startswith("ONNX"))
        fp32, int8 = find(rows, model, "FP32"), find(rows, model, "INT8 (static, calibrated)")
        for t in (1, 2):
            o, m, q = ort["lat"][t][0], fp32["lat"][t][0], int8["lat"][t][0]
            lines.append(f"- {'PASS' if m <= o else 'MISS'}: {model} mint FP32 at least as fast "
                         f"as ORT FP32, {t} thread(s): {m:.4f} ms vs {o:.4f} ms "
                         f"(ORT / mint = {o / m:.2f}x)")
            lines.append(f"- {'PASS' if o >= 2 * q else 'MISS'}: {model} mint INT8 at least 2x "
                         f"ORT FP32, {t} thread(s): {q:.4f} ms vs {o:.4f} ms "
                         f"(ORT / mint INT8 = {o / q:.2f}x)")
        d = int8["fid"] - fp32["fid"]
        lines.append(f"- {'PASS' if abs(d) <= 1.0 else 'MISS'}: {model} INT8 FID-FMNIST within 1.0 "
                     f"of FP32: {int8['fid']:.3f} vs {fp32['fid']:.3f} (difference {d:+.3f})")
    return lines


def write_page(args, rows, baselines, command, started, load_start, wall, latency_png, fid_png, log):
    samples = sorted({r["samples"] for r in rows})
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    L = ["# Image models: mint variants against ONNX Runtime and PyTorch", "",
         "Generated by `benchmarks/images/run.py`; every figure below comes from this one run:", "",
         f"    {command}", "",
         f"Run started {started}, took {wall / 60:.1f} minutes. Machine: {cpu}, "
         f"{os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}. "
         f"Load average at start (1 / 5 / 15 min): {load_start[0]:.2f} / {load_start[1]:.2f} / "
         f"{load_start[2]:.2f}.", ""]
    if load_start[0] > 0.5 * (os.cpu_count() or 1):
        L += ["**The machine was loaded when this ran** (other processes competing for the "
              "cores, see the load average), so latencies are noisy and slower than on an idle "
              "machine; rerun the command on an idle machine for figures to quote. The 2-thread "
              "figures suffer most: a run that needs both threads waits whenever the second one "
              "is descheduled, for a scheduler time slice (milliseconds), so 2-thread medians "
              "far above the 1-thread ones measure the load, not the kernels.", ""]
    L += [f"Latency: `mint bench` median / p90 of {args.runs} batch-1 runs after {args.warmup} "
          "warm-up runs, at 1 and 2 threads; peak RSS of the `mint bench` process (KiB); plan "
          "size: the plan file; parameters and FLOPs (2 x multiply-adds of conv, transposed conv, "
          "fully connected) from `mint bench`. Quality: `mint eval` with the committed classifier "
          "(models/image/trained/classifier) compiled by mint: FID-FMNIST and the Inception-style "
          f"score (IS-FMNIST) of {', '.join(map(str, samples))} generated samples against the "
          "10,000 Fashion-MNIST test images; for the VAE also SSIM / MSE of the test images "
          "reconstructed through the FP32 encoder and the variant's decoder. INT8: static, "
          "calibrated on 256 seeded N(0, 1) latents (.data/images/calib_*.bin). Pruned and "
          "distilled rows are the committed fine-tuned ONNX files "
          "(models/image/trained/dcgan_pruned_r*/, dcgan_distilled/).", ""]
    L += ["| model | variant | parameters | FLOPs | plan size (bytes) | latency 1 thread median / p90 (ms) "
          "| latency 2 threads median / p90 (ms) | peak RSS (KiB) | FID-FMNIST | IS-FMNIST | SSIM | MSE |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for model in ("dcgan", "vae"):
        for r in (x for x in rows if x["model"] == model):
            L.append(f"| {model} | {r['label']} | {fmt(r['params'])} | {fmt(r['flops'])} | "
                     f"{fmt(r['plan_bytes'])} | {r['lat'][1][0]:.4f} / {r['lat'][1][1]:.4f} | "
                     f"{r['lat'][2][0]:.4f} / {r['lat'][2][1]:.4f} | {fmt(r['rss'])} | "
                     f"{fmt(r['fid'])} | {fmt(r['is'])} | {fmt(r['ssim'], 4)} | {fmt(r['mse'], 5)} |")
        if model == "vae":
            for label in NOT_APPLICABLE_VAE:
                L.append(f"| vae | {label} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
        for b in (x for x in baselines if x["model"] == model):
            L.append(f"| {model} | {b['runtime']} | | | | {b['lat'][1][0]:.4f} / {b['lat'][1][1]:.4f} | "
                     f"{b['lat'][2][0]:.4f} / {b['lat'][2][1]:.4f} | {fmt(b['rss'])} | | | | |")
    L += ["", "(VAE: pruning and distillation were not made for the decoder, hence n/a. ONNX "
          "Runtime runs the same FP32 ONNX files (benchmarks/images/ort_bench.js, intra-op "
          "threads 1 and 2, sequential execution); PyTorch runs the same weights from the "
          "committed state_dicts (generator.pt, vae.pt) in eager mode; their peak RSS is that of "
          "the node / python process, which includes the interpreter.)", "",
          "## Goals", ""] + goals(rows, baselines)
    L += ["", "## Plots", "", f"![latency vs plan size]({os.path.basename(latency_png)})", "",
          f"![FID-FMNIST per variant]({os.path.basename(fid_png)})", "", "## Sample grids", "",
          "First 64 generated samples of each variant (`mint eval --grid`):", ""]
    for r in rows:
        L.append(f"- {r['model']} {r['label']}: ![{r['label']}]({r['grid']})")
    L += ["", "## Commands run", "", "```"] + [c.replace(ROOT + "/", "") for c in log] + ["```", ""]
    with open(os.path.join(ROOT, args.out, "images.md"), "w") as f:
        f.write("\n".join(L))
    big = [p for p in os.listdir(os.path.join(ROOT, args.out))
           if p.endswith(".png") and os.path.getsize(os.path.join(ROOT, args.out, p)) >= 200 * 1024]
    if big:
        raise SystemExit(f"PNG files of 200 KB or more: {big}")
    print(f"wrote {os.path.join(args.out, 'images.md')}")


if __name__ == "__main__":
    main()
