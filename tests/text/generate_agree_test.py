#!/usr/bin/env python3
"""End to end: a checkpoint directory with tokenizer files -> `mint compile` (the tokenizer
embedded from the directory) -> greedy generation through `mint generate`, the C example
(examples/c/mint_generate_c.c) and the Python example (examples/python/mint_generate.py, via
libmint.so). All three must succeed, generate at least one token, and print the same
"generated ids:" line; the examples also check that the prompt detokenizes back to itself.

Usage: generate_agree_test.py --mint MINT --c-example EXE --library LIBMINT --python PY
                              --work DIR CHECKPOINT_DIR...
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY_EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples", "python", "mint_generate.py")
PROMPT = "Hello, world! The quick brown fox"
NEW = 12


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", env=env)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p.stdout, p.stderr


def ids_of(stderr, who):
    m = re.search(r"^generated ids:(.*)$", stderr, re.M)
    if not m:
        sys.exit(f"FAIL: {who} printed no 'generated ids:' line:\n{stderr}")
    ids = [int(t) for t in m.group(1).split()]
    if not ids:
        sys.exit(f"FAIL: {who} generated no tokens")
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mint", required=True)
    ap.add_argument("--c-example", required=True)
    ap.add_argument("--library", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    py_env = dict(os.environ)
    if os.environ.get("MINT_PY_PRELOAD"):  # ASan builds: the runtime first, no leak checks
        py_env["LD_PRELOAD"] = os.environ["MINT_PY_PRELOAD"]
        py_env["ASAN_OPTIONS"] = "detect_leaks=0"
    for ck in args.checkpoints:
        name = os.path.basename(os.path.normpath(ck))
        plan = os.path.join(args.work, name + ".mint")
        run([args.mint, "compile", ck, "-o", plan, "--context", "128"])
        out, _ = run([args.mint, "inspect", plan])
        tok = re.search(r"^tokenizer: .*$", out, re.M)
        if not tok:
            sys.exit(f"FAIL: {plan} carries no tokenizer:\n{out}")
        _, err = run([args.mint, "generate", plan, "-p", PROMPT, "-n", str(NEW), "--temperature", "0",
                      "--threads", "2"])
        cli = ids_of(err, "mint generate")
        out, err = run([args.c_example, plan, PROMPT, str(NEW), "2"])
        if "round trip ok" not in out or "generation done" not in out:
            sys.exit(f"FAIL: C example:\n{out}\n{err}")
        c = ids_of(err, "mint_generate_c")
        out, err = run([args.python, PY_EXAMPLE, plan, "-p", PROMPT, "-n", str(NEW), "--library",
                        args.library, "--threads", "1"], env=py_env)
        if "round trip ok" not in out or "generation done" not in out:
            sys.exit(f"FAIL: Python example:\n{out}\n{err}")
        py = ids_of(err, "mint_generate.py")
        if not (cli == c == py):
            sys.exit(f"FAIL: {name}: greedy ids differ\n  mint generate: {cli}\n  C: {c}\n  Python: {py}")
        print(f"{name}: {tok.group(0)}; {len(cli)} greedy ids agree: {cli}")
    print("all agree")


if __name__ == "__main__":
    main()
