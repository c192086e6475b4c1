/*
 * mint_generate_c: generate text with a text plan, from plain C.
 *
 *   mint_generate_c PLAN PROMPT [MAX_NEW_TOKENS] [THREADS]
 *
 * A tour of the text part of <mint/mint.h>:
 *   1. Load the plan and describe its tokenizer (mint_model_tokenizer_info).
 *   2. Tokenize the prompt, asking for the size first (mint_tokenize with no buffer), print the
 *      ids and each token's bytes (mint_token_to_piece), and check that mint_detokenize gives
 *      the prompt back.
 *   3. Create a session on THREADS threads (2 unless given) and generate up to
 *      MAX_NEW_TOKENS tokens (32 unless given) greedily, streaming the text as it comes
 *      (mint_generate_options, mint_session_generate with a callback), then print the
 *      statistics (mint_generate_stats) and the generated ids ("generated ids: 1 2 3") to
 *      stderr.
 *
 * Plans without text-generation graphs pass steps 1-2 (if they carry a tokenizer) and fail in
 * step 3 with mint_status_invalid_argument ("the plan is not a text plan ..."), which the
 * example reports. Prints "generation done" and exits 0 when every step succeeded; exits 1
 * otherwise.
 */
#include <mint/mint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed(mint_status status, const char* what) {
  if (status == mint_status_success) return 0;
  fprintf(stderr, "error: %s: %s: %s\n", what, mint_status_string(status), mint_last_error());
  return 1;
}

/* What the callback collects: bytes streamed and the generated ids. */
typedef struct {
  size_t streamed;
  int32_t ids[4096];
  size_t count;
} stream_state;

/* Streams each piece of text as it becomes complete; returning non-zero would stop. */
static int on_token(void* user_data, int32_t token, const char* text, size_t text_size) {
  stream_state* state = (stream_state*)user_data;
  if (token >= 0 && state->count < sizeof(state->ids) / sizeof(state->ids[0])) {
    state->ids[state->count++] = token;
  }
  fwrite(text, 1, text_size, stdout);
  fflush(stdout);
  state->streamed += text_size;
  return 0;
}

static const char* stop_reason_name(mint_stop_reason reason) {
  switch (reason) {
    case mint_stop_max_tokens:
      return "max tokens";
    case mint_stop_eos:
      return "eos";
    case mint_stop_token:
      return "stop token";
    case mint_stop_context_full:
      return "context full";
    case mint_stop_callback:
      return "callback";
  }
  return "?";
}

/* Steps 1 and 2. Returns 0 on success. */
static int show_tokenizer(mint_model_t model, const char* prompt) {
  int32_t vocab = 0, bos = 0, eos = 0;
  if (failed(mint_model_tokenizer_info(model, &vocab, &bos, &eos), "mint_model_tokenizer_info"))
    return 1;
  printf("tokenizer: %d tokens, bos %d, eos %d\n", (int)vocab, (int)bos, (int)eos);

  size_t count = 0;
  if (failed(mint_tokenize(model, prompt, strlen(prompt), 0, NULL, 0, &count), "mint_tokenize"))
    return 1;
  int32_t* ids = (int32_t*)malloc((count ? count : 1) * sizeof(int32_t));
  if (ids == NULL) return 1;
  if (failed(mint_tokenize(model, prompt, strlen(prompt), 0, ids, count, &count),
             "mint_tokenize")) {
    free(ids);
    return 1;
  }
  printf("prompt: %zu tokens:", count);
  for (size_t i = 0; i < count; ++i) {
    char piece[64];
    size_t size = 0;
    if (failed(mint_token_to_piece(model, ids[i], piece, sizeof(piece), &size),
               "mint_token_to_piece")) {
      free(ids);
      return 1;
    }
    printf(" %d '%s'", (int)ids[i], piece);
  }
  printf("\n");

  size_t size = 0;
  int rc = failed(mint_detokenize(model, ids, count, NULL, 0, &size), "mint_detokenize");
  char* text = rc ? NULL : (char*)malloc(size + 1);
  if (text != NULL) {
    rc = failed(mint_detokenize(model, ids, count, text, size + 1, &size), "mint_detokenize");
    if (!rc && (size != strlen(prompt) || memcmp(text, prompt, size) != 0)) {
      fprintf(stderr, "FAIL: detokenized '%s', want '%s'\n", text, prompt);
      rc = 1;
    }
    if (!rc) printf("detokenized: '%s' (round trip ok)\n", text);
  }
  free(text);
  free(ids);
  return rc;
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    fprintf(stderr, "usage: %s PLAN PROMPT [MAX_NEW_TOKENS] [THREADS]\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  const char* prompt = argv[2];
  const size_t max_new_tokens = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 32;
  const size_t threads = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 2;

  mint_model_t model = NULL;
  if (failed(mint_model_load_file(path, NULL, &model), "mint_model_load_file")) return 1;
  int rc = show_tokenizer(model, prompt);

  mint_session_t session = NULL;
  if (rc == 0) {
    mint_session_options session_options;
    mint_session_options_init(&session_options);
    session_options.num_threads = threads;
    rc = failed(mint_session_create(model, &session_options, &session), "mint_session_create");
  }
  if (rc == 0) {
    mint_generate_options options;
    mint_generate_options_init(&options);
    options.max_new_tokens = max_new_tokens;
    options.temperature = 0.0f; /* greedy: the same text on every run */
    mint_generate_stats stats;
    memset(&stats, 0, sizeof(stats));
    stats.size = sizeof(stats);
    static stream_state state; /* static: 16 KB off the stack */
    size_t i;
    printf("generating:\n%s", prompt);
    fflush(stdout);
    rc = failed(mint_session_generate(session, prompt, &options, on_token, &state, &stats),
                "mint_session_generate");
    printf("\n");
    if (rc == 0) {
      fprintf(
          stderr,
          "%zu prompt tokens, %zu generated (%zu bytes, stop: %s); time to first token %.2f ms; "
          "prefill %.1f tokens/s; decode %.1f tokens/s\n",
          stats.prompt_tokens, stats.generated_tokens, state.streamed,
          stop_reason_name(stats.stop_reason), stats.time_to_first_token_ms,
          stats.prefill_tokens_per_s, stats.decode_tokens_per_s);
      fprintf(stderr, "generated ids:");
      for (i = 0; i < state.count; ++i) fprintf(stderr, " %d", (int)state.ids[i]);
      fprintf(stderr, "\n");
      printf("generation done\n");
    }
  }
  mint_session_free(session);
  mint_model_free(model);
  return rc;
}
