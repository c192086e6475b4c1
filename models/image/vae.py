"""Convolutional beta-VAE (Higgins et al., 2017) on Fashion-MNIST 28x28x1, exported to ONNX.

Encoder: x [N, 1, 28, 28] in [-1, 1] -> Conv 4x4 s2 -> 14x14x32 -> LeakyReLU(0.2) -> Conv 4x4 s2
-> 7x7x64 -> LeakyReLU(0.2) -> Flatten -> two Linear heads: mu [N, latent], logvar [N, latent].
Decoder: z [N, latent] -> Linear -> 3136 -> ReLU -> Reshape [N, 64, 7, 7] -> ConvTranspose 4x4 s2
-> 14x14x32 -> ReLU -> ConvTranspose 4x4 s2 -> 28x28x1 -> Sigmoid: Bernoulli means in [0, 1]
(the pixel intensity (x + 1) / 2).
Loss per image: binary cross-entropy summed over the 784 pixels + beta * KL(q(z|x) || N(0, I))
summed over the latent dimensions, averaged over the batch. Adam.

Run (Debian packages python3-torch, dataset-fashion-mnist, python3-numpy; python3-pil for the
sample grids):

    /usr/bin/python3 models/image/vae.py --epochs 10 --out models/image/trained/vae
    /usr/bin/python3 models/image/vae.py --max-steps 5 --out /tmp/vae-smoke   # smoke test

Writes into --out:
    vae.pt                  state_dict of the whole VAE (encoder.* and decoder.*)
    decoder.onnx            opset 13: input "z" [1, latent], output "image" [1, 1, 28, 28]
    encoder.onnx            opset 13: input "image" [1, 1, 28, 28] in [-1, 1] (NCHW),
                            outputs "mu" [1, latent], "logvar" [1, latent]
    latents.bin             8 fixed latents N(0, I) (seeded), float32 little-endian, [8, latent]
    decoder_reference.bin   PyTorch's decoder outputs on them, [8, 1, 28, 28]
    encoder_inputs.bin      the first 8 test images in [-1, 1], [8, 1, 28, 28]
    encoder_mu.bin, encoder_logvar.bin   PyTorch's encoder outputs on them, [8, latent]
    samples.png             64 decoded prior samples; reconstructions.png: 16 test images
                            (top rows) and their reconstructions (if PIL is installed)
    manifest.json           data, hyperparameters, epochs, steps, train and test losses, seed,
                            versions, wall time, shapes of the .bin files and file sizes
"""
import argparse
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

import common
from data import load_fashion_mnist

REFERENCE_COUNT = 8
REFERENCE_SEED = 20240602


class Encoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),   # 28 -> 14
            nn.Conv2d(32, 64, 4, 2, 1), nn.LeakyReLU(0.2),  # 14 -> 7
            nn.Flatten())
        self.mu = nn.Linear(64 * 7 * 7, latent)
        self.logvar = nn.Linear(64 * 7 * 7, latent)

    def forward(self, x):
        h = self.features(x)
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc = nn.Linear(latent, 64 * 7 * 7)
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(32, 1, 4, 2, 1))              # 14 -> 28

    def logits(self, z):
        # A constant target shape (-1, not z.size(0)) exports as one Reshape with a constant
        # shape, which mint's importer takes; a traced size would export Shape/Gather ops.
        h = F.relu(self.fc(z)).view(-1, 64, 7, 7)
        return self.deconv(h)

    def forward(self, z):
        return torch.sigmoid(self.logits(z))


class VAE(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.encoder = Encoder(latent)
        self.decoder = Decoder(latent)


def loss_terms(model, x, beta):
    """Returns (total, reconstruction, kl) per image, averaged over the batch."""
    mu, logvar = model.encoder(x)
    z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    target = (x + 1.0) * 0.5
    recon = F.binary_cross_entropy_with_logits(model.decoder.logits(z), target,
                                               reduction="sum") / x.shape[0]
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
    return recon + beta * kl, recon, kl


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--epochs", type=float, default=10.0, help="epochs (fractions allowed)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop at the first step after this much wall time (0: no limit)")
    p.add_argument("--latent", type=int, default=16)
    p.add_argument("--beta", type=float, default=4.0)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--state", default="",
                   help="training state file (model, optimizer, step, RNG) written at the end "
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
    test_x, _ = load_fashion_mnist("test")
    n = train_x.shape[0]
    steps_per_epoch = n // args.batch_size
    epoch_steps = int(round(args.epochs * steps_per_epoch))
    total_steps = min(epoch_steps, args.max_steps) if args.max_steps else epoch_steps
    stopped_by = "max_steps" if total_steps < epoch_steps else "epochs"

    model = VAE(args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle = torch.Generator().manual_seed(args.seed)
    step, history, perm = 0, [], None
    previous_seconds, runs = 0.0, []
    state_path = args.state or os.path.join(args.out, "train_state.pt")
    if args.resume:
        state = common.load_train_state(state_path)
        for key in ("latent", "batch_size"):
            if state["args"][key] != getattr(args, key):
                raise SystemExit(f"--resume: {state_path} was trained with {key} "
                                 f"{state['args'][key]}, not {getattr(args, key)}")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        shuffle.set_state(state["shuffle"])
        step, history, perm = state["step"], state["history"], state["perm"]
        previous_seconds, runs = state["train_wall_seconds"], state["runs"]
        print(f"resumed from {state_path} at step {step}", flush=True)
    first_step = step
    model.train()
    while step < total_steps:
        if step % steps_per_epoch == 0:
            perm = torch.randperm(n, generator=shuffle)
        i = step % steps_per_epoch
        x = train_x[perm[i * args.batch_size:(i + 1) * args.batch_size]]
        opt.zero_grad(set_to_none=True)
        total, recon, kl = loss_terms(model, x, args.beta)
        total.backward()
        opt.step()
        step += 1
        history.append((total.item(), recon.item(), kl.item()))
        if step % args.log_every == 0 or step == total_steps:
            recent = history[-args.log_every:]
            mean = [sum(h[k] for h in recent) / len(recent) for k in range(3)]
            print(f"step {step}/{total_steps} epoch {step / steps_per_epoch:.2f} loss {mean[0]:.2f} "
                  f"recon {mean[1]:.2f} kl {mean[2]:.2f} {time.time() - start:.0f}s", flush=True)
        if args.max_minutes and time.time() - start > 60 * args.max_minutes:
            stopped_by = "max_minutes"
            break
    run_seconds = time.time() - start
    train_seconds = previous_seconds + run_seconds
    runs = runs + [{"first_step": first_step, "last_step": step, "wall_seconds": round(run_seconds, 1),
                    "cpu_seconds": round(time.process_time(), 1),
                    "stopped_by": stopped_by}]
    common.save_train_state(state_path, {
        "args": vars(args), "model": model.state_dict(), "opt": opt.state_dict(),
        "shuffle": shuffle.get_state(), "step": step, "history": history, "perm": perm,
        "train_wall_seconds": train_seconds, "runs": runs})

    # Test-set loss (one sample of z per image, fixed seed).
    model.eval()
    torch.manual_seed(args.seed + 1)
    sums = [0.0, 0.0, 0.0]
    squared_error = 0.0  # reconstruction from mu (no sampling) vs (x + 1) / 2
    with torch.no_grad():
        for j in range(0, test_x.shape[0], 1000):
            x = test_x[j:j + 1000]
            for k, v in enumerate(loss_terms(model, x, args.beta)):
                sums[k] += v.item() * x.shape[0]
            squared_error += (model.decoder(model.encoder(x)[0]) - (x + 1) * 0.5).pow(2).sum().item()
    test = [s / test_x.shape[0] for s in sums]
    recon_mse = squared_error / test_x.numel()
    print(f"test: loss {test[0]:.2f} recon {test[1]:.2f} kl {test[2]:.2f} "
          f"reconstruction MSE {recon_mse:.5f}")

    # Outputs.
    out = args.out
    torch.save(model.state_dict(), os.path.join(out, "vae.pt"))
    common.export_onnx(model.decoder, torch.zeros(1, args.latent), os.path.join(out, "decoder.onnx"),
                       ["z"], ["image"])
    common.export_onnx(model.encoder, torch.zeros(1, 1, 28, 28), os.path.join(out, "encoder.onnx"),
                       ["image"], ["mu", "logvar"])
    ref_gen = torch.Generator().manual_seed(REFERENCE_SEED)
    latents = torch.randn(REFERENCE_COUNT, args.latent, generator=ref_gen)
    enc_in = test_x[:REFERENCE_COUNT]
    with torch.no_grad():
        dec_out = model.decoder(latents)
        mu, logvar = model.encoder(enc_in)
        samples = model.decoder(torch.randn(64, args.latent, generator=ref_gen))
        recon_in = test_x[:16]
        recon_out = model.decoder(model.encoder(recon_in)[0])
    shapes = {
        "latents": common.write_f32(os.path.join(out, "latents.bin"), latents),
        "decoder_reference": common.write_f32(os.path.join(out, "decoder_reference.bin"), dec_out),
        "encoder_inputs": common.write_f32(os.path.join(out, "encoder_inputs.bin"), enc_in),
        "encoder_mu": common.write_f32(os.path.join(out, "encoder_mu.bin"), mu),
        "encoder_logvar": common.write_f32(os.path.join(out, "encoder_logvar.bin"), logvar),
    }
    has_png = common.save_grid(os.path.join(out, "samples.png"), samples, rows=8, low=0.0, high=1.0)
    common.save_grid(os.path.join(out, "reconstructions.png"),
                     torch.cat([(recon_in + 1) * 0.5, recon_out]), rows=4, low=0.0, high=1.0)

    tail = history[-min(len(history), args.log_every):]
    manifest = {
        "model": "vae",
        "description": "convolutional beta-VAE for Fashion-MNIST 28x28x1; encoder input in "
                       "[-1, 1], decoder output Bernoulli means in [0, 1]",
        "data": {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)", "split": "train",
                 "examples": n, "test_examples": test_x.shape[0], "scaling": "x / 127.5 - 1",
                 "reconstruction_target": "(x + 1) / 2"},
        "hyperparameters": {"latent": args.latent, "beta": args.beta, "batch_size": args.batch_size,
                            "optimizer": "Adam", "lr": args.lr,
                            "loss": "BCE summed over pixels + beta * KL, mean over batch"},
        "seed": args.seed,
        "epochs": step / steps_per_epoch,
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "stopped_by": stopped_by,
        "final_losses": {
            "window_steps": len(tail),
            "train_loss": sum(h[0] for h in tail) / len(tail),
            "train_recon": sum(h[1] for h in tail) / len(tail),
            "train_kl": sum(h[2] for h in tail) / len(tail),
            "test_loss": test[0], "test_recon": test[1], "test_kl": test[2],
            "test_recon_mse": recon_mse,
            "test_recon_mse_definition": "mean over the 10,000 test images and 784 pixels of "
                                         "(decoder(mu(x)) - (x + 1) / 2)^2, pixels in [0, 1]",
        },
        "train_wall_seconds": round(train_seconds, 1),
        "runs": runs,
        "environment": common.environment(),
        "onnx": {
            "decoder": {"file": "decoder.onnx", "opset": 13, "mode": "eval",
                        "inputs": [{"name": "z", "shape": [1, args.latent]}],
                        "outputs": [{"name": "image", "shape": [1, 1, 28, 28], "layout": "NCHW"}]},
            "encoder": {"file": "encoder.onnx", "opset": 13, "mode": "eval",
                        "inputs": [{"name": "image", "shape": [1, 1, 28, 28], "layout": "NCHW"}],
                        "outputs": [{"name": "mu", "shape": [1, args.latent]},
                                    {"name": "logvar", "shape": [1, args.latent]}]},
        },
        "reference": {
            "seed": REFERENCE_SEED, "dtype": "float32 little-endian",
            "decoder": {"inputs": {"z": {"file": "latents.bin", "shape": shapes["latents"]}},
                        "outputs": {"image": {"file": "decoder_reference.bin",
                                              "shape": shapes["decoder_reference"]}}},
            "encoder": {"inputs": {"image": {"file": "encoder_inputs.bin",
                                             "shape": shapes["encoder_inputs"]}},
                        "outputs": {"mu": {"file": "encoder_mu.bin", "shape": shapes["encoder_mu"]},
                                    "logvar": {"file": "encoder_logvar.bin",
                                               "shape": shapes["encoder_logvar"]}}},
        },
        "samples_png": ["samples.png", "reconstructions.png"] if has_png else None,
    }
    manifest["files"] = {k: v for k, v in common.file_sizes(out).items()
                         if k != os.path.basename(state_path)}
    common.write_manifest(os.path.join(out, "manifest.json"), manifest)
    print(f"wrote {out}: {manifest['files']} in {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
