"""Structured channel pruning of the trained DCGAN generator, then a short fine-tune by
distillation from the unpruned generator; pruned models exported to ONNX.

The rule (the mint compiler's `--prune-channels R` applies the same one to the ONNX graph):
for each ConvTranspose of the generator except the last (whose output is the image), in graph
order (net.0, net.3, net.6):
  1. fold the BatchNorm that follows it into it: W'[cin, c, kh, kw] = W[cin, c, kh, kw] * s[c],
     s = gamma / sqrt(running_var + eps) (the folded bias plays no part in the ranking);
  2. score each output filter c by the L1 norm of W'[:, c, :, :] over (cin, kh, kw), computed
     in float64 from the float32 weights, on the layer's weights as they are at that point,
     i.e. after the input channels removed by the previous layer's pruning;
  3. keep the k = ceil((1 - R) * C) highest-scoring filters (at least 1), ties broken by the
     lower index, in their original order;
  4. remove the other filters physically: the ConvTranspose's output channels, the matching
     BatchNorm channels and the matching input channels of the next ConvTranspose.
The kept indices of every layer are written to the manifest (`pruning.kept`) so the compiler's
choice can be compared with them; `pruning.same_kept_with_unpruned_scores` says whether ranking
every layer on the unpruned weights instead (step 2 without the input removal) keeps the same
channels on this generator.

Fine-tune: distillation from the unpruned generator (distill.distill_loop: L1 between the
images of the pruned student and the unpruned teacher on the same fresh latents, Adam, lr
cosine-decayed), chosen over adversarial fine-tuning because it needs neither the
discriminator nor data, is stable for a few hundred steps and directly targets "behave like the
unpruned model", which is what the compiler's pruning is compared with.

Run (the trained DCGAN and classifier; --max-minutes is the budget of EACH ratio's fine-tune):

    /usr/bin/python3 models/image/prune.py --ratios 0.3 0.5 0.7 --max-minutes 3 \
        --out-root models/image/trained
    /usr/bin/python3 models/image/prune.py --max-steps 3 --eval-count 500 --out-root /tmp/p

Writes, for each ratio R, into <out-root>/dcgan_pruned_r<100 R>/ (e.g. dcgan_pruned_r30):
    generator.pt, generator.onnx, latents.bin, reference.bin, samples.png (as distill.py)
    manifest.json   the rule, widths and parameter counts before / after, kept indices,
                    fine-tune summary, FID-FMNIST / IS-FMNIST of the unpruned generator, of the
                    pruned one before and after the fine-tune, file sizes
"""
import argparse
import copy
import math
import os
import time

import torch

import common
import dcgan
import distill
import metrics

PRUNABLE = (0, 3, 6)  # ConvTranspose indices in Generator.net; BatchNorm at +1, next conv at +3
RULE = ("for each ConvTranspose but the last, in graph order: fold the following BatchNorm "
        "(W * gamma / sqrt(var + eps)), L1 norm of each output filter over (cin, kh, kw) in "
        "float64 on the current weights (after the previous layer's input-channel removal), keep "
        "the ceil((1 - R) * C) largest (ties: lower index) in original order, remove the others "
        "with their BatchNorm channels and the next ConvTranspose's input channels")


def keep_count(ratio, channels):
    """ceil((1 - ratio) * channels) in double precision, clamped to [1, channels]."""
    return max(1, min(channels, math.ceil((1.0 - ratio) * channels)))


def filter_scores(weight, gamma, running_var, eps):
    """L1 norms over (cin, kh, kw) of the BatchNorm-folded ConvTranspose weight [cin, cout, kh, kw]."""
    scale = gamma.double() / torch.sqrt(running_var.double() + eps)
    return (weight.double() * scale[None, :, None, None]).abs().sum(dim=(0, 2, 3))


def select(scores, k):
    """Indices of the k largest scores, ties to the lower index, in ascending order."""
    values = scores.tolist()
    order = sorted(range(len(values)), key=lambda c: (-values[c], c))
    return sorted(order[:k])


def prune_state_dict(state_dict, ratio, eps=1e-5, sequential=True):
    """Applies the rule to a generator state_dict. Returns (pruned state_dict, kept indices per
    layer). sequential=False scores every layer on the unpruned weights (for the comparison)."""
    state = {k: v.clone() for k, v in state_dict.items()}
    original = state_dict
    kept = []
    for i in PRUNABLE:
        w_key, bn = f"net.{i}.weight", f"net.{i + 1}"
        source = state if sequential else original
        scores = filter_scores(source[w_key], source[bn + ".weight"], source[bn + ".running_var"], eps)
        keep = select(scores, keep_count(ratio, scores.numel()))
        kept.append(keep)
        index = torch.tensor(keep, dtype=torch.long)
        state[w_key] = state[w_key][:, index].contiguous()
        for name in ("weight", "bias", "running_mean", "running_var"):
            state[f"{bn}.{name}"] = state[f"{bn}.{name}"][index].contiguous()
        next_key = f"net.{i + 3}.weight"
        state[next_key] = state[next_key][index].contiguous()
    return state, kept


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out-root", required=True,
                   help="parent directory of the dcgan_pruned_r<NN> output folders")
    p.add_argument("--generator", default=distill.DEFAULT_TEACHER, help="trained generator.pt")
    p.add_argument("--classifier", default=metrics.DEFAULT_CLASSIFIER,
                   help="classifier.pt for FID-FMNIST / IS-FMNIST")
    p.add_argument("--ratios", type=float, nargs="+", default=[0.3, 0.5, 0.7],
                   help="pruning ratios R (fraction of the channels removed per layer)")
    p.add_argument("--max-steps", type=int, default=20000, help="fine-tune steps per ratio")
    p.add_argument("--max-minutes", type=float, default=0.0,
                   help="fine-tune wall budget per ratio (0: no limit)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--eval-count", type=int, default=metrics.DEFAULT_COUNT,
                   help="generated images for FID-FMNIST / IS-FMNIST")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    return p.parse_args()


def main():
    args = parse_args()
    common.seed_everything(args.seed, args.threads)
    teacher = dcgan.load_generator(args.generator)
    teacher_state = teacher.state_dict()
    scorer = metrics.Scorer(args.classifier)
    floor = scorer.floor(args.eval_count)
    teacher_quality = scorer.score_dcgan(teacher, args.eval_count)
    print(f"unpruned {teacher.widths()}: FID-FMNIST {teacher_quality['fid_fmnist']:.3f} "
          f"IS-FMNIST {teacher_quality['is_fmnist']:.3f}", flush=True)

    for ratio in args.ratios:
        if not 0.0 <= ratio < 1.0:
            raise SystemExit(f"--ratios: {ratio} is not in [0, 1)")
        start = time.time()
        out = os.path.join(args.out_root, f"dcgan_pruned_r{round(100 * ratio):02d}")
        os.makedirs(out, exist_ok=True)
        state, kept = prune_state_dict(teacher_state, ratio)
        _, kept_unpruned_scores = prune_state_dict(teacher_state, ratio, sequential=False)
        student = dcgan.generator_from_state_dict(state)
        before = scorer.score_dcgan(student, args.eval_count)
        print(f"R {ratio}: widths {teacher.widths()} -> {student.widths()}, before fine-tune "
              f"FID-FMNIST {before['fid_fmnist']:.3f} IS-FMNIST {before['is_fmnist']:.3f}", flush=True)
        summary = distill.distill_loop(student, copy.deepcopy(teacher), args.max_steps,
                                       args.max_minutes, args.batch_size, args.lr,
                                       log_every=args.log_every, seed=args.seed,
                                       log_prefix=f"R {ratio} ")
        latents_shape, images_shape, has_png = distill.write_outputs(out, student)
        quality = metrics.describe(scorer, scorer.score_dcgan(student, args.eval_count), floor)
        print(f"R {ratio}: after fine-tune FID-FMNIST {quality['fid_fmnist']:.3f} "
              f"IS-FMNIST {quality['is_fmnist']:.3f}", flush=True)
        params_before, params_after = (distill.parameter_count(teacher),
                                       distill.parameter_count(student))
        manifest = {
            "model": "dcgan_pruned",
            "description": f"DCGAN generator with {ratio:.0%} of the hidden channels of each "
                           "layer pruned (structured), fine-tuned by distillation from the "
                           "unpruned one; Fashion-MNIST 28x28x1, output in [-1, 1]",
            "unpruned": {"file": os.path.relpath(os.path.abspath(args.generator), distill.HERE),
                         "widths": list(teacher.widths()), "parameters": params_before,
                         "fid_fmnist": teacher_quality["fid_fmnist"],
                         "is_fmnist": teacher_quality["is_fmnist"]},
            "pruning": {"ratio": ratio, "rule": RULE,
                        "widths_before": list(teacher.widths()),
                        "widths_after": list(student.widths()),
                        "kept": {f"net.{i}": k for i, k in zip(PRUNABLE, kept)},
                        "same_kept_with_unpruned_scores": kept == kept_unpruned_scores},
            "parameters_before": params_before,
            "parameters_after": params_after,
            "parameters_ratio": params_after / params_before,
            "quality_before_fine_tune": {"fid_fmnist": before["fid_fmnist"],
                                         "is_fmnist": before["is_fmnist"]},
            "fine_tune": dict(summary, method="distillation from the unpruned generator"),
            "quality": quality,
            "seed": args.seed,
            "wall_seconds": round(time.time() - start, 1),
            "environment": common.environment(),
            **distill.onnx_entry(latents_shape, images_shape),
            "samples_png": "samples.png" if has_png else None,
        }
        manifest["files"] = common.file_sizes(out)
        common.write_manifest(os.path.join(out, "manifest.json"), manifest)
        print(f"wrote {out}: {manifest['files']}", flush=True)


if __name__ == "__main__":
    main()
