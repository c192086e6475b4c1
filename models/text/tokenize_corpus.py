"""Tokenizes the text splits (the documents of data.py) into
token-id streams the training scripts read: .data/text/<split>.<tokenizer>.u16 (little-endian
uint16, documents joined with the tokenizer's end-of-text id between them).

  gpt2: GPT-2's byte-level BPE as the npm package gpt-3-encoder@1.1.4 encodes (run by node,
        fetched by scripts/fetch-npm-data.sh); end of text = 50256 (<|endoftext|>).
  sp:   the committed SentencePiece BPE (models/text/tokenizer/tokenizer.model) through Debian's
        python3-sentencepiece; each document starts with BOS (1) and ends with EOS (2).

  /usr/bin/python3 models/text/tokenize_corpus.py --tokenizer gpt2|sp
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, ".data", "text")
SPLITS = ("train", "validation", "test")

NODE_ENCODER = r"""
const { encode } = require(process.argv[1]);
const fs = require('fs');
const docs = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(docs.map((d) => encode(d))));
"""


def gpt2_ids(docs):
    encoder = os.path.join(ROOT, ".data", "npm", "gpt-3-encoder-1.1.4", "index.js")
    out = subprocess.run(["node", "-e", NODE_ENCODER, encoder], input=json.dumps(docs).encode(),
                         capture_output=True, check=True).stdout
    ids = []
    for doc in json.loads(out):
        ids.extend(doc + [50256])
    return ids


def sp_ids(docs):
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=os.path.join(ROOT, "models", "text", "tokenizer", "tokenizer.model"))
    ids = []
    for doc in sp.encode(docs):
        ids.extend([sp.bos_id()] + doc + [sp.eos_id()])
    return ids


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tokenizer", choices=["gpt2", "sp"], required=True)
    args = p.parse_args()
    for split in SPLITS:
        ids = (gpt2_ids if args.tokenizer == "gpt2" else sp_ids)(data.split_documents(split))
        os.makedirs(TEXT, exist_ok=True)
        path = os.path.join(TEXT, f"{split}.{args.tokenizer}.u16")
        np.asarray(ids, dtype="<u2").tofile(path)
        print(f"{split}: {len(ids)} tokens -> {path}")


if __name__ == "__main__":
    main()
