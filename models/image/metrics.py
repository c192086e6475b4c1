"""FID-FMNIST and the Inception-style score of generated Fashion-MNIST images, both computed
with the Fashion-MNIST classifier of classifier.py (NOT Inception-v3: the figures are not
comparable with published ImageNet/Inception FID or IS, hence the names).

FID-FMNIST: the Frechet distance between Gaussians fitted to the classifier's 128 `features`
(penultimate layer) of the generated images and of the 10,000 test images,
    |mu_g - mu_t|^2 + Tr(S_g + S_t - 2 (S_g S_t)^(1/2)),
with scipy.linalg.sqrtm for the matrix square root (float64; the imaginary part sqrtm may
return from rounding is dropped). Lower is better. Its floor, the figure of real images, is
that of 10,000 training images (a fixed seeded draw) against the test images.
IS-FMNIST: exp(E_x KL(p(y|x) || p(y))) with p(y|x) the classifier's softmax and p(y) its mean
over the set; between 1 and 10 (the classes), higher is better. Its reference is the figure of
the test images themselves.

Images are [N, 1, 28, 28] in [-1, 1] (the VAE's [0, 1] means are mapped by 2x - 1).
Generated sets are drawn with a fixed latent seed (SAMPLE_SEED), so a figure is repeatable.

Library:
    import metrics
    scorer = metrics.Scorer("models/image/trained/classifier/classifier.pt")
    result = scorer.score(images)          # {"fid_fmnist": ..., "is_fmnist": ..., ...}
    result = scorer.score_dcgan(generator, count=10000)
    floor = scorer.floor()                 # train vs test

CLI (JSON on stdout; --manifest adds it to that manifest.json as "quality", or "floor"):
    /usr/bin/python3 models/image/metrics.py --floor \
        --manifest models/image/trained/classifier/manifest.json
    /usr/bin/python3 models/image/metrics.py --dcgan models/image/trained/dcgan/generator.pt \
        --manifest models/image/trained/dcgan/manifest.json
    /usr/bin/python3 models/image/metrics.py --vae models/image/trained/vae/vae.pt \
        --manifest models/image/trained/vae/manifest.json
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy.linalg
import torch

import classifier as classifier_module
import common
from data import load_fashion_mnist

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CLASSIFIER = os.path.join(HERE, "trained", "classifier", "classifier.pt")
SAMPLE_SEED = 20240700   # latents of the generated sets
FLOOR_SEED = 20240701    # the draw of training images for the floor
DEFAULT_COUNT = 10000


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """|mu1 - mu2|^2 + Tr(S1 + S2 - 2 sqrtm(S1 S2)) in float64."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    covmean, _ = scipy.linalg.sqrtm(sigma1 @ sigma2, disp=False)
    if not np.isfinite(covmean).all():
        # Singular product (e.g. fewer samples than features): regularise both, as the
        # reference FID implementation does.
        offset = np.eye(sigma1.shape[0]) * 1e-6
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def inception_score(probs):
    """exp(mean_x KL(p(y|x) || p(y))) of softmax rows `probs` [N, classes]."""
    p = np.asarray(probs, np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    eps = 1e-12
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)
    return float(np.exp(kl.mean()))


def statistics(features):
    """(mean, covariance) of features [N, D] in float64."""
    f = np.asarray(features, np.float64)
    return f.mean(axis=0), np.cov(f, rowvar=False)


class Scorer:
    """Holds the classifier and the test-set feature statistics (computed once)."""

    def __init__(self, classifier_path=DEFAULT_CLASSIFIER, batch=500):
        if not os.path.isfile(classifier_path):
            raise FileNotFoundError(
                f"{classifier_path}: no classifier; train it with models/image/classifier.py")
        self.classifier_path = classifier_path
        self.model = classifier_module.load(classifier_path)
        self.batch = batch
        self._test = None

    def features_and_probs(self, images):
        """(features [N, 128], softmax [N, 10]) as float64 numpy arrays; images in [-1, 1]."""
        feats, probs = [], []
        with torch.no_grad():
            for j in range(0, images.shape[0], self.batch):
                logits, f = self.model(images[j:j + self.batch].float())
                feats.append(f.double().numpy())
                probs.append(torch.softmax(logits.double(), dim=1).numpy())
        return np.concatenate(feats), np.concatenate(probs)

    def test_set(self):
        """(mean, covariance, softmax) of the 10,000 test images."""
        if self._test is None:
            test_x, _ = load_fashion_mnist("test")
            f, p = self.features_and_probs(test_x)
            self._test = statistics(f) + (p,)
        return self._test

    def score(self, images):
        """FID-FMNIST (vs the test images) and IS-FMNIST of `images` [N, 1, 28, 28] in [-1, 1]."""
        if images.dim() != 4 or tuple(images.shape[1:]) != (1, 28, 28):
            raise ValueError(f"images must be [N, 1, 28, 28], got {tuple(images.shape)}")
        mu_t, sigma_t, _ = self.test_set()
        f, p = self.features_and_probs(images.clamp(-1.0, 1.0))
        mu, sigma = statistics(f)
        return {"fid_fmnist": frechet_distance(mu, sigma, mu_t, sigma_t),
                "is_fmnist": inception_score(p),
                "count": int(images.shape[0])}

    def score_dcgan(self, generator, count=DEFAULT_COUNT):
        """Scores `count` samples of a DCGAN generator (eval mode) on seeded latents."""
        return self.score(sample_dcgan(generator, count))

    def score_vae(self, decoder, latent, count=DEFAULT_COUNT):
        """Scores `count` prior samples of a VAE decoder (Bernoulli means mapped to [-1, 1])."""
        gen = torch.Generator().manual_seed(SAMPLE_SEED)
        z = torch.randn(count, latent, generator=gen)
        with torch.no_grad():
            images = torch.cat([decoder(z[j:j + 1000]) for j in range(0, count, 1000)])
        return self.score(images * 2.0 - 1.0)

    def floor(self, count=DEFAULT_COUNT):
        """The figures of real images: `count` training images (seeded draw) vs the test set,
        and the IS-FMNIST of the test images."""
        train_x, _ = load_fashion_mnist("train")
        gen = torch.Generator().manual_seed(FLOOR_SEED)
        idx = torch.randperm(train_x.shape[0], generator=gen)[:count]
        result = self.score(train_x[idx])
        result["is_fmnist_test_images"] = inception_score(self.test_set()[2])
        return result


def sample_dcgan(generator, count=DEFAULT_COUNT):
    """`count` images of `generator` (eval mode) on the fixed latents of SAMPLE_SEED."""
    from dcgan import LATENT
    generator.eval()
    gen = torch.Generator().manual_seed(SAMPLE_SEED)
    z = torch.randn(count, LATENT, 1, 1, generator=gen)
    with torch.no_grad():
        return torch.cat([generator(z[j:j + 1000]) for j in range(0, count, 1000)])


def describe(scorer, result, floor=None):
    """A manifest entry: the figures with their definitions."""
    entry = {
        "metric": "FID-FMNIST / IS-FMNIST (features and softmax of the Fashion-MNIST classifier "
                  "of classifier.py, not Inception-v3)",
        "fid_fmnist": result["fid_fmnist"],
        "is_fmnist": result["is_fmnist"],
        "samples": result["count"],
        "sample_seed": SAMPLE_SEED,
        "reference": "the 10,000 Fashion-MNIST test images",
        "classifier": os.path.relpath(scorer.classifier_path, HERE),
    }
    if floor is not None:
        entry["floor"] = {"fid_fmnist_train_vs_test": floor["fid_fmnist"],
                          "is_fmnist_train_images": floor["is_fmnist"],
                          "is_fmnist_test_images": floor["is_fmnist_test_images"],
                          "train_images": floor["count"], "train_seed": FLOOR_SEED}
    return entry


def update_manifest(path, key, entry):
    with open(path) as f:
        manifest = json.load(f)
    manifest[key] = entry
    common.write_manifest(path, manifest)


def main():
    p = argparse.ArgumentParser(description="FID-FMNIST and IS-FMNIST (Fashion-MNIST classifier "
                                            "features) of generated images")
    p.add_argument("--classifier", default=DEFAULT_CLASSIFIER, help="classifier.pt")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--dcgan", help="a DCGAN generator.pt or generator.onnx (any width, "
                                       "pruned or distilled)")
    group.add_argument("--vae", help="a vae.pt (prior samples of its decoder)")
    group.add_argument("--floor", action="store_true",
                       help="only the real-image floor: train images vs test images")
    p.add_argument("--count", type=int, default=DEFAULT_COUNT, help="generated images")
    p.add_argument("--manifest", help="add the result to this manifest.json as \"quality\" "
                                      "(\"floor\" with --floor)")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    scorer = Scorer(args.classifier)
    floor = scorer.floor(args.count)
    if args.floor:
        entry = describe(scorer, floor)
        entry = {"metric": entry["metric"], "classifier": entry["classifier"],
                 "fid_fmnist_train_vs_test": floor["fid_fmnist"],
                 "is_fmnist_train_images": floor["is_fmnist"],
                 "is_fmnist_test_images": floor["is_fmnist_test_images"],
                 "train_images": floor["count"], "train_seed": FLOOR_SEED}
    elif args.dcgan:
        import dcgan
        entry = describe(scorer, scorer.score_dcgan(dcgan.load_generator(args.dcgan), args.count),
                         floor)
    else:
        import vae
        state = torch.load(args.vae)
        latent = state["decoder.fc.weight"].shape[1]
        model = vae.VAE(latent)
        model.load_state_dict(state)
        model.eval()
        entry = describe(scorer, scorer.score_vae(model.decoder, latent, args.count), floor)
    json.dump(entry, sys.stdout, indent=2)
    print()
    if args.manifest:
        update_manifest(args.manifest, "floor" if args.floor else "quality", entry)


if __name__ == "__main__":
    main()
