"""Reference outputs of a checkpoint directory from the plain-PyTorch transformers forward passes
(modeling.py), for mint's tests: the logits of every position of a prompt and the greedy
continuation (each step recomputed over the whole sequence, no cache).

  /usr/bin/python3 models/text/make_reference.py DIR --ids 1,2,3 --new-tokens 64 --out ref.bin

Output (little-endian): u32 n_prompt, u32 n_new, u32 vocab, i32 prompt[n_prompt],
i32 greedy[n_new], f32 logits[n_prompt][vocab], f32 margin[n_new] (top-1 minus top-2 logit of
each greedy step, so a test can tell a near-tie from a real mismatch).
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modeling  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--ids", required=True, help="comma-separated prompt token ids")
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.set_num_threads(1)
    model, config = modeling.load_checkpoint(args.checkpoint)
    prompt = [int(t) for t in args.ids.split(",") if t]
    with torch.no_grad():
        logits = model(torch.tensor([prompt]))[0]
        seq, greedy, margins = list(prompt), [], []
        last = logits[-1]
        for _ in range(args.new_tokens):
            top = torch.topk(last, 2)
            token = int(top.indices[0])
            greedy.append(token)
            margins.append(float(top.values[0] - top.values[1]))
            seq.append(token)
            last = model(torch.tensor([seq]))[0, -1]
    with open(args.out, "wb") as f:
        f.write(struct.pack("<3I", len(prompt), len(greedy), logits.shape[1]))
        f.write(np.asarray(prompt, "<i4").tobytes())
        f.write(np.asarray(greedy, "<i4").tobytes())
        f.write(logits.numpy().astype("<f4").tobytes())
        f.write(np.asarray(margins, "<f4").tobytes())


if __name__ == "__main__":
    main()
