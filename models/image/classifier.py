"""Fashion-MNIST CNN classifier: the feature extractor of the FID-FMNIST and Inception-style
scores of metrics.py (the role Inception-v3 plays for ImageNet FID), exported to ONNX.

Net: x [N, 1, 28, 28] in [-1, 1] -> Conv 3x3 (32) + BatchNorm + ReLU -> MaxPool 2 -> 14x14x32
-> Conv 3x3 (64) + BatchNorm + ReLU -> MaxPool 2 -> 7x7x64 -> Conv 3x3 s2 (32) + BatchNorm +
ReLU -> 4x4x32 -> Flatten 512 -> Linear 128 + ReLU = `features` (the penultimate layer) ->
Dropout 0.3 (training only) -> Linear 10 = `logits`. About 105k parameters.
Adam (lr 1e-3, weight decay 1e-4), cross-entropy, batch 128. The learning rate follows a cosine
from lr to 0 over max(step / total steps, wall time / --max-minutes), so a run stopped by its
wall budget still ends with a decayed rate; a --resume run starts a new cycle (warm restart).

Run (Debian packages python3-torch, dataset-fashion-mnist, python3-numpy):

    /usr/bin/python3 models/image/classifier.py --epochs 4 --max-minutes 5 \
        --out models/image/trained/classifier
    /usr/bin/python3 models/image/classifier.py --max-steps 3 --out /tmp/cls-smoke   # smoke test

Writes into --out:
    classifier.pt       state_dict
    classifier.onnx     eval mode, opset 13: input "image" [1, 1, 28, 28] in [-1, 1] (NCHW),
                        outputs "logits" [1, 10] and "features" [1, 128]
    manifest.json       data, hyperparameters, epochs, steps, train loss, test accuracy and loss,
                        per-class test accuracy, seed, versions, wall time, file sizes
    train_state.pt      the training state for --resume (git-ignored; --state moves it)
"""
import argparse
import math
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

import common
from data import load_fashion_mnist

FEATURES = 128
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()

        def block(cin, cout, stride=1):
            return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                    nn.ReLU(inplace=True)]

        self.body = nn.Sequential(
            *block(1, 32), nn.MaxPool2d(2),     # 28 -> 14
            *block(32, 64), nn.MaxPool2d(2),    # 14 -> 7
            *block(64, 32, stride=2),           # 7 -> 4
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, FEATURES), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(FEATURES, len(CLASSES))

    def forward(self, x):
        """Returns (logits [N, 10], features [N, 128])."""
        features = self.body(x)
        return self.head(self.dropout(features)), features


def load(path):
    """The trained classifier from a classifier.pt state_dict, in eval mode."""
    model = Classifier()
    model.load_state_dict(torch.load(path))
    return model.eval()


def evaluate(model, x, y, batch=1000):
    """(accuracy, mean cross-entropy, per-class accuracy) of `model` in eval mode."""
    model.eval()
    correct, loss = 0, 0.0
    per_class = torch.zeros(len(CLASSES))
    with torch.no_grad():
        for j in range(0, x.shape[0], batch):
            logits, _ = model(x[j:j + batch])
            target = y[j:j + batch]
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            hit = logits.argmax(1) == target
            correct += hit.sum().item()
            per_class += torch.bincount(target[hit], minlength=len(CLASSES)).float()
    counts = torch.bincount(y, minlength=len(CLASSES)).float()
    return correct / x.shape[0], loss / x.shape[0], (per_class / counts).tolist()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--epochs", type=float, default=4.0, help="epochs (fractions allowed)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop at the first step after this much wall time (0: no limit)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--state", default="",
                   help="training state file written at the end (default: <out>/train_state.pt)")
    p.add_argument("--resume", action="store_true",
                   help="continue from --state; --epochs / --max-steps count the total steps, "
                        "--max-minutes this run's wall time")
    return p.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    common.seed_everything(args.seed, args.threads)
    start = time.time()

    train_x, train_y = load_fashion_mnist("train")
    test_x, test_y = load_fashion_mnist("test")
    n = train_x.shape[0]
    steps_per_epoch = n // args.batch_size
    epoch_steps = int(round(args.epochs * steps_per_epoch))
    total_steps = min(epoch_steps, args.max_steps) if args.max_steps else epoch_steps
    stopped_by = "max_steps" if total_steps < epoch_steps else "epochs"

    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    shuffle = torch.Generator().manual_seed(args.seed)
    step, history, perm = 0, [], None
    previous_seconds, runs, progress = 0.0, [], 0.0
    state_path = args.state or os.path.join(args.out, "train_state.pt")
    if args.resume:
        state = common.load_train_state(state_path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        shuffle.set_state(state["shuffle"])
        step, history, perm = state["step"], state["history"], state["perm"]
        previous_seconds, runs, progress = state["train_wall_seconds"], state["runs"], state["progress"]
        print(f"resumed from {state_path} at step {step}", flush=True)
    first_step = step
    model.train()
    while step < total_steps:
        # Cosine schedule over the larger of this run's step and wall-time fractions (a resumed
        # run starts a new cosine cycle from --lr, a warm restart).
        by_steps = (step - first_step) / max(1, total_steps - first_step)
        by_time = (time.time() - start) / (60 * args.max_minutes) if args.max_minutes else 0.0
        progress = min(1.0, max(by_steps, by_time))
        for group in opt.param_groups:
            group["lr"] = args.lr * 0.5 * (1.0 + math.cos(math.pi * progress))
        if step % steps_per_epoch == 0:
            perm = torch.randperm(n, generator=shuffle)
        i = step % steps_per_epoch
        idx = perm[i * args.batch_size:(i + 1) * args.batch_size]
        opt.zero_grad(set_to_none=True)
        logits, _ = model(train_x[idx])
        loss = F.cross_entropy(logits, train_y[idx])
        loss.backward()
        opt.step()
        step += 1
        history.append(loss.item())
        if step % args.log_every == 0 or step == total_steps:
            recent = history[-args.log_every:]
            print(f"step {step}/{total_steps} epoch {step / steps_per_epoch:.2f} "
                  f"loss {sum(recent) / len(recent):.4f} lr {opt.param_groups[0]['lr']:.2e} "
                  f"{time.time() - start:.0f}s", flush=True)
        if args.max_minutes and time.time() - start > 60 * args.max_minutes:
            stopped_by = "max_minutes"
            break
    run_seconds = time.time() - start
    train_seconds = previous_seconds + run_seconds
    runs = runs + [{"first_step": first_step, "last_step": step, "wall_seconds": round(run_seconds, 1),
                    "cpu_seconds": round(time.process_time(), 1),
                    "stopped_by": stopped_by, "lr": args.lr}]
    common.save_train_state(state_path, {
        "args": vars(args), "model": model.state_dict(), "opt": opt.state_dict(),
        "shuffle": shuffle.get_state(), "step": step, "history": history, "perm": perm,
        "train_wall_seconds": train_seconds, "runs": runs, "progress": progress})

    accuracy, test_loss, per_class = evaluate(model, test_x, test_y)
    print(f"test accuracy {accuracy:.4f} loss {test_loss:.4f}", flush=True)

    model.eval()
    torch.save(model.state_dict(), os.path.join(args.out, "classifier.pt"))
    common.export_onnx(model, torch.zeros(1, 1, 28, 28), os.path.join(args.out, "classifier.onnx"),
                       ["image"], ["logits", "features"])
    tail = history[-min(len(history), args.log_every):]
    manifest = {
        "model": "classifier",
        "description": "Fashion-MNIST CNN classifier, the feature extractor of FID-FMNIST and "
                       "the Inception-style score (metrics.py); input in [-1, 1]",
        "data": {"dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)", "split": "train",
                 "examples": n, "test_examples": test_x.shape[0], "scaling": "x / 127.5 - 1"},
        "hyperparameters": {"batch_size": args.batch_size, "optimizer": "Adam", "lr": args.lr,
                            "weight_decay": args.weight_decay, "dropout": 0.3,
                            "schedule": "cosine to 0 over max(step fraction, wall-time fraction)",
                            "loss": "cross-entropy", "features": FEATURES},
        "parameters": sum(p.numel() for p in model.parameters()),
        "seed": args.seed,
        "epochs": step / steps_per_epoch,
        "steps": step,
        "steps_per_epoch": steps_per_epoch,
        "stopped_by": stopped_by,
        "final_train_loss": {"window_steps": len(tail), "loss": sum(tail) / len(tail)},
        "test": {"accuracy": accuracy, "loss": test_loss,
                 "per_class_accuracy": dict(zip(CLASSES, per_class))},
        "train_wall_seconds": round(train_seconds, 1),
        "runs": runs,
        "environment": common.environment(),
        "onnx": {"file": "classifier.onnx", "opset": 13, "mode": "eval",
                 "inputs": [{"name": "image", "shape": [1, 1, 28, 28], "layout": "NCHW"}],
                 "outputs": [{"name": "logits", "shape": [1, len(CLASSES)]},
                             {"name": "features", "shape": [1, FEATURES],
                              "definition": "ReLU of the Linear 512 -> 128, the penultimate layer"}]},
        "classes": CLASSES,
    }
    manifest["files"] = {k: v for k, v in common.file_sizes(args.out).items()
                         if k != os.path.basename(state_path)}
    common.write_manifest(os.path.join(args.out, "manifest.json"), manifest)
    print(f"wrote {args.out}: {manifest['files']} in {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
