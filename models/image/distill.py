"""Knowledge distillation of a smaller DCGAN generator from the trained one, exported to ONNX.

The student has the teacher's layout (dcgan.Generator) at --ngf (default 16: half the width of
the committed g = 32 teacher, 64/32/16 hidden channels; about 41% of the weights, as the
first layer, 100 x c1 x 4 x 4, scales with the width only linearly). Each
step draws fresh latents z ~ N(0, I), runs the teacher (eval mode, the exported behaviour) and
the student (train mode) on the same z and minimises the L1 distance between their images
(optionally plus --feature-weight times the L1 distance of the 14x14 hidden activations, which
needs the student's hidden widths to match the teacher's, so it is off by default). No data
and no discriminator are used. Adam (lr 1e-3, betas (0.5, 0.999)), learning rate cosine-decayed
to 0 over max(step fraction, wall-time fraction). prune.py fine-tunes its pruned generators with
the same loop (`distill_loop`).

Run (Debian python3-torch, python3-numpy, python3-scipy; the trained DCGAN and classifier):

    /usr/bin/python3 models/image/distill.py --teacher models/image/trained/dcgan/generator.pt \
        --max-minutes 8 --out models/image/trained/dcgan_distilled
    /usr/bin/python3 models/image/distill.py --max-steps 3 --eval-count 500 --out /tmp/d  # smoke

Writes into --out:
    generator.pt        student state_dict (dcgan.load_generator reads it)
    generator.onnx      eval mode, opset 13: input "z" [1, 100, 1, 1], output "image" [1, 1, 28, 28]
    latents.bin         the DCGAN reference latents (seed 20240601), [8, 100, 1, 1]
    reference.bin       the student's outputs on them, [8, 1, 28, 28]
    samples.png         64 samples on the same latents as the teacher's samples.png
    manifest.json       teacher, widths, parameters, steps, losses, wall time, FID-FMNIST and
                        IS-FMNIST of student and teacher (metrics.py), file sizes
"""
import argparse
import math
import os
import time

import torch
import torch.nn.functional as F

import common
import dcgan
import metrics

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TEACHER = os.path.join(HERE, "trained", "dcgan", "generator.pt")


def parameter_count(module):
    """Learned parameters (conv weights, BatchNorm scales and shifts; not running stats)."""
    return sum(p.numel() for p in module.parameters())


def distill_loop(student, teacher, max_steps, max_minutes, batch_size, lr, feature_weight=0.0,
                 log_every=100, seed=1, log_prefix=""):
    """Trains `student` to reproduce `teacher` (kept in eval mode) on fresh latents, L1 on the
    images (+ feature_weight * L1 on the 14x14 hidden activations). Stops at max_steps or at
    the first step past max_minutes (0: no limit). Returns a summary dict."""
    teacher.eval()
    student.train()
    opt = torch.optim.Adam(student.parameters(), lr=lr, betas=(0.5, 0.999))
    gen = torch.Generator().manual_seed(seed)
    start = time.time()
    history, step, stopped_by = [], 0, "max_steps"

    def hidden(g, z):  # output of the third block (after its ReLU): 14x14
        return g.net[:9](z)

    while step < max_steps:
        by_time = (time.time() - start) / (60 * max_minutes) if max_minutes else 0.0
        progress = min(1.0, max(step / max_steps, by_time))
        for group in opt.param_groups:
            group["lr"] = lr * 0.5 * (1.0 + math.cos(math.pi * progress))
        z = torch.randn(batch_size, dcgan.LATENT, 1, 1, generator=gen)
        with torch.no_grad():
            target = teacher(z)
            target_hidden = hidden(teacher, z) if feature_weight else None
        opt.zero_grad(set_to_none=True)
        if feature_weight:
            h = hidden(student, z)
            out = student.net[9:](h)
            loss = F.l1_loss(out, target) + feature_weight * F.l1_loss(h, target_hidden)
        else:
            loss = F.l1_loss(student(z), target)
        loss.backward()
        opt.step()
        step += 1
        history.append(loss.item())
        if step % log_every == 0 or step == max_steps:
            recent = history[-log_every:]
            print(f"{log_prefix}step {step}/{max_steps} loss {sum(recent) / len(recent):.4f} "
                  f"lr {opt.param_groups[0]['lr']:.2e} {time.time() - start:.0f}s", flush=True)
        if max_minutes and time.time() - start > 60 * max_minutes:
            stopped_by = "max_minutes"
            break
    student.eval()
    tail = history[-min(len(history), log_every):]
    return {"steps": step, "stopped_by": stopped_by, "batch_size": batch_size, "lr": lr,
            "optimizer": "Adam, betas (0.5, 0.999), cosine to 0 over max(step, wall-time fraction)",
            "loss": "L1 between student and teacher images on the same fresh latents"
                    + (f" + {feature_weight} * L1 of the 14x14 activations" if feature_weight else ""),
            "first_loss": history[0] if history else None,
            "final_loss": {"window_steps": len(tail), "l1": sum(tail) / max(1, len(tail))},
            "wall_seconds": round(time.time() - start, 1)}


def write_outputs(out, generator):
    """generator.pt, generator.onnx, latents.bin, reference.bin, samples.png (DCGAN's seeds).
    Returns (latent shape, image shape, has_png)."""
    generator.eval()
    torch.save(generator.state_dict(), os.path.join(out, "generator.pt"))
    common.export_onnx(generator, torch.zeros(1, dcgan.LATENT, 1, 1),
                       os.path.join(out, "generator.onnx"), ["z"], ["image"])
    ref_gen = torch.Generator().manual_seed(dcgan.REFERENCE_SEED)
    latents = torch.randn(dcgan.REFERENCE_COUNT, dcgan.LATENT, 1, 1, generator=ref_gen)
    with torch.no_grad():
        images = generator(latents)
        grid = generator(torch.randn(64, dcgan.LATENT, 1, 1, generator=ref_gen))
    latents_shape = common.write_f32(os.path.join(out, "latents.bin"), latents)
    images_shape = common.write_f32(os.path.join(out, "reference.bin"), images)
    has_png = common.save_grid(os.path.join(out, "samples.png"), grid, rows=8)
    return latents_shape, images_shape, has_png


def onnx_entry(latents_shape, images_shape):
    return {
        "onnx": {"file": "generator.onnx", "opset": 13, "mode": "eval",
                 "inputs": [{"name": "z", "shape": [1, dcgan.LATENT, 1, 1], "layout": "NCHW"}],
                 "outputs": [{"name": "image", "shape": [1, 1, 28, 28], "layout": "NCHW"}]},
        "reference": {"seed": dcgan.REFERENCE_SEED, "dtype": "float32 little-endian",
                      "inputs": {"z": {"file": "latents.bin", "shape": latents_shape}},
                      "outputs": {"image": {"file": "reference.bin", "shape": images_shape}}},
    }


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--teacher", default=DEFAULT_TEACHER, help="teacher generator.pt")
    p.add_argument("--classifier", default=metrics.DEFAULT_CLASSIFIER,
                   help="classifier.pt for FID-FMNIST / IS-FMNIST")
    p.add_argument("--ngf", type=int, default=16, help="student width (4g, 2g, g channels)")
    p.add_argument("--max-steps", type=int, default=20000)
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="stop at the first step after this much wall time (0: no limit)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--feature-weight", type=float, default=0.0,
                   help="weight of the 14x14 activation L1 (needs equal hidden widths)")
    p.add_argument("--eval-count", type=int, default=metrics.DEFAULT_COUNT,
                   help="generated images for FID-FMNIST / IS-FMNIST")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    return p.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    common.seed_everything(args.seed, args.threads)
    start = time.time()
    teacher = dcgan.load_generator(args.teacher)
    student = dcgan.Generator(args.ngf)
    student.apply(dcgan.init_weights)
    if args.feature_weight and student.widths()[2] != teacher.widths()[2]:
        raise SystemExit(f"--feature-weight needs equal 14x14 widths: student {student.widths()}, "
                         f"teacher {teacher.widths()}")
    summary = distill_loop(student, teacher, args.max_steps, args.max_minutes, args.batch_size,
                           args.lr, args.feature_weight, args.log_every, args.seed)
    latents_shape, images_shape, has_png = write_outputs(args.out, student)

    scorer = metrics.Scorer(args.classifier)
    floor = scorer.floor(args.eval_count)
    quality = metrics.describe(scorer, scorer.score_dcgan(student, args.eval_count), floor)
    teacher_quality = scorer.score_dcgan(teacher, args.eval_count)
    print(f"student FID-FMNIST {quality['fid_fmnist']:.3f} IS-FMNIST {quality['is_fmnist']:.3f}; "
          f"teacher {teacher_quality['fid_fmnist']:.3f} / {teacher_quality['is_fmnist']:.3f}")

    manifest = {
        "model": "dcgan_distilled",
        "description": "DCGAN generator distilled from the trained one (same latents, L1 on "
                       "images), Fashion-MNIST 28x28x1, output in [-1, 1]",
        "teacher": {"file": os.path.relpath(os.path.abspath(args.teacher), HERE),
                    "widths": list(teacher.widths()), "parameters": parameter_count(teacher),
                    "fid_fmnist": teacher_quality["fid_fmnist"],
                    "is_fmnist": teacher_quality["is_fmnist"]},
        "widths": list(student.widths()),
        "ngf": args.ngf,
        "parameters": parameter_count(student),
        "parameters_ratio_to_teacher": parameter_count(student) / parameter_count(teacher),
        "seed": args.seed,
        "distillation": summary,
        "quality": quality,
        "wall_seconds": round(time.time() - start, 1),
        "environment": common.environment(),
        **onnx_entry(latents_shape, images_shape),
        "samples_png": "samples.png" if has_png else None,
    }
    manifest["files"] = common.file_sizes(args.out)
    common.write_manifest(os.path.join(args.out, "manifest.json"), manifest)
    print(f"wrote {args.out}: {manifest['files']} in {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
