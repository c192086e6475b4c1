"""ctest `image_scripts`: the PyTorch scripts of models/image/ each run for a few steps into a
scratch folder (argv[1], under the build tree) and must write their checkpoint, ONNX file and
manifest; plus checks of the pieces with known answers: the channel-pruning rule of prune.py
(keep counts, ties, and that a pruned generator computes exactly what the unpruned one
computes with the removed channels zeroed), the Frechet distance and the Inception-style score.

Exits 77 (reported by ctest as skipped) when torch, numpy or scipy cannot be imported, e.g.
without Debian's python3-torch or the Fashion-MNIST data package.

    /usr/bin/python3 tests/image_scripts_test.py build/release/tests/image_scripts
"""
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGE = os.path.join(os.path.dirname(HERE), "models", "image")
SKIP = 77

try:
    import numpy as np
    import scipy.linalg  # noqa: F401  (metrics.py)
    import torch
except ImportError as e:
    print(f"SKIP: {e} (install python3-torch, python3-numpy, python3-scipy)")
    sys.exit(SKIP)
sys.path.insert(0, IMAGE)
try:
    from data import load_fashion_mnist_uint8
    load_fashion_mnist_uint8("test")
except (FileNotFoundError, OSError) as e:
    print(f"SKIP: {e}")
    sys.exit(SKIP)

import dcgan  # noqa: E402
import metrics  # noqa: E402
import prune  # noqa: E402

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def run(script, *args):
    cmd = [sys.executable, os.path.join(IMAGE, script), "--threads", "1", *map(str, args)]
    print("+ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=IMAGE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    print(result.stdout[-3000:], flush=True)
    check(result.returncode == 0, f"{script} exits 0")
    return result.returncode == 0


def manifest(folder):
    path = os.path.join(folder, "manifest.json")
    if not os.path.isfile(path):
        check(False, f"{path} exists")
        return {}
    with open(path) as f:
        return json.load(f)


def check_files(folder, names):
    for name in names:
        path = os.path.join(folder, name)
        check(os.path.isfile(path) and os.path.getsize(path) > 0, f"{path} written")


def onnx_outputs(path):
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load(path)
    onnx.checker.check_model(model)
    return [o.name for o in model.graph.output]


def unit_checks():
    # keep counts: ceil((1 - R) * C), at least 1.
    check(prune.keep_count(0.3, 128) == 90 and prune.keep_count(0.7, 128) == 39
          and prune.keep_count(0.5, 64) == 32 and prune.keep_count(0.7, 32) == 10
          and prune.keep_count(0.99, 8) == 1 and prune.keep_count(0.0, 8) == 8,
          "prune.keep_count = ceil((1 - R) * C)")
    # ties: the lower index wins; the kept indices come back in ascending order.
    check(prune.select(torch.tensor([1.0, 3.0, 3.0, 2.0, 3.0]), 2) == [1, 2], "select: ties to lower index")
    check(prune.select(torch.tensor([5.0, 1.0, 4.0, 9.0]), 3) == [0, 2, 3], "select: ascending order")
    # BatchNorm folding enters the score: a filter with small weights but a large BN scale wins.
    w = torch.ones(2, 3, 1, 1)
    w[:, 0] = 0.1
    scores = prune.filter_scores(w, torch.tensor([100.0, 1.0, 1.0]), torch.ones(3), 0.0)
    check(prune.select(scores, 1) == [0], "filter_scores folds gamma / sqrt(var + eps)")

    # A pruned generator equals the unpruned one with the removed channels zeroed after ReLU.
    torch.manual_seed(3)
    g = dcgan.Generator(ngf=4)
    g.apply(dcgan.init_weights)
    for i in prune.PRUNABLE:
        bn = g.net[i + 1]
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.data.uniform_(0.2, 2.0)
        bn.bias.data.uniform_(-0.3, 0.3)
    g.eval()
    state, kept = prune.prune_state_dict(g.state_dict(), 0.5)
    pruned = dcgan.generator_from_state_dict(state)
    check(pruned.widths() == (8, 4, 2), f"widths after R 0.5: {pruned.widths()}")
    masks = {}
    for i, keep in zip(prune.PRUNABLE, kept):
        m = torch.zeros(1, g.net[i].out_channels, 1, 1)
        m[:, keep] = 1.0
        masks[i + 2] = m  # the ReLU after the BatchNorm

    def masked(z):
        h = z
        for j, layer in enumerate(g.net):
            h = layer(h)
            if j in masks:
                h = h * masks[j]
        return h

    z = torch.randn(5, dcgan.LATENT, 1, 1)
    with torch.no_grad():
        diff = (pruned(z) - masked(z)).abs().max().item()
        changed = (pruned(z) - g(z)).abs().max().item()
    check(diff <= 1e-6, f"pruned == masked unpruned (max |diff| {diff:.2e} <= 1e-6)")
    check(changed > 1e-3, f"pruning changes the output of the unmasked model ({changed:.2e})")

    # Metrics: FID of identical statistics is 0; of shifted means it is |shift|^2.
    rng = np.random.default_rng(0)
    f = rng.normal(size=(400, 6))
    mu, sigma = metrics.statistics(f)
    check(abs(metrics.frechet_distance(mu, sigma, mu, sigma)) < 1e-6, "FID(same stats) = 0")
    shift = np.array([1.0, 2.0, 0, 0, 0, 0])
    check(abs(metrics.frechet_distance(mu + shift, sigma, mu, sigma) - 5.0) < 1e-6, "FID(mean shift) = |shift|^2")
    check(abs(metrics.inception_score(np.full((10, 10), 0.1)) - 1.0) < 1e-9, "IS(uniform) = 1")
    check(abs(metrics.inception_score(np.eye(10)) - 10.0) < 1e-6, "IS(one-hot, all classes) = 10")


def script_checks(work):
    cls, gan, vae = (os.path.join(work, n) for n in ("classifier", "dcgan", "vae"))
    if run("classifier.py", "--max-steps", 3, "--out", cls):
        check_files(cls, ["classifier.pt", "classifier.onnx", "manifest.json"])
        m = manifest(cls)
        check(0.0 <= m.get("test", {}).get("accuracy", -1) <= 1.0, "classifier manifest: test accuracy")
        outs = onnx_outputs(os.path.join(cls, "classifier.onnx"))
        check(outs in (None, ["logits", "features"]), f"classifier.onnx outputs {outs}")

    if run("dcgan.py", "--max-steps", 3, "--ngf", 8, "--ndf", 8, "--out", gan):
        check_files(gan, ["generator.pt", "generator.onnx", "latents.bin", "reference.bin",
                          "manifest.json", "train_state.pt"])
        if run("dcgan.py", "--max-steps", 5, "--ngf", 8, "--ndf", 8, "--resume", "--out", gan):
            m = manifest(gan)
            check(m.get("steps") == 5 and len(m.get("runs", [])) == 2,
                  f"dcgan --resume continues to step 5 (steps {m.get('steps')})")

    if run("vae.py", "--max-steps", 3, "--out", vae):
        check_files(vae, ["vae.pt", "decoder.onnx", "encoder.onnx", "manifest.json"])
        mse = manifest(vae).get("final_losses", {}).get("test_recon_mse", -1)
        check(0.0 <= mse <= 1.0, f"vae manifest: test reconstruction MSE {mse}")

    classifier_pt = os.path.join(cls, "classifier.pt")
    generator_pt = os.path.join(gan, "generator.pt")
    if not (os.path.isfile(classifier_pt) and os.path.isfile(generator_pt)):
        return
    for flag, path in (("--dcgan", generator_pt), ("--vae", os.path.join(vae, "vae.pt"))):
        folder = os.path.dirname(path)
        if run("metrics.py", "--classifier", classifier_pt, flag, path, "--count", 300,
               "--manifest", os.path.join(folder, "manifest.json")):
            q = manifest(folder).get("quality", {})
            check(math.isfinite(q.get("fid_fmnist", math.nan)) and 1.0 <= q.get("is_fmnist", 0) <= 10.0,
                  f"metrics.py {flag}: FID-FMNIST {q.get('fid_fmnist')} IS-FMNIST {q.get('is_fmnist')}")

    root = os.path.join(work, "pruned")
    if run("prune.py", "--generator", generator_pt, "--classifier", classifier_pt, "--ratios", 0.5,
           "--max-steps", 3, "--eval-count", 300, "--out-root", root):
        folder = os.path.join(root, "dcgan_pruned_r50")
        check_files(folder, ["generator.pt", "generator.onnx", "reference.bin", "manifest.json"])
        m = manifest(folder)
        check(m.get("pruning", {}).get("widths_after") == [16, 8, 4]
              and m.get("parameters_after", 0) < m.get("parameters_before", 0),
              f"prune manifest: widths {m.get('pruning', {}).get('widths_after')}, parameters "
              f"{m.get('parameters_before')} -> {m.get('parameters_after')}")
        check("fid_fmnist" in m.get("quality", {}), "prune manifest: FID-FMNIST")

    student = os.path.join(work, "distilled")
    if run("distill.py", "--teacher", generator_pt, "--classifier", classifier_pt, "--ngf", 4,
           "--max-steps", 3, "--eval-count", 300, "--out", student):
        check_files(student, ["generator.pt", "generator.onnx", "reference.bin", "manifest.json"])
        m = manifest(student)
        check(m.get("widths") == [16, 8, 4] and "fid_fmnist" in m.get("quality", {}),
              f"distill manifest: widths {m.get('widths')}, FID-FMNIST")
        try:
            import onnx  # noqa: F401
        except ImportError:
            return
        z = torch.randn(4, dcgan.LATENT, 1, 1)
        with torch.no_grad():
            diff = (dcgan.load_generator(os.path.join(student, "generator.onnx"))(z)
                    - dcgan.load_generator(os.path.join(student, "generator.pt"))(z)).abs().max().item()
        check(diff == 0.0, f"load_generator(generator.onnx) == load_generator(generator.pt) ({diff})")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    work = os.path.abspath(sys.argv[1])
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(1)
    unit_checks()
    script_checks(work)
    print(f"{len(failures)} failure(s)" + (": " + "; ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
