#!/usr/bin/env python3
"""Run a mint plan from Python through libmint.so and ctypes.

    mint compile builtin:mlp -o mlp.mint
    python3 mint_example.py mlp.mint --library build/runtime/libmint.so
    MINT_LIBRARY=/usr/local/lib/libmint.so python3 mint_example.py mlp.mint

Only the standard library is used (ctypes, array): no compiled extension, no NumPy. The
script walks through the C API of include/mint/mint.h the way an application would:

  1. declare the C types and functions for ctypes (the part to copy into your own code),
  2. load a plan and list its inputs and outputs,
  3. create a session with two threads, fill the f32 inputs with a deterministic pattern,
     run, and print the first values of every output,
  4. show how errors come back: a call returns a mint_status, and mint_last_error() says
     what was wrong; here they become a Python exception, MintError.

Prints "all checks passed" and exits 0 when everything behaved as documented.
"""
import argparse
import array
import ctypes
import os
import sys

# ---- 1. The C ABI, declared for ctypes ----------------------------------------------------
# Mirrors include/mint/mint.h. Enums are C ints; handles are opaque pointers.

MINT_STATUS_SUCCESS = 0
MINT_STATUS_INVALID_ARGUMENT = 1
MINT_STATUS_INVALID_STATE = 2
MINT_STATUS_IO_ERROR = 100

MINT_DTYPE_F32 = 0

mint_status = ctypes.c_int
mint_dtype = ctypes.c_int
mint_model_t = ctypes.c_void_p
mint_session_t = ctypes.c_void_p


class mint_tensor_info(ctypes.Structure):
    """Describes an input or output. The caller sets `size` to sizeof(mint_tensor_info)."""

    _fields_ = [
        ("size", ctypes.c_size_t),
        ("name", ctypes.c_char_p),
        ("dtype", mint_dtype),
        ("rank", ctypes.c_size_t),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("byte_size", ctypes.c_size_t),
    ]


class mint_session_options(ctypes.Structure):
    """Session options; mint_session_options_init sets `size` and the defaults."""

    _fields_ = [
        ("size", ctypes.c_size_t),
        ("num_threads", ctypes.c_size_t),
        ("max_isa", ctypes.c_char_p),
    ]


# name: (restype, argtypes). Declaring every argument lets ctypes convert and check calls
# (without argtypes, a Python int passed as size_t would be truncated to a C int).
_FUNCTIONS = {
    "mint_version": (ctypes.c_char_p, []),
    "mint_status_string": (ctypes.c_char_p, [mint_status]),
    "mint_last_error": (ctypes.c_char_p, []),
    "mint_dtype_string": (ctypes.c_char_p, [mint_dtype]),
    "mint_model_load_file": (mint_status, [ctypes.c_char_p, ctypes.c_void_p,
                                           ctypes.POINTER(mint_model_t)]),
    "mint_model_free": (None, [mint_model_t]),
    "mint_model_input_count": (mint_status, [mint_model_t, ctypes.POINTER(ctypes.c_size_t)]),
    "mint_model_output_count": (mint_status, [mint_model_t, ctypes.POINTER(ctypes.c_size_t)]),
    "mint_model_input_info": (mint_status, [mint_model_t, ctypes.c_size_t,
                                            ctypes.POINTER(mint_tensor_info)]),
    "mint_model_output_info": (mint_status, [mint_model_t, ctypes.c_size_t,
                                             ctypes.POINTER(mint_tensor_info)]),
    "mint_session_options_init": (None, [ctypes.POINTER(mint_session_options)]),
    "mint_session_create": (mint_status, [mint_model_t, ctypes.POINTER(mint_session_options),
                                          ctypes.POINTER(mint_session_t)]),
    "mint_session_free": (None, [mint_session_t]),
    "mint_session_isa": (mint_status, [mint_session_t, ctypes.POINTER(ctypes.c_char_p)]),
    "mint_session_set_input": (mint_status, [mint_session_t, ctypes.c_size_t, ctypes.c_void_p,
                                             ctypes.c_size_t]),
    "mint_session_run": (mint_status, [mint_session_t]),
    "mint_session_get_output": (mint_status, [mint_session_t, ctypes.c_size_t, ctypes.c_void_p,
                                              ctypes.c_size_t]),
}


def load_library(path):
    """Opens libmint.so and declares the functions this script calls."""
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in _FUNCTIONS.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class MintError(Exception):
    """A failed call: which function, its mint_status, and mint_last_error()'s message."""

    def __init__(self, lib, function, status):
        self.function = function
        self.status = status
        self.status_name = lib.mint_status_string(status).decode()
        # The message belongs to this thread and lasts until its next mint call: read it now.
        self.message = lib.mint_last_error().decode()
        super().__init__(f"{function}: {self.status_name}: {self.message}")


def call(lib, name, *args):
    """Calls a function returning mint_status; raises MintError unless it succeeded."""
    status = getattr(lib, name)(*args)
    if status != MINT_STATUS_SUCCESS:
        raise MintError(lib, name, status)


# ---- 2. Models: loading and describing ------------------------------------------------------

def tensor_info(lib, model, kind, index):
    """Returns (name, dtype, shape, byte_size) of an input or output; kind: "input", "output"."""
    info = mint_tensor_info(size=ctypes.sizeof(mint_tensor_info))
    call(lib, f"mint_model_{kind}_info", model, index, ctypes.byref(info))
    shape = [info.shape[d] for d in range(info.rank)]
    return info.name.decode(), info.dtype, shape, info.byte_size


def count(lib, model, kind):
    n = ctypes.c_size_t()
    call(lib, f"mint_model_{kind}_count", model, ctypes.byref(n))
    return n.value


def describe(lib, model):
    for kind in ("input", "output"):
        n = count(lib, model, kind)
        print(f"{n} {kind}(s):")
        for i in range(n):
            name, dtype, shape, byte_size = tensor_info(lib, model, kind, i)
            dims = ", ".join(str(d) for d in shape)
            print(f"  {kind} {i}: '{name}' {lib.mint_dtype_string(dtype).decode()} [{dims}] "
                  f"({byte_size} bytes)")


# ---- 3. Sessions: inputs in, run, outputs out ---------------------------------------------

def pattern(n):
    """The same deterministic values in [-1, 1] as examples/c/mint_example_c.c."""
    return array.array("f", (((i * 37) % 101) / 50.0 - 1.0 for i in range(n)))


def run_once(lib, model, session):
    for i in range(count(lib, model, "input")):
        name, dtype, shape, byte_size = tensor_info(lib, model, "input", i)
        if dtype == MINT_DTYPE_F32:
            data = pattern(byte_size // 4)  # array('f') holds C floats
        else:
            print(f"  input {i} is {lib.mint_dtype_string(dtype).decode()}, not f32: zeros")
            data = array.array("B", bytes(byte_size))
        address, length = data.buffer_info()
        # set_input copies the bytes, so `data` may be dropped after the call.
        call(lib, "mint_session_set_input", session, i, address, length * data.itemsize)

    call(lib, "mint_session_run", session)

    print("ran the plan:")
    for i in range(count(lib, model, "output")):
        name, dtype, shape, byte_size = tensor_info(lib, model, "output", i)
        print(f"  output {i}: '{name}' {lib.mint_dtype_string(dtype).decode()}")
        buffer = (ctypes.c_char * byte_size)()  # a ctypes array the library copies into
        call(lib, "mint_session_get_output", session, i, buffer, byte_size)
        if dtype == MINT_DTYPE_F32:
            values = array.array("f")
            values.frombytes(bytes(buffer))
            shown = " ".join(f"{v:.6f}" for v in values[:8])
            more = " ..." if len(values) > 8 else ""
            print(f"    values: {shown}{more}")
            print(f"    sum {sum(values):.4f} over {len(values)} values")


# ---- 4. Errors --------------------------------------------------------------------------------

def expect_error(want_status, function, *args):
    """Runs function(*args) expecting MintError with `want_status` and a message."""
    try:
        function(*args)
    except MintError as error:
        if error.status != want_status or not error.message:
            raise AssertionError(f"{error.function}: got {error}, want status {want_status}")
        print(f"  {error.function}: {error.status_name}: {error.message}")
        return
    raise AssertionError(f"a call succeeded that should have failed with status {want_status}")


def demonstrate_errors(lib, model, session):
    print("errors the API reports:")
    inputs = count(lib, model, "input")
    # An index one past the end: invalid_argument, with the valid range in the message.
    expect_error(MINT_STATUS_INVALID_ARGUMENT, tensor_info, lib, model, "input", inputs)
    expect_error(MINT_STATUS_INVALID_ARGUMENT, tensor_info, lib, model, "output",
                 count(lib, model, "output"))
    if inputs > 0:
        # A buffer of the wrong size.
        _, _, _, byte_size = tensor_info(lib, model, "input", 0)
        wrong = (ctypes.c_char * (byte_size + 4))()
        expect_error(MINT_STATUS_INVALID_ARGUMENT, call, lib, "mint_session_set_input", session,
                     0, wrong, byte_size + 4)
    # A file that does not exist.
    missing = mint_model_t()
    expect_error(MINT_STATUS_IO_ERROR, call, lib, "mint_model_load_file", b"no/such/plan.mint",
                 None, ctypes.byref(missing))
    assert missing.value is None, "a failed load must leave its out-parameter alone"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", help="a plan file written by `mint compile`")
    parser.add_argument("--library", default=os.environ.get("MINT_LIBRARY"),
                        help="path of libmint.so (default: $MINT_LIBRARY)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not args.library:
        parser.error("give the path of libmint.so with --library or MINT_LIBRARY")

    lib = load_library(args.library)
    print(f"mint {lib.mint_version().decode()} from {args.library}")

    model = mint_model_t()
    call(lib, "mint_model_load_file", args.plan.encode(), None, ctypes.byref(model))
    session = mint_session_t()
    try:
        describe(lib, model)

        options = mint_session_options()
        lib.mint_session_options_init(ctypes.byref(options))  # sets size and the defaults
        options.num_threads = args.threads
        call(lib, "mint_session_create", model, ctypes.byref(options), ctypes.byref(session))
        isa = ctypes.c_char_p()
        call(lib, "mint_session_isa", session, ctypes.byref(isa))
        print(f"session: {options.num_threads} threads, kernels for {isa.value.decode()}")

        run_once(lib, model, session)
        demonstrate_errors(lib, model, session)
    finally:
        # Sessions before their model; both functions accept NULL (None).
        lib.mint_session_free(session)
        lib.mint_model_free(model)
    print("all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (MintError, AssertionError, OSError) as error:
        print(f"mint_example.py: {error}", file=sys.stderr)
        sys.exit(1)
