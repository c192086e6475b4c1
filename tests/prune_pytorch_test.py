"""ctest `prune_pytorch`: mint's `--prune-channels R` against PyTorch's pruned, NOT fine-tuned
DCGAN generator. For R = 0.3, 0.5, 0.7, prune.py's rule (prune.prune_state_dict) is applied to
models/image/trained/dcgan/generator.pt; the pruned generator's outputs on the committed
latents (dcgan/latents.bin) are written to argv[2]/r30.bin etc., and its kept indices must
equal the committed manifests' `pruning.kept`. Then the prune_test binary (argv[1]) runs
PruneDcgan.MatchesPyTorchBeforeFineTune on those files (max |mint - PyTorch| <= 1e-4).

Exits 77 (skipped) without Debian's python3-torch.

    /usr/bin/python3 tests/prune_pytorch_test.py build/release/tests/prune_test /tmp/prune_ref
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IMAGE = os.path.join(ROOT, "models", "image")
TRAINED = os.path.join(IMAGE, "trained")
SKIP = 77

try:
    import numpy as np
    import torch
except ImportError as e:
    print(f"SKIP: {e} (install python3-torch, python3-numpy)")
    sys.exit(SKIP)
sys.path.insert(0, IMAGE)
import dcgan  # noqa: E402
import prune  # noqa: E402


def main():
    binary, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    state = torch.load(os.path.join(TRAINED, "dcgan", "generator.pt"))
    z = np.fromfile(os.path.join(TRAINED, "dcgan", "latents.bin"), dtype="<f4").reshape(-1, 100, 1, 1)
    for ratio in (0.3, 0.5, 0.7):
        name = f"r{round(100 * ratio)}"
        pruned, kept = prune.prune_state_dict(state, ratio)
        with open(os.path.join(TRAINED, f"dcgan_pruned_{name}", "manifest.json")) as f:
            want = json.load(f)["pruning"]["kept"]
        got = {f"net.{i}": k for i, k in zip(prune.PRUNABLE, kept)}
        if got != want:
            print(f"FAIL: R {ratio}: prune.py keeps other channels than the committed manifest")
            return 1
        generator = dcgan.generator_from_state_dict(pruned)
        with torch.no_grad():
            images = generator(torch.from_numpy(z.copy())).numpy()
        images.astype("<f4").tofile(os.path.join(out, f"{name}.bin"))
        print(f"R {ratio}: widths {generator.widths()}, reference {images.shape} written")
    env = dict(os.environ, MINT_PRUNE_REFERENCE_DIR=out, MINT_SOURCE_DIR=ROOT)
    return subprocess.call([binary, "--gtest_filter=PruneDcgan.MatchesPyTorchBeforeFineTune"],
                           env=env)


if __name__ == "__main__":
    sys.exit(main())
