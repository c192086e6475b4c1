#!/usr/bin/env python3
"""Where the static int8 error of the DCGAN generator comes from, layer by layer.

Simulates the plan of `mint compile generator.onnx --weights int8 --calibration ...`
(compiler/quantize_static.h) in float64-free torch f32: batch norm folded into the transposed
convolutions, weights symmetric int8 per GEMM row (output channel x kernel tap, as
compiler/prepack_conv.cc), activations per tensor asymmetric from the calibration min / max
(per_tensor_quant), relu fused, the pre-tanh output in f32. Latents are the ones of
tests/static_quant_test.cc (std::mt19937 + std::normal_distribution<float>, seeds 76 / 77:
256 calibration, 64 held-out). Prints for each layer input its calibration range, the error
of the int8 plan at every intermediate (as the next layer reads it, dequantized), and the output error when only that one tensor
(or weight) is quantized; then the plan as compiled now (graph input not quantized, first layer
in f32 with f16 weights) and the old one (everything int8).

  /usr/bin/python3 scripts/static_quant_error.py [models/image/trained/dcgan/generator.onnx]
"""
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

F = np.float32


def normals(seed, n):
    """libstdc++ std::normal_distribution<float> over std::mt19937(seed) (Marsaglia polar)."""
    rs = np.random.RandomState(seed)  # legacy seeding = std::mt19937(seed)
    out = []
    while len(out) < n:
        u = rs.randint(0, 2**32, size=2, dtype=np.uint64)
        x = F(F(2.0) * F(F(u[0]) / F(4294967296.0)) - F(1.0))
        y = F(F(2.0) * F(F(u[1]) / F(4294967296.0)) - F(1.0))
        r2 = F(x * x + y * y)
        if r2 > 1 or r2 == 0:
            continue
        m = np.sqrt(F(-2) * np.log(r2) / r2, dtype=F)
        out += [F(y * m), F(x * m)]
    return np.array(out[:n], dtype=F)


def load(path):
    m = onnx.load(path)
    w = {i.name: torch.tensor(numpy_helper.to_array(i)) for i in m.graph.initializer}
    nodes = list(m.graph.node)
    layers = []
    for i, n in enumerate(nodes):
        if n.op_type != "ConvTranspose":
            continue
        a = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        wt = w[n.input[1]].clone()
        b = w[n.input[2]].clone() if len(n.input) > 2 else torch.zeros(wt.shape[1])
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        if nxt is not None and nxt.op_type == "BatchNormalization":
            g, be, mu, var = [w[x] for x in nxt.input[1:5]]
            eps = [onnx.helper.get_attribute_value(x) for x in nxt.attribute if x.name == "epsilon"]
            sc = g / torch.sqrt(var + (eps[0] if eps else 1e-5))
            wt, b = wt * sc.view(1, -1, 1, 1), (b - mu) * sc + be
        relu = any(x.op_type == "Relu" for x in nodes[i + 1:i + 3])
        layers.append((wt, b, a["strides"][0], a.get("pads", [0])[0], relu))
    return layers


def fake_quant(x, lo, hi):
    lo, hi = min(0.0, lo), max(0.0, hi)
    scale = (hi - lo) / 255 if hi > lo else 1.0
    zp = float(np.clip(np.round(-128 - lo / scale), -128, 127))
    return (torch.clamp(torch.round(x / scale) + zp, -128, 127) - zp) * scale


def quant_weights(w):  # [cin, cout, kh, kw]: one scale per (cout, kh, kw)
    s = w.abs().amax(dim=0, keepdim=True) / 127
    s[s == 0] = 1
    return torch.round(w / s).clamp(-127, 127) * s


def run(layers, z, ranges=None, acts=(), weights=(), f16=()):
    """Returns [input of every layer..., pre-tanh, output]; quantizes the inputs of the layers
    in `acts` with `ranges`, the weights of the layers in `weights` (int8) or `f16`."""
    x, outs = z, []
    for i, (w, b, s, p, relu) in enumerate(layers):
        if i in acts:
            x = fake_quant(x, *ranges[i])
        outs.append(x)  # what layer i reads
        if i in weights:
            w = quant_weights(w)
        elif i in f16:
            w = w.half().float()
        x = torch.nn.functional.conv_transpose2d(x, w, b, stride=s, padding=p)
        if relu:
            x = torch.relu(x)
    return outs + [x, torch.tanh(x)]


def errors(a, b):
    d = (a - b).abs()
    return d.max().item(), d.mean().item()


def main():
    torch.set_num_threads(1)
    layers = load(sys.argv[1] if len(sys.argv) > 1 else "models/image/trained/dcgan/generator.onnx")
    n = len(layers)
    cal = torch.tensor(normals(76, 256 * 100)).view(256, 100, 1, 1)
    held = torch.tensor(normals(77, 64 * 100)).view(64, 100, 1, 1)
    everything = set(range(n))
    with torch.no_grad():
        oc = run(layers, cal)
        ranges = [(o.min().item(), o.max().item()) for o in oc[:n]]
        ref = run(layers, held)
        q = run(layers, held, ranges, everything, everything)
        names = ["z"] + [f"relu{i}" for i in range(1, n)] + ["pre-tanh", "output"]
        print("held-out, calibrated on 256 N(0,1) latents; all tensors and weights int8:")
        print(f"{'tensor':9s} {'calib range':>18s} {'held-out range':>18s} {'p99.99|x|':>9s}"
              f" {'int8 err max':>12s} {'mean':>8s} {'rms/std':>8s}")
        for i, name in enumerate(names):
            r = f"[{ranges[i][0]:.3f}, {ranges[i][1]:.3f}]" if i < n else ""
            h = f"[{ref[i].min().item():.3f}, {ref[i].max().item():.3f}]"
            a = oc[i].flatten().abs()
            p = torch.quantile(a[: 1 << 24], 0.9999).item()
            e = q[i] - ref[i]
            print(f"{name:9s} {r:>18s} {h:>18s} {p:9.3f} {e.abs().max().item():12.4f}"
                  f" {e.abs().mean().item():8.5f} {(e.std() / ref[i].std()).item():8.4f}")
        print("output error with only one source quantized (max, mean):")
        for i in range(n):
            ea = errors(run(layers, held, ranges, {i}, set())[-1], ref[-1])
            ew = errors(run(layers, held, ranges, set(), {i})[-1], ref[-1])
            print(f"  input of layer {i} ({names[i]:6s}) {ea[0]:.4f} {ea[1]:.5f}   weights of layer {i}"
                  f" {ew[0]:.4f} {ew[1]:.5f}")
        rest = everything - {0}
        for what, acts, wq, f16 in [
            ("all int8 (before)", everything, everything, set()),
            ("z f32, layer 0 f16 weights, rest int8 (now)", rest, rest, {0}),
            ("only weights int8", set(), everything, set()),
            ("only activations int8", everything, set(), set()),
        ]:
            e = errors(run(layers, held, ranges, acts, wq, f16)[-1], ref[-1])
            print(f"{what:45s} max |err| {e[0]:.4f}, mean |err| {e[1]:.5f}")


if __name__ == "__main__":
    main()
