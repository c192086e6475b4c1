#!/usr/bin/python3
"""Independent Python references for tests/eval_*_test.cc (run with /usr/bin/python3).

    reference.py fid A.f64 B.f64 DIM      FID with scipy.linalg.sqrtm (pytorch-fid's formula)
    reference.py is LOGITS.f32 CLASSES SPLITS   Inception Score (openai/improved-gan formula)
    reference.py ssim A.f32 B.f32 H W     SSIM: scipy.ndimage.gaussian_filter(sigma 1.5,
                                          truncate 3.5), Wang's constants, crop 5 (skimage's
                                          structural_similarity with gaussian_weights=True,
                                          use_sample_covariance=False, data_range=1)
    reference.py compress DIR             writes raw / zlib / gzip test streams into DIR
    reference.py png FILE                 decodes FILE with zlib and matplotlib.image.imread
    reference.py idx PATH                 first labels / image sums of an IDX .gz via gzip
    reference.py tokenize FILE            sacrebleu's 13a tokenizer (regexes) per line
    reference.py bleu HYPS REFS...        corpus BLEU as sacrebleu computes it (defaults)
    reference.py ppl TOKENS LOGITS NCTX VOCAB STRIDE BOS
                                          llama-perplexity's loops over precomputed logits
    reference.py onnx-classifier PATH     writes a tiny ONNX classifier (logits, features)
                                          and its accuracy on the first 50 test images
    reference.py vae-recon REPO N         PyTorch reconstruction SSIM / MSE of the committed
                                          beta-VAE on the first N test images
Each prints "key value" lines.
"""
import gzip
import math
import re
import sys
import zlib
from collections import Counter

import numpy as np


def cmd_fid(a, b, dim):
    x = np.fromfile(a, dtype=np.float64).reshape(-1, int(dim))
    y = np.fromfile(b, dtype=np.float64).reshape(-1, int(dim))
    from scipy import linalg
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    diff = mu1 - mu2
    print("fid %.17g" % (diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)))


def cmd_is(path, classes, splits):
    logits = np.fromfile(path, dtype=np.float32).astype(np.float64).reshape(-1, int(classes))
    e = np.exp(logits - logits.max(1, keepdims=True))
    preds = e / e.sum(1, keepdims=True)
    n, splits = preds.shape[0], int(splits)
    scores = []
    for i in range(splits):
        part = preds[(i * n // splits):((i + 1) * n // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        kl = np.mean(np.sum(kl, 1))
        scores.append(np.exp(kl))
    print("mean %.17g" % np.mean(scores))
    print("std %.17g" % np.std(scores))


def cmd_ssim(a, b, h, w):
    from scipy.ndimage import gaussian_filter
    h, w = int(h), int(w)
    x = np.fromfile(a, dtype=np.float32).astype(np.float64).reshape(h, w)
    y = np.fromfile(b, dtype=np.float32).astype(np.float64).reshape(h, w)
    f = lambda v: gaussian_filter(v, sigma=1.5, truncate=3.5, mode="reflect")
    ux, uy = f(x), f(y)
    vx, vy, vxy = f(x * x) - ux * ux, f(y * y) - uy * uy, f(x * y) - ux * uy
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    print("ssim %.17g" % s[5:-5, 5:-5].mean())


def cmd_compress(d):
    rng = np.random.default_rng(7)
    # Text-like data (repeats: length/distance codes) and random bytes (literals, stored).
    words = [b"mint", b"plan", b"kernel", b"arena", b"gemm", b"\x00\x01", b" "]
    text = b"".join(words[i] for i in rng.integers(0, len(words), 40000))
    noise = rng.integers(0, 256, 70000, dtype=np.uint8).tobytes()
    cases = {
        "text": text,
        "noise": noise,
        "empty": b"",
    }
    for name, data in cases.items():
        open(f"{d}/{name}.raw", "wb").write(data)
        open(f"{d}/{name}.z9", "wb").write(zlib.compress(data, 9))
        open(f"{d}/{name}.z0", "wb").write(zlib.compress(data, 0))
        c = zlib.compressobj(6, zlib.DEFLATED, 15, 8, zlib.Z_FIXED)
        open(f"{d}/{name}.zfixed", "wb").write(c.compress(data) + c.flush())
        open(f"{d}/{name}.gz", "wb").write(gzip.compress(data, 9))
    print("cases %d" % len(cases))


def cmd_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        crc = int.from_bytes(data[pos + 8 + n:pos + 12 + n], "big")
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"IHDR":
            w, h = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
        if kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = [raw[r * (w + 1):(r + 1) * (w + 1)] for r in range(h)]
    assert all(row[0] == 0 for row in rows)
    pixels = b"".join(row[1:] for row in rows)
    print("width %d" % w)
    print("height %d" % h)
    print("zlib_sum %d" % sum(pixels))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image
    img = matplotlib.image.imread(path)
    print("imread_shape %s" % "x".join(str(s) for s in img.shape))
    print("imread_sum %d" % int(round(float((img.astype(np.float64) * 255).round().sum()))))


def cmd_idx(path):
    data = gzip.open(path, "rb").read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    body = data[4 + 4 * rank:]
    print("dims %s" % "x".join(map(str, dims)))
    print("first %s" % ",".join(str(b) for b in body[:10]))
    print("sum %d" % sum(body))


def tokenize_13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = " {} ".format(line)
    for pattern, repl in [(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])", r" \1 "),
                          (r"([^0-9])([\.,])", r"\1 \2 "),
                          (r"([\.,])([^0-9])", r" \1 \2"),
                          (r"([0-9])(-)", r"\1 \2 ")]:
        line = re.sub(pattern, repl, line)
    return " ".join(line.strip().split())


def read_lines(path):
    return open(path, encoding="utf-8", newline="\n").read().split("\n")[:-1]


def cmd_tokenize(path):
    for line in read_lines(path):
        print("tok " + tokenize_13a(line.replace("\\n", "\n")))


def ngrams(tokens):
    c = Counter()
    for n in range(1, 5):
        for i in range(len(tokens) - n + 1):
            c[tuple(tokens[i:i + n])] += 1
    return c


def cmd_bleu(hyp_path, *ref_paths):
    hyps = read_lines(hyp_path)
    refs = [read_lines(p) for p in ref_paths]
    correct, total, sys_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for i, hyp in enumerate(hyps):
        ref_max, lens = Counter(), []
        for stream in refs:
            toks = tokenize_13a(stream[i].rstrip()).split()
            lens.append(len(toks))
            for g, c in ngrams(toks).items():
                ref_max[g] = max(ref_max[g], c)
        toks = tokenize_13a(hyp.rstrip()).split()
        closest = min(lens, key=lambda l: (abs(l - len(toks)), l))
        sys_len += len(toks)
        ref_len += closest
        for g, c in ngrams(toks).items():
            correct[len(g) - 1] += min(c, ref_max.get(g, 0))
        for n in range(1, 5):
            total[n - 1] += max(0, len(toks) - n + 1)
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0)
    prec = [0.0] * 4
    score = 0.0
    if any(correct):
        smooth = 1.0
        for n in range(4):
            if total[n] == 0:
                break
            if correct[n] == 0:
                smooth *= 2
                prec[n] = 100.0 / (smooth * total[n])
            else:
                prec[n] = 100.0 * correct[n] / total[n]
        score = bp * math.exp(sum(math.log(p) if p > 0 else -9999999999 for p in prec) / 4)
    print("score %.17g" % score)
    print("bp %.17g" % bp)
    print("sys_len %d" % sys_len)
    print("ref_len %d" % ref_len)
    print("correct %s" % ",".join(map(str, correct)))
    print("total %s" % ",".join(map(str, total)))


def cmd_ppl(tokens_path, logits_path, n_ctx, vocab, stride, bos):
    """logits_path holds, for every window the C++ side evaluated, n_ctx x vocab float32 rows;
    windows are replayed in order. Mirrors llama.cpp perplexity()/perplexity_v2()."""
    tokens = np.fromfile(tokens_path, dtype=np.int32)
    n_ctx, vocab, stride, bos = int(n_ctx), int(vocab), int(stride), int(bos)
    logits = np.fromfile(logits_path, dtype=np.float32).reshape(-1, n_ctx, vocab)
    nll, count = 0.0, 0
    if stride == 0:
        n_chunk, first, step = len(tokens) // n_ctx, n_ctx // 2, n_ctx
    else:
        n_chunk, first, step = (len(tokens) - n_ctx + stride - 1) // stride, n_ctx - stride - 1, stride
    for i in range(n_chunk):
        start = i * step
        for j in range(first, n_ctx - 1):
            l = logits[i, j].astype(np.float64)
            m = l.max()
            logp = (l[tokens[start + j + 1]] - m) - math.log(np.exp(l - m).sum())
            nll -= logp
            count += 1
    print("chunks %d" % n_chunk)
    print("scored %d" % count)
    print("ppl %.17g" % math.exp(nll / count))


if __name__ == "__main__":
    cmds = {"fid": cmd_fid, "is": cmd_is, "ssim": cmd_ssim, "compress": cmd_compress, "png": cmd_png,
            "idx": cmd_idx, "tokenize": cmd_tokenize, "bleu": cmd_bleu, "ppl": cmd_ppl}
    if sys.argv[1] in cmds:
        cmds[sys.argv[1]](*sys.argv[2:])


def cmd_onnx_classifier(path):
    """A tiny Fashion-MNIST-shaped classifier in ONNX with the contract of
    evaluation/image_eval.h: input 'image' [1,1,28,28], outputs 'logits' [1,10] and
    'features' [1,32] (after a ReLU). Weights from a fixed seed, written as .npy-free raw f32
    next to the model (PATH.features.w etc.) so the test can recompute the outputs."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    rng = np.random.default_rng(3)
    w1 = (rng.standard_normal((32, 784)) * 0.05).astype(np.float32)
    b1 = (rng.standard_normal(32) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((10, 32)) * 0.3).astype(np.float32)
    b2 = (rng.standard_normal(10) * 0.1).astype(np.float32)
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "w1", "b1"], ["pre"], transB=1),
        helper.make_node("Relu", ["pre"], ["features"]),
        helper.make_node("Gemm", ["features", "w2", "b2"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_classifier",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 32])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
         numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    # Reference outputs on the first 50 test images (input in [-1, 1]).
    data = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb").read()[16:]
    x = np.frombuffer(data, dtype=np.uint8)[:50 * 784].reshape(50, 784).astype(np.float64) / 255.0 * 2 - 1
    feats = np.maximum(x @ w1.T.astype(np.float64) + b1, 0)
    logits = feats @ w2.T.astype(np.float64) + b2
    labels = np.frombuffer(gzip.open("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "rb").read()[8:],
                           dtype=np.uint8)[:50]
    print("correct %d" % int((logits.argmax(1) == labels).sum()))
    print("logit0 %.17g" % logits[0, 0])


def cmd_vae_recon(repo, count):
    """Reconstruction SSIM / MSE of the committed beta-VAE (models/image/trained/vae/vae.pt) in
    PyTorch on the first COUNT test images, SSIM as cmd_ssim computes it."""
    import torch
    torch.set_num_threads(1)
    sys.path.insert(0, repo + "/models/image")
    from vae import VAE
    from scipy.ndimage import gaussian_filter
    model = VAE(16)
    model.load_state_dict(torch.load(repo + "/models/image/trained/vae/vae.pt"))
    model.eval()
    n = int(count)
    data = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb").read()[16:]
    x = np.frombuffer(data, dtype=np.uint8)[:n * 784].reshape(n, 1, 28, 28).astype(np.float32) / 255
    with torch.no_grad():
        mu, _ = model.encoder(torch.from_numpy(x * 2 - 1))
        y = model.decoder(mu).numpy()
    f = lambda v: gaussian_filter(v, sigma=1.5, truncate=3.5, mode="reflect")
    ssims = []
    for a, b in zip(x.astype(np.float64)[:, 0], y.astype(np.float64)[:, 0]):
        ua, ub = f(a), f(b)
        va, vb, vab = f(a * a) - ua * ua, f(b * b) - ub * ub, f(a * b) - ua * ub
        s = ((2 * ua * ub + 1e-4) * (2 * vab + 9e-4)) / ((ua ** 2 + ub ** 2 + 1e-4) * (va + vb + 9e-4))
        ssims.append(s[5:-5, 5:-5].mean())
    print("ssim %.17g" % np.mean(ssims))
    print("mse %.17g" % np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2))


if __name__ == "__main__" and sys.argv[1] == "onnx-classifier":
    cmd_onnx_classifier(*sys.argv[2:])
if __name__ == "__main__" and sys.argv[1] == "vae-recon":
    cmd_vae_recon(*sys.argv[2:])
