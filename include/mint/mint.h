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

/* ---- Tokenizer ---------------------------------------------------------------------------
 * A plan may carry its model's tokenizer (`mint compile ... --tokenizer-gpt2 encoder.json
 * vocab.bpe`, or the Hugging Face importer); it is validated when the model loads. Every
 * function here fails with mint_status_invalid_argument when the model has none.
 *
 * Output buffers follow snprintf: the caller passes a buffer and its capacity; on success the
 * full size of the result is stored in the size out-parameter whether or not it fit, and
 * min(size, capacity) elements are written (for text: at most capacity - 1 bytes and then a
 * terminating NUL, when capacity > 0). A result was cut short exactly when size >= capacity
 * for text, size > capacity for ids. Passing (NULL, 0) asks for the size alone. Text is raw
 * bytes: a piece or a cut can end inside a UTF-8 sequence, and a piece can contain NUL bytes
 * (use the size, not strlen). */

/* Vocabulary size and the bos/eos ids (-1: none) of the model's tokenizer. Any of the
 * out-parameters may be NULL. */
MINT_API mint_status mint_model_tokenizer_info(mint_model_t model, int32_t* out_vocab_size,
                                               int32_t* out_bos_id, int32_t* out_eos_id);

/* Token ids of text[0, text_size) (any bytes; ill-formed UTF-8 is encoded as the tokenizer
 * documents, it never fails). add_bos: -1 as the plan says, 0 no, 1 start with the bos id
 * (mint_status_invalid_argument if there is none). text may be NULL when text_size is 0. */
MINT_API mint_status mint_tokenize(mint_model_t model, const char* text, size_t text_size,
                                   int add_bos, int32_t* out_ids, size_t capacity,
                                   size_t* out_count);

/* The bytes of ids[0, count); an id outside the vocabulary is mint_status_invalid_argument
 * naming it and its position. */
MINT_API mint_status mint_detokenize(mint_model_t model, const int32_t* ids, size_t count,
                                     char* out_text, size_t capacity, size_t* out_size);

/* The bytes token `id` stands for. */
MINT_API mint_status mint_token_to_piece(mint_model_t model, int32_t id, char* out_piece,
                                         size_t capacity, size_t* out_size);

/* ---- Text generation ---------------------------------------------------------------------
 * mint_session_generate runs a text plan's session as a decoder-only language model: it
 * appends the prompt's tokens to the session's context (its KV cache), then samples up to
 * max_new_tokens tokens one at a time, streaming each through the callback. The context is
 * kept between calls, so a second call continues the conversation (the last token sampled is
 * run first); mint_session_reset starts over. Plans without text-generation graphs fail with
 * mint_status_invalid_argument ("the plan is not a text plan ...").
 *
 * Streaming is UTF-8 safe: each callback gets the token id and the bytes that are complete
 * after it, so a character split over several tokens arrives whole with the token that ends
 * it (earlier callbacks get text_size 0). Bytes still incomplete at the end come in one last
 * callback with token -1. Stop tokens are not streamed. */

typedef enum mint_stop_reason {
  mint_stop_max_tokens = 0,   /* max_new_tokens sampled */
  mint_stop_eos = 1,          /* the tokenizer's eos id was sampled */
  mint_stop_token = 2,        /* one of stop_ids was sampled */
  mint_stop_context_full = 3, /* the context has no room for the next token */
  mint_stop_callback = 4,     /* the callback returned non-zero */
} mint_stop_reason;

typedef struct mint_generate_options {
  size_t size;                /* sizeof(mint_generate_options); set by mint_generate_options_init */
  size_t max_new_tokens;      /* 128; 0 only runs the prompt */
  float temperature;          /* 1.0; 0: greedy (argmax) */
  int32_t top_k;              /* 0: off; else keep the k most likely tokens */
  float top_p;                /* 1.0: off; in (0, 1]: nucleus sampling */
  float repetition_penalty;   /* 1.0: off; > 0: divide positive / multiply negative logits of
                                 tokens already in the context (as Hugging Face, llama.cpp) */
  size_t repetition_window;   /* 0: the whole context; N: its last N tokens */
  uint64_t seed;              /* the sampler's seed: same seed, same prompt, same tokens */
  const int32_t* stop_ids;    /* tokens that end generation besides eos; NULL if count is 0 */
  size_t stop_id_count;
  int add_bos;                /* -1 (default): as the plan says; 0: no; 1: start with bos */
  int stop_at_eos;            /* 1 (default): the tokenizer's eos ends generation; 0: it does not */
  const int32_t* prompt_ids;  /* token ids appended after the prompt text's; NULL if count is 0 */
  size_t prompt_id_count;
} mint_generate_options;

MINT_API void mint_generate_options_init(mint_generate_options* options);

typedef struct mint_generate_stats {
  size_t size;                   /* set by the caller to sizeof(mint_generate_stats); the fields
                                    it covers are written */
  size_t prompt_tokens;          /* tokens run as the prompt (bos and a carried token included) */
  size_t generated_tokens;       /* tokens sampled, a stop token included */
  double time_to_first_token_ms; /* from the call to the first sampled token */
  double prefill_ms;             /* running the prompt */
  double decode_ms;              /* the single-token steps after the first token */
  double prefill_tokens_per_s;
  double decode_tokens_per_s;
  mint_stop_reason stop_reason;
  int32_t stop_token;            /* the stop token sampled, or -1 */
} mint_generate_stats;

/* Called for each streamed token (see above); return 0 to go on, non-zero to stop. It must not
 * call into the same session. */
typedef int (*mint_token_callback)(void* user_data, int32_t token, const char* text,
                                   size_t text_size);

/* prompt: NUL-terminated text, or NULL (only prompt_ids, or bos). callback and out_stats may
 * be NULL. Invalid options, an empty or too long prompt, ids outside the vocabulary and a model
 * without a tokenizer are reported before anything runs; a failure in the middle leaves the
 * tokens run so far in the context (mint_session_reset clears it). */
MINT_API mint_status mint_session_generate(mint_session_t session, const char* prompt,
                                           const mint_generate_options* options,
                                           mint_token_callback callback, void* user_data,
                                           mint_generate_stats* out_stats);

/* Forgets the session's text context (the tokens appended by mint_session_generate). */
MINT_API mint_status mint_session_reset(mint_session_t session);

#ifdef __cplusplus
}
#endif

#endif /* MINT_MINT_H_ */
