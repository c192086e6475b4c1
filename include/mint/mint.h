/*
 * mint: an embeddable inference runtime for compressed generative models.
 *
 * This is the only public header. It is plain C (C99 and later, and C++), so that apps, other
 * languages (ctypes, JNI, Swift, Rust FFI) and static or shared linking all see the same ABI.
 *
 * Model and session
 *   A model (mint_model_t) is a verified, validated plan: immutable once loaded and safe to
 *   share between threads. A session (mint_session_t) holds everything one run needs (the
 *   activation arena, persistent state, the thread pool, the kernels chosen for this CPU); a
 *   session is used by one thread at a time. Create one session per concurrent caller.
 *
 * Errors
 *   Every function that can fail returns a mint_status. On failure nothing has been created
 *   or changed (out-parameters are left untouched), and mint_last_error() returns a message
 *   saying what was wrong and where, e.g.
 *     "plan: op 17 (conv2d): input 1 'w' has rank 3, want 4".
 *   No C++ exception and no abort crosses this interface: invalid arguments (null pointers,
 *   wrong sizes, out-of-range indices, malformed plans) are reported, never trusted.
 *
 * Options structs
 *   Option structs start with `size`, set by mint_*_options_init to sizeof(the struct). Later
 *   versions of mint only append fields, and read only the fields that `size` covers, so a
 *   program compiled against an older header keeps working. Passing NULL means all defaults.
 *
 * Threading and ISA
 *   Kernels are chosen once per session, for the best instruction set the CPU has (AVX2,
 *   AVX-512, AVX-512 VNNI; NEON, dotprod) unless limited by `max_isa` or by the environment
 *   variable MINT_ISA (e.g. MINT_ISA=scalar forces the portable reference kernels). The
 *   lower of the option and the variable wins.
 */
#ifndef MINT_MINT_H_
#define MINT_MINT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define MINT_API __declspec(dllexport)
#else
#define MINT_API __attribute__((visibility("default")))
#endif

/* Version of this header and library, e.g. "0.1.0". */
#define MINT_VERSION_MAJOR 0
#define MINT_VERSION_MINOR 1
#define MINT_VERSION_PATCH 0
MINT_API const char* mint_version(void);

typedef enum mint_status {
  mint_status_success = 0,
  /* 1-99: the caller's arguments */
  mint_status_invalid_argument = 1, /* null pointer, bad index, wrong size or dtype */
  mint_status_invalid_state = 2,    /* e.g. reading an output before any run */
  /* 100-199: the model file */
  mint_status_io_error = 100,       /* the file cannot be opened, read or mapped */
  mint_status_invalid_plan = 101,   /* not a mint plan, corrupted, or inconsistent */
  mint_status_unsupported = 102,    /* a valid plan using something this build lacks */
  /* 200-299: the runtime */
  mint_status_out_of_memory = 200,
  mint_status_internal = 201,
} mint_status;

/* Readable name of a status, e.g. "invalid_plan". Never NULL. */
MINT_API const char* mint_status_string(mint_status status);

/* Message of the last failing call on this thread ("" if none). Valid until the next mint
 * call on this thread. */
MINT_API const char* mint_last_error(void);

typedef enum mint_dtype {
  mint_dtype_f32 = 0,
  mint_dtype_f16 = 1,
  mint_dtype_bf16 = 2,
  mint_dtype_i8 = 3,
  mint_dtype_u8 = 4,
  mint_dtype_i4 = 5, /* two signed 4-bit values per byte, low nibble first */
  mint_dtype_i32 = 6,
} mint_dtype;

/* Readable name of a dtype, e.g. "f32". Never NULL. */
MINT_API const char* mint_dtype_string(mint_dtype dtype);

typedef struct mint_model* mint_model_t;
typedef struct mint_session* mint_session_t;

/* ---- Models ------------------------------------------------------------------------------ */

typedef struct mint_model_options {
  size_t size;         /* sizeof(mint_model_options); set by mint_model_options_init */
  const char* max_isa; /* NULL: best available. Else "scalar", "avx2", "avx512",
                          "avx512vnni", "neon", "neondot": the highest level sessions of this
                          model may use by default. */
} mint_model_options;

MINT_API void mint_model_options_init(mint_model_options* options);

/* Loads a plan file: maps it read-only (weights are used in place, not copied), verifies the
 * FlatBuffer and validates every tensor, op, shape, offset and quantization parameter. */
MINT_API mint_status mint_model_load_file(const char* path, const mint_model_options* options,
                                          mint_model_t* out_model);

/* Loads a plan from the caller's memory, which must start on a 64-byte boundary and stay
 * valid and unchanged until mint_model_free. Nothing is copied. */
MINT_API mint_status mint_model_load_memory(const void* data, size_t size,
                                            const mint_model_options* options,
                                            mint_model_t* out_model);

/* Frees a model. Its sessions must have been freed first. NULL is ignored. */
MINT_API void mint_model_free(mint_model_t model);

typedef struct mint_tensor_info {
  size_t size;          /* sizeof(mint_tensor_info); set by the caller */
  const char* name;     /* owned by the model */
  mint_dtype dtype;
  size_t rank;
  const int64_t* shape; /* rank dimensions, owned by the model */
  size_t byte_size;     /* bytes of the whole tensor */
} mint_tensor_info;

MINT_API mint_status mint_model_input_count(mint_model_t model, size_t* out_count);
MINT_API mint_status mint_model_output_count(mint_model_t model, size_t* out_count);
MINT_API mint_status mint_model_input_info(mint_model_t model, size_t index,
                                           mint_tensor_info* out_info);
MINT_API mint_status mint_model_output_info(mint_model_t model, size_t index,
                                            mint_tensor_info* out_info);

/* Looks up a metadata entry of the plan ("producer", "model_family" or a key/value entry).
 * *out_value is owned by the model. mint_status_invalid_argument if absent. */
MINT_API mint_status mint_model_metadata(mint_model_t model, const char* key,
                                         const char** out_value);

/* ---- Sessions ---------------------------------------------------------------------------- */

typedef struct mint_session_options {
  size_t size;         /* sizeof(mint_session_options); set by mint_session_options_init */
  size_t num_threads;  /* 0 or 1: run on the calling thread only; N: N threads in all */
  const char* max_isa; /* NULL: the model's choice; else as in mint_model_options */
} mint_session_options;

MINT_API void mint_session_options_init(mint_session_options* options);

MINT_API mint_status mint_session_create(mint_model_t model, const mint_session_options* options,
                                         mint_session_t* out_session);
MINT_API void mint_session_free(mint_session_t session);

/* The instruction set the session's kernels were chosen for, e.g. "avx512vnni". */
MINT_API mint_status mint_session_isa(mint_session_t session, const char** out_isa);

/* Copies byte_size bytes into input `index`; byte_size must equal the input's byte_size. */
MINT_API mint_status mint_session_set_input(mint_session_t session, size_t index,
                                            const void* data, size_t byte_size);

/* Runs the plan once on the current inputs. */
MINT_API mint_status mint_session_run(mint_session_t session);

/* Copies output `index` of the last run into data; byte_size must equal its byte_size. */
MINT_API mint_status mint_session_get_output(mint_session_t session, size_t index, void* data,
                                             size_t byte_size);

/* Points *out_data at output `index` of the last run, without copying. Valid until the next
 * mint_session_run or mint_session_free. */
MINT_API mint_status mint_session_output_data(mint_session_t session, size_t index,
                                              const void** out_data, size_t* out_byte_size);

#ifdef __cplusplus
}
#endif

#endif /* MINT_MINT_H_ */
