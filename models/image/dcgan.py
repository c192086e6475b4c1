"""DCGAN (Radford et al., 2015) on Fashion-MNIST 28x28x1, exported to ONNX for mint.

Generator: z [N, 100, 1, 1] -> ConvTranspose 4x4 -> 4x4x(4g) -> ConvTranspose 3x3 s2 ->
7x7x(2g) -> ConvTranspose 4x4 s2 -> 14x14x(g) -> ConvTranspose 4x4 s2 -> 28x28x1 -> Tanh, with
BatchNorm + ReLU after every layer but the last (g = --ngf, 64 gives 256/128/64 channels).
Discriminator: Conv 4x4 s2 -> 14x14x(d) -> Conv 4x4 s2 -> 7x7x(2d) -> Conv 3x3 s2 -> 4x4x(4d)
-> Conv 4x4 -> 1 logit, BatchNorm after every conv but the first and the last, LeakyReLU(0.2).
Adam lr 2e-4, betas (0.5, 0.999), binary cross-entropy on logits, non-saturating G loss.

Run (Debian packages python3-torch, dataset-fashion-mnist, python3-numpy; python3-pil for the
sample grid):

    /usr/bin/python3 models/image/dcgan.py --epochs 3 --out models/image/trained/dcgan
    /usr/bin/python3 models/image/dcgan.py --max-steps 5 --out /tmp/dcgan-smoke   # smoke test

Writes into --out:
    generator.pt        generator state_dict
    generator.onnx      generator in eval mode, opset 13: input "z" [1, 100, 1, 1] (NCHW),
                        output "image" [1, 1, 28, 28] in [-1, 1]
    latents.bin         8 fixed latents (seeded), float32 little-endian, [8, 100, 1, 1]
    reference.bin       PyTorch's eval-mode generator outputs on them, [8, 1, 28, 28]
    samples.png         a grid of 64 samples (if PIL is installed)
    manifest.json       data, hyperparameters, epochs, steps, losses, seed, versions, wall time,
                        shapes of the .bin files and file sizes
"""
import argparse
import os
import time

import torch
from torch import nn

import common
from data import load_fashion_mnist

LATENT = 100
REFERENCE_COUNT = 8
REFERENCE_SEED = 20240601


class Generator(nn.Module):
    """`widths` (c1, c2, c3) overrides the (4g, 2g, g) channels of the hidden layers: the
    pruned generators of prune.py keep the layout with fewer channels."""

    def __init__(self, ngf=64, latent=LATENT, widths=None):
        super().__init__()
        c1, c2, c3 = widths or (4 * ngf, 2 * ngf, ngf)

        def block(cin, cout, k, s, p):
            return [nn.ConvTranspose2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout),
                    nn.ReLU(inplace=True)]

        self.net = nn.Sequential(
            *block(latent, c1, 4, 1, 0),   # 1 -> 4
            *block(c1, c2, 3, 2, 1),       # 4 -> 7
            *block(c2, c3, 4, 2, 1),       # 7 -> 14
            nn.ConvTranspose2d(c3, 1, 4, 2, 1, bias=False),  # 14 -> 28
            nn.Tanh())

    def forward(self, z):
        return self.net(z)

    def widths(self):
        """The hidden channel counts (c1, c2, c3)."""
        return tuple(self.net[i].out_channels for i in (0, 3, 6))


def generator_from_state_dict(state_dict):
    """A Generator (eval mode) shaped after `state_dict`: any width, pruned or not."""
    widths = tuple(state_dict[f"net.{i}.weight"].shape[1] for i in (0, 3, 6))
    g = Generator(latent=state_dict["net.0.weight"].shape[0], widths=widths)
    g.load_state_dict(state_dict)
    return g.eval()


def load_generator(path):
    """The generator at `path`, in eval mode: a state_dict (generator.pt) or the exported ONNX
    file (generator.onnx, whose initializers keep the state_dict names; needs python3-onnx)."""
    if not path.endswith(".onnx"):
        return generator_from_state_dict(torch.load(path))
    import onnx
    from onnx import numpy_helper
    state = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
             for t in onnx.load(path).graph.initializer}
    for i in (1, 4, 7):  # BatchNorm counters are not exported
        state[f"net.{i}.num_batches_tracked"] = torch.tensor(0)
    return generator_from_state_dict(state)


class Discriminator(nn.Module):
    def __init__(self, ndf=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, ndf, 4, 2, 1, bias=False),  # 28 -> 14
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1, bias=False),  # 14 -> 7
            nn.BatchNorm2d(2 * ndf),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(2 * ndf, 4 * ndf, 3, 2, 1, bias=False),  # 7 -> 4
            nn.BatchNorm2d(4 * ndf),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4 * ndf, 1, 4, 1, 0, bias=False))  # 4 -> 1

    def forward(self, x):
        return self.net(x).view(-1)


def init_weights(m):
    """The DCGAN paper's initialisation: conv weights N(0, 0.02), BatchNorm scale N(1, 0.02)."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--epochs", type=float, default=3.0, help="epochs (fractions allowed)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop at the first step after this much wall time (0: no limit)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--ngf", type=int, default=64, help="generator width (4g, 2g, g channels)")
    p.add_argument("--ndf", type=int, default=64, help="discriminator width (d, 2d, 4d channels)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--beta1", type=float, default=0.5)
    p.add_argument("--beta2", type=float, default=0.999)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--state", default="",
                   help="training state file (G, D, optimizers, step, RNG) written at the end "
                        "(default: <out>/train_state.pt, git-ignored)")
    p.add_argument("--resume", action="store_true",
                   help="continue from --state; --epochs / --max-steps count the total steps, "
                        "--max-minutes this run's wall time")
    return p.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    common.seed_everything(args.seed, args.threads)
    start = time.time()

    train_x, _ = load_fashion_mnist("train")
    n = train_x.shape[0]
    steps_per_epoch = n // args.batch_size  # the last partial batch is dropped
    epoch_steps = int(round(args.epochs * steps_per_epoch))
    total_steps = min(epoch_steps, args.max_steps) if args.max_steps else epoch_steps
    stopped_by = "max_steps" if total_steps < epoch_steps else "epochs"

    G, D = Generator(args.ngf), Discriminator(args.ndf)
    G.apply(init_weights)
    D.apply(init_weights)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(args.beta1, args.beta2))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(args.beta1, args.beta2))
    bce = nn.BCEWithLogitsLoss()
    shuffle = torch.Generator().manual_seed(args.seed)

    step, history = 0, []
    perm = None
    previous_seconds, runs = 0.0, []
    state_path = args.state or os.path.join(args.out, "train_state.pt")
    if args.resume:
        state = common.load_train_state(state_path)
        for key in ("ngf", "ndf", "batch_size"):
            if state["args"][key] != getattr(args, key):
                raise SystemExit(f"--resume: {state_path} was trained with {key} "
                                 f"{state['args'][key]}, not {getattr(args, key)}")
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        shuffle.set_state(state["shuffle"])
        step, history, perm = state["step"], state["history"], state["perm"]
        previous_seconds, runs = state["train_wall_seconds"], state["runs"]
        print(f"resumed from {state_path} at step {step}", flush=True)
    first_step = step
    G.train()
    D.train()
    while step < total_steps:
        if step % steps_per_epoch == 0:
            perm = torch.randperm(n, generator=shuffle)
        i = step % steps_per_epoch
        real = train_x[perm[i * args.batch_size:(i + 1) * args.batch_size]]
        b = real.shape[0]
        ones, zeros = torch.ones(b), torch.zeros(b)

        # Discriminator: real -> 1, fake -> 0.
        z = torch.randn(b, LATENT, 1, 1)
        fake = G(z)
        opt_d.zero_grad(set_to_none=True)
        out_real, out_fake = D(real), D(fake.detach())
        loss_d = bce(out_real, ones) + bce(out_fake, zeros)
        loss_d.backward()
        opt_d.step()

        # Generator: make D say 1 on fakes.
        opt_g.zero_grad(set_to_none=True)
        loss_g = bce(D(fake), ones)
        loss_g.backward()
        opt_g.step()

        step += 1
        history.append((loss_d.item(), loss_g.item(),
                        torch.sigmoid(out_real).mean().item(), torch.sigmoid(out_fake).mean().item()))
        if step % args.log_every == 0 or step == total_steps:
            recent = history[-args.log_every:]
            mean = [sum(h[k] for h in recent) / len(recent) for k in range(4)]
            print(f"step {step}/{total_steps} epoch {step / steps_per_epoch:.2f} "
                  f"loss_d {mean[0]:.4f} loss_g {mean[1]:.4f} D(x) {mean[2]:.3f} D(G(z)) {mean[3]:.3f} "
                  f"{time.time() - start:.0f}s", flush=True)
        if args.max_minutes and time.time() - start > 60 * args.max_minutes:
            stopped_by = "max_minutes"
            break
    run_seconds = time.time() - start
    train_seconds = previous_seconds + run_seconds
    runs = runs + [{"first_step": first_step, "last_step": step, "wall_seconds": round(run_seconds, 1),
                    "cpu_seconds": round(time.process_time(), 1),
                    "stopped_by": stopped_by}]
    common.save_train_state(state_path, {
        "args": vars(args), "G": G.state_dict(), "D": D.state_dict(), "opt_g": opt_g.state_dict(),
        "opt_d": opt_d.state_dict(), "shuffle": shuffle.get_state(), "step": step,
        "history": history, "perm": perm, "train_wall_seconds": train_seconds, "runs": runs})

    # Outputs: checkpoint, ONNX, reference latents and outputs, samples.
    G.eval()
    torch.save(G.state_dict(), os.path.join(args.out, "generator.pt"))
    common.export_onnx(G, torch.zeros(1, LATENT, 1, 1), os.path.join(args.out, "generator.onnx"),
                       ["z"], ["image"])
    ref_gen = torch.Generator().manual_seed(REFERENCE_SEED)
    latents = torch.randn(REFERENCE_COUNT, LATENT, 1, 1, generator=ref_gen)
    with torch.no_grad():
        images = G(latents)
        grid = G(torch.randn(64, LATENT, 1, 1, generator=ref_gen))
    latents_shape = common.write_f32(os.path.join(args.out, "latents.bin"), latents)
    images_shape = common.write_f32(os.path.join(args.out, "reference.bin"), images)
    has_png = common.save_grid(os.path.join(args.out, "samples.png"), grid, rows=8)

    tail = history[-min(len(history), args.log_every):]
    manifest = {
        "model": "dcgan",
        "description": "DCGAN generator for Fashion-MNIST 28x28x1, output in [-1, 1]",
        "data": {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)", "split": "train",
                 "examples": n, "scaling": "x / 127.5 - 1"},
        "hyperparameters": {"latent": LATENT, "ngf": args.ngf, "ndf": args.ndf,
                            "batch_size": args.batch_size, "optimizer": "Adam", "lr": args.lr,
                            "betas": [args.beta1, args.beta2], "loss": "BCE with logits, non-saturating G"},
        "seed": args.seed,
        "epochs": step / steps_per_epoch,
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "stopped_by": stopped_by,
        "final_losses": {
            "window_steps": len(tail),
            "loss_d": sum(h[0] for h in tail) / len(tail),
            "loss_g": sum(h[1] for h in tail) / len(tail),
            "d_real": sum(h[2] for h in tail) / len(tail),
            "d_fake": sum(h[3] for h in tail) / len(tail),
            "last_step_loss_d": history[-1][0],
            "last_step_loss_g": history[-1][1],
        },
        "train_wall_seconds": round(train_seconds, 1),
        "runs": runs,
        "environment": common.environment(),
        "onnx": {"file": "generator.onnx", "opset": 13, "mode": "eval",
                 "inputs": [{"name": "z", "shape": [1, LATENT, 1, 1], "layout": "NCHW"}],
                 "outputs": [{"name": "image", "shape": [1, 1, 28, 28], "layout": "NCHW"}]},
        "reference": {"seed": REFERENCE_SEED, "dtype": "float32 little-endian",
                      "inputs": {"z": {"file": "latents.bin", "shape": latents_shape}},
                      "outputs": {"image": {"file": "reference.bin", "shape": images_shape}}},
        "samples_png": "samples.png" if has_png else None,
    }
    manifest["files"] = {k: v for k, v in common.file_sizes(args.out).items()
                         if k != os.path.basename(state_path)}
    common.write_manifest(os.path.join(args.out, "manifest.json"), manifest)
    print(f"wrote {args.out}: {manifest['files']} in {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
