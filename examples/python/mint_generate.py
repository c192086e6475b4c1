#!/usr/bin/env python3
"""Generate text with a mint text plan from Python, through libmint.so and ctypes.

    python3 mint_generate.py model.mint -p "Once upon a time" -n 32 --library build/release/runtime/libmint.so

Only the standard library is used. The script:

  1. declares the tokenizer and generation part of include/mint/mint.h for ctypes,
  2. tokenizes the prompt (asking for the size first, as with snprintf), prints the ids and
     pieces, and checks that detokenizing gives the prompt back,
  3. generates, streaming text to stdout through a Python callback, and prints the statistics
     (time to first token, prefill and decode tokens/s) and the generated ids
     ("generated ids: 1 2 3") to stderr.

Plans without text-generation graphs fail in step 3 with invalid_argument ("the plan is not a
text plan ..."), reported as an error (exit 1). Prints "generation done" and exits 0
when every step succeeded.
"""
import argparse
import ctypes
import os
import sys

# ---- 1. The C ABI, declared for ctypes ------------------------------------------------------

MINT_STATUS_SUCCESS = 0

mint_status = ctypes.c_int
mint_model_t = ctypes.c_void_p
mint_session_t = ctypes.c_void_p

STOP_REASONS = {0: "max tokens", 1: "eos", 2: "stop token", 3: "context full", 4: "callback"}


class mint_session_options(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("num_threads", ctypes.c_size_t),
                ("max_isa", ctypes.c_char_p)]


class mint_generate_options(ctypes.Structure):
    """Generation options; mint_generate_options_init sets `size` and the defaults."""

    _fields_ = [
        ("size", ctypes.c_size_t),
        ("max_new_tokens", ctypes.c_size_t),
        ("temperature", ctypes.c_float),
        ("top_k", ctypes.c_int32),
        ("top_p", ctypes.c_float),
        ("repetition_penalty", ctypes.c_float),
        ("repetition_window", ctypes.c_size_t),
        ("seed", ctypes.c_uint64),
        ("stop_ids", ctypes.POINTER(ctypes.c_int32)),
        ("stop_id_count", ctypes.c_size_t),
        ("add_bos", ctypes.c_int),
        ("stop_at_eos", ctypes.c_int),
        ("prompt_ids", ctypes.POINTER(ctypes.c_int32)),
        ("prompt_id_count", ctypes.c_size_t),
    ]


class mint_generate_stats(ctypes.Structure):
    """Filled by mint_session_generate; the caller sets `size`."""

    _fields_ = [
        ("size", ctypes.c_size_t),
        ("prompt_tokens", ctypes.c_size_t),
        ("generated_tokens", ctypes.c_size_t),
        ("time_to_first_token_ms", ctypes.c_double),
        ("prefill_ms", ctypes.c_double),
        ("decode_ms", ctypes.c_double),
        ("prefill_tokens_per_s", ctypes.c_double),
        ("decode_tokens_per_s", ctypes.c_double),
        ("stop_reason", ctypes.c_int),
        ("stop_token", ctypes.c_int32),
    ]


# int (*)(void* user_data, int32_t token, const char* text, size_t text_size). The text is a
# raw pointer (not c_char_p, which would stop at a NUL byte).
mint_token_callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int32,
                                       ctypes.POINTER(ctypes.c_char), ctypes.c_size_t)

_SIZE_P = ctypes.POINTER(ctypes.c_size_t)
_I32_P = ctypes.POINTER(ctypes.c_int32)
_FUNCTIONS = {
    "mint_status_string": (ctypes.c_char_p, [mint_status]),
    "mint_last_error": (ctypes.c_char_p, []),
    "mint_model_load_file": (mint_status, [ctypes.c_char_p, ctypes.c_void_p,
                                           ctypes.POINTER(mint_model_t)]),
    "mint_model_free": (None, [mint_model_t]),
    "mint_model_tokenizer_info": (mint_status, [mint_model_t, _I32_P, _I32_P, _I32_P]),
    "mint_tokenize": (mint_status, [mint_model_t, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                    _I32_P, ctypes.c_size_t, _SIZE_P]),
    "mint_detokenize": (mint_status, [mint_model_t, _I32_P, ctypes.c_size_t, ctypes.c_char_p,
                                      ctypes.c_size_t, _SIZE_P]),
    "mint_token_to_piece": (mint_status, [mint_model_t, ctypes.c_int32, ctypes.c_char_p,
                                          ctypes.c_size_t, _SIZE_P]),
    "mint_session_create": (mint_status, [mint_model_t, ctypes.c_void_p,
                                          ctypes.POINTER(mint_session_t)]),
    "mint_session_free": (None, [mint_session_t]),
    "mint_generate_options_init": (None, [ctypes.POINTER(mint_generate_options)]),
    "mint_session_generate": (mint_status, [mint_session_t, ctypes.c_char_p,
                                            ctypes.POINTER(mint_generate_options),
                                            mint_token_callback, ctypes.c_void_p,
                                            ctypes.POINTER(mint_generate_stats)]),
    "mint_session_reset": (mint_status, [mint_session_t]),
}


def load_library(path):
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in _FUNCTIONS.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class MintError(Exception):
    def __init__(self, lib, function, status):
        self.status = status
        self.message = lib.mint_last_error().decode(errors="replace")
        super().__init__(f"{function}: {lib.mint_status_string(status).decode()}: {self.message}")


def call(lib, name, *args):
    status = getattr(lib, name)(*args)
    if status != MINT_STATUS_SUCCESS:
        raise MintError(lib, name, status)


# ---- 2. Tokenizer ------------------------------------------------------------------------------

def tokenize(lib, model, text):
    data = text.encode()
    n = ctypes.c_size_t()
    call(lib, "mint_tokenize", model, data, len(data), 0, None, 0, ctypes.byref(n))  # size only
    ids = (ctypes.c_int32 * max(n.value, 1))()
    call(lib, "mint_tokenize", model, data, len(data), 0, ids, n.value, ctypes.byref(n))
    return list(ids[: n.value])


def detokenize(lib, model, ids):
    array = (ctypes.c_int32 * max(len(ids), 1))(*ids)
    size = ctypes.c_size_t()
    call(lib, "mint_detokenize", model, array, len(ids), None, 0, ctypes.byref(size))
    buffer = ctypes.create_string_buffer(size.value + 1)
    call(lib, "mint_detokenize", model, array, len(ids), buffer, size.value + 1, ctypes.byref(size))
    return buffer.raw[: size.value]


def piece(lib, model, token):
    buffer = ctypes.create_string_buffer(64)
    size = ctypes.c_size_t()
    call(lib, "mint_token_to_piece", model, token, buffer, 64, ctypes.byref(size))
    if size.value >= 64:  # cut short: ask again with room for all of it
        buffer = ctypes.create_string_buffer(size.value + 1)
        call(lib, "mint_token_to_piece", model, token, buffer, size.value + 1, ctypes.byref(size))
    return buffer.raw[: size.value]


# ---- 3. Generation -----------------------------------------------------------------------------

def generate(lib, session, prompt, args):
    options = mint_generate_options()
    lib.mint_generate_options_init(ctypes.byref(options))
    options.max_new_tokens = args.max_new_tokens
    options.temperature = args.temperature
    options.top_k = args.top_k
    options.top_p = args.top_p
    options.seed = args.seed
    stats = mint_generate_stats(size=ctypes.sizeof(mint_generate_stats))

    generated = []

    def on_token(_user_data, token, text, size):
        if token >= 0:
            generated.append(token)
        sys.stdout.buffer.write(ctypes.string_at(text, size))
        sys.stdout.buffer.flush()
        return 0  # non-zero would stop generation

    callback = mint_token_callback(on_token)  # keep a reference for the duration of the call
    sys.stdout.write(prompt)
    sys.stdout.flush()
    try:
        call(lib, "mint_session_generate", session, prompt.encode(), ctypes.byref(options), callback,
             None, ctypes.byref(stats))
    finally:
        print()
    print(f"{stats.prompt_tokens} prompt tokens, {stats.generated_tokens} generated "
          f"(stop: {STOP_REASONS.get(stats.stop_reason, '?')}); time to first token "
          f"{stats.time_to_first_token_ms:.2f} ms; prefill {stats.prefill_tokens_per_s:.1f} tokens/s; "
          f"decode {stats.decode_tokens_per_s:.1f} tokens/s", file=sys.stderr)
    print("generated ids: " + " ".join(str(t) for t in generated), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan")
    parser.add_argument("-p", "--prompt", default="Hello")
    parser.add_argument("-n", "--max-new-tokens", type=int, default=32)
    parser.add_argument("--temperature", type=float, default=0.0, help="0: greedy (default)")
    parser.add_argument("--top-k", type=int, default=0)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--library", default=os.environ.get("MINT_LIBRARY"),
                        help="path of libmint.so (default: $MINT_LIBRARY)")
    args = parser.parse_args()
    if not args.library:
        parser.error("give the path of libmint.so with --library or MINT_LIBRARY")
    lib = load_library(args.library)

    model = mint_model_t()
    call(lib, "mint_model_load_file", args.plan.encode(), None, ctypes.byref(model))
    session = mint_session_t()
    try:
        vocab, bos, eos = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        call(lib, "mint_model_tokenizer_info", model, ctypes.byref(vocab), ctypes.byref(bos),
             ctypes.byref(eos))
        print(f"tokenizer: {vocab.value} tokens, bos {bos.value}, eos {eos.value}")
        ids = tokenize(lib, model, args.prompt)
        print(f"prompt: {len(ids)} tokens: " +
              " ".join(f"{t} {piece(lib, model, t)!r}" for t in ids))
        back = detokenize(lib, model, ids)
        if back != args.prompt.encode():
            raise AssertionError(f"detokenized {back!r}, want {args.prompt.encode()!r}")
        print(f"detokenized: {back.decode()!r} (round trip ok)")

        session_options = mint_session_options(size=ctypes.sizeof(mint_session_options),
                                               num_threads=args.threads, max_isa=None)
        call(lib, "mint_session_create", model, ctypes.byref(session_options), ctypes.byref(session))
        generate(lib, session, args.prompt, args)
    finally:
        lib.mint_session_free(session)
        lib.mint_model_free(model)
    print("generation done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (MintError, AssertionError, OSError) as error:
        print(f"mint_generate.py: {error}", file=sys.stderr)
        sys.exit(1)
