"""Checks modeling.forward_cached (prefill then token-by-token decode with the KV cache) against
the no-cache forward() on tiny random GPT-2 and Llama (GQA, tied) models.
Run: /usr/bin/python3 models/text/test_kv_cache.py   (exits 1 on a mismatch)"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modeling as m  # noqa: E402

TOL = 1e-5


def main():
    torch.manual_seed(0)
    cfgs = [dict(architectures=["GPT2LMHeadModel"], vocab_size=100, n_embd=32, n_layer=2, n_head=4,
                 n_positions=64),
            dict(architectures=["LlamaForCausalLM"], vocab_size=100, hidden_size=48, num_hidden_layers=2,
                 num_attention_heads=6, num_key_value_heads=2, intermediate_size=64, tie_word_embeddings=True),
            dict(architectures=["LlamaForCausalLM"], vocab_size=100, hidden_size=32, num_hidden_layers=1,
                 num_attention_heads=4, num_key_value_heads=4, intermediate_size=64)]
    bad = 0
    for c in cfgs:
        model = m.build(c).eval()
        ids = torch.randint(0, 100, (1, 20))
        with torch.no_grad():
            ref = model(ids)
            lg, past = model.forward_cached(ids[:, :12], m.empty_cache(model), last_only=False)
            out = [lg]
            for i in range(12, 20):
                lg, past = model.forward_cached(ids[:, i:i + 1], past)
                out.append(lg)
            got = torch.cat(out, 1)
            last, _ = model.forward_cached(ids, m.empty_cache(model))
        err = max((got - ref).abs().max().item(), (last[:, 0] - ref[:, -1]).abs().max().item())
        ok = err <= TOL and past[0][0].shape[2] == 20
        bad += not ok
        print(f"{c['architectures'][0]}: max |cached - forward| = {err:.2e} {'ok' if ok else 'FAIL'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
