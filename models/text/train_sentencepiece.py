"""Trains mint's SentencePiece BPE tokenizer on the train split (models/text/data.py).

Run with Debian's python3-sentencepiece (after scripts/fetch-text-data.sh):
    nice -n 10 /usr/bin/python3 models/text/train_sentencepiece.py [--out DIR]
writes DIR/tokenizer.model and DIR/manifest.json (default models/text/tokenizer/).

Settings are Llama's (its tokenizer.model trainer_spec / normalizer_spec), vocabulary 8000:
  model_type bpe, byte_fallback, unk 0 / bos 1 / eos 2 / no pad, split_digits,
  split_by_whitespace / unicode_script / number, allow_whitespace_only_pieces,
  max_sentencepiece_length 16, character_coverage 0.99995,
  normalization identity, add_dummy_prefix true, remove_extra_whitespaces false,
  escape_whitespaces true (" " -> U+2581).
Identity normalization is chosen so that mint's runtime (runtime/tokenizer/sentencepiece_bpe.*)
matches sentencepiece exactly without carrying nmt_nfkc's precompiled character map.
Training sentences are the split's lines (its documents cut at "\\n", empty lines dropped),
fed in order (no sampling, no shuffling, one thread), so the result is deterministic;
max_sentence_length is raised so that no line is skipped (some old addresses are one
200 KB paragraph). Newlines never reach the trainer; at encode time "\\n" falls back to <0x0A>.
"""
import argparse
import hashlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

import sentencepiece as spm  # noqa: E402

SETTINGS = dict(
    model_type="bpe",
    vocab_size=8000,
    byte_fallback=True,
    unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
    split_digits=True,
    split_by_whitespace=True,
    split_by_unicode_script=True,
    split_by_number=True,
    allow_whitespace_only_pieces=True,
    treat_whitespace_as_suffix=False,
    max_sentencepiece_length=16,
    character_coverage=0.99995,
    normalization_rule_name="identity",
    add_dummy_prefix=True,
    remove_extra_whitespaces=False,
    vocabulary_output_piece_score=True,
    hard_vocab_limit=True,
    num_threads=1,
    input_sentence_size=0,
    shuffle_input_sentence=False,
    max_sentence_length=1 << 20,
)


def training_lines(docs):
    for d in docs:
        for line in d.split("\n"):
            if line.strip():
                yield line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(data.ROOT, "models", "text", "tokenizer"))
    args = ap.parse_args()
    docs = data.split_documents("train")
    lines = list(training_lines(docs))
    corpus_sha = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf,
                                   minloglevel=1, **SETTINGS)
    model = buf.getvalue()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.model"), "wb") as f:
        f.write(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    manifest = {
        "file": "tokenizer.model",
        "format": "sentencepiece ModelProto (protobuf)",
        "bytes": len(model),
        "sha256": hashlib.sha256(model).hexdigest(),
        "vocab_size": sp.get_piece_size(),
        "trained_with": f"python3-sentencepiece {spm.__version__} (Debian)",
        "command": "nice -n 10 /usr/bin/python3 models/text/train_sentencepiece.py",
        "data": "models/text/data.py train split (docs/data.md)",
        "train_documents": len(docs),
        "train_lines": len(lines),
        "train_lines_sha256": corpus_sha,
        "settings": SETTINGS,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps({k: manifest[k] for k in ("bytes", "sha256", "vocab_size", "train_lines")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
