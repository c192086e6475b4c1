/*
 * mint_example_c: load a compiled plan, describe it, and run it once, from plain C.
 *
 *   mint compile builtin:mlp -o mlp.mint
 *   mint_example_c mlp.mint [THREADS]
 *
 * A tour of the C API in <mint/mint.h>, in the order an application uses it:
 *   1. Load a plan file into a model (mint_model_load_file).
 *   2. List the model's inputs and outputs: names, dtypes, shapes (mint_model_*_info).
 *   3. Create a session running on THREADS threads, 2 unless given (mint_session_options,
 *      mint_session_create).
 *   4. Fill the f32 inputs with a deterministic pattern, run, and print the first values of
 *      every output (mint_session_set_input, mint_session_run, mint_session_get_output).
 *   5. Errors: every call returns a mint_status, and on failure mint_last_error() says what was
 *      wrong. The example provokes a few errors on purpose and checks that each comes back
 *      with the documented status and a message.
 *
 * Prints "all checks passed" and exits 0 when every step, including each provoked error,
 * behaved as documented; exits 1 otherwise.
 */
#include <inttypes.h>
#include <mint/mint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many values of each output to print. */
#define MAX_PRINTED_VALUES 8

/* Reports a failed call: its status name and the library's message. Returns 1 if `status`
 * is an error, 0 on success, so that calls read `if (failed(status, "what")) return 1;`. */
static int failed(mint_status status, const char* what) {
  if (status == mint_status_success) return 0;
  fprintf(stderr, "error: %s: %s: %s\n", what, mint_status_string(status), mint_last_error());
  return 1;
}

/* Checks a call that is meant to fail: it must return `want` and leave a message in
 * mint_last_error(). Returns 1 if it did not. */
static int expect_error(mint_status status, mint_status want, const char* what) {
  const char* message = mint_last_error();
  if (status != want || message[0] == '\0') {
    fprintf(stderr, "FAIL: %s returned %s (\"%s\"), want %s with a message\n", what,
            mint_status_string(status), message, mint_status_string(want));
    return 1;
  }
  printf("  %-44s -> %s: %s\n", what, mint_status_string(status), message);
  return 0;
}

/* Prints one line per tensor, e.g. "input 0: 'x' f32 [1, 256] (1024 bytes)". */
static void print_tensor(const char* kind, size_t index, const mint_tensor_info* info) {
  printf("  %s %zu: '%s' %s [", kind, index, info->name, mint_dtype_string(info->dtype));
  for (size_t d = 0; d < info->rank; ++d) {
    printf(d == 0 ? "%" PRId64 : ", %" PRId64, info->shape[d]);
  }
  printf("] (%zu bytes)\n", info->byte_size);
}

/* A deterministic input in [-1, 1]: the same on every run and every machine. */
static void fill_pattern(float* values, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    values[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
  }
}

/* Step 4's output: the first values of an f32 output and the sum of all of them. */
static void print_values(const float* values, size_t count) {
  double sum = 0.0;
  for (size_t i = 0; i < count; ++i) sum += values[i];
  printf("    values:");
  for (size_t i = 0; i < count && i < MAX_PRINTED_VALUES; ++i) printf(" %.6f", values[i]);
  printf("%s\n    sum %.4f over %zu values\n", count > MAX_PRINTED_VALUES ? " ..." : "", sum,
         count);
}

/* Step 2: prints the model's inputs and outputs. Returns the number of failed calls. */
static int describe_model(mint_model_t model) {
  size_t input_count = 0, output_count = 0;
  if (failed(mint_model_input_count(model, &input_count), "mint_model_input_count") ||
      failed(mint_model_output_count(model, &output_count), "mint_model_output_count")) {
    return 1;
  }
  /* mint_tensor_info.size is set by the caller, so that a newer library knows which fields
   * this program was compiled with. */
  mint_tensor_info info = {.size = sizeof(mint_tensor_info)};
  printf("%zu input(s):\n", input_count);
  for (size_t i = 0; i < input_count; ++i) {
    if (failed(mint_model_input_info(model, i, &info), "mint_model_input_info")) return 1;
    print_tensor("input", i, &info);
  }
  printf("%zu output(s):\n", output_count);
  for (size_t i = 0; i < output_count; ++i) {
    if (failed(mint_model_output_info(model, i, &info), "mint_model_output_info")) return 1;
    print_tensor("output", i, &info);
  }
  return 0;
}

/* Step 4: sets every input, runs once and prints every output. Returns the number of failed
 * calls. */
static int run_once(mint_model_t model, mint_session_t session) {
  size_t input_count = 0, output_count = 0;
  mint_model_input_count(model, &input_count);
  mint_model_output_count(model, &output_count);
  mint_tensor_info info = {.size = sizeof(mint_tensor_info)};

  for (size_t i = 0; i < input_count; ++i) {
    mint_model_input_info(model, i, &info);
    void* data = calloc(1, info.byte_size ? info.byte_size : 1);
    if (data == NULL) return 1;
    if (info.dtype == mint_dtype_f32) {
      fill_pattern((float*)data, info.byte_size / sizeof(float));
    } else {
      printf("  input %zu is %s, not f32: left at zero\n", i, mint_dtype_string(info.dtype));
    }
    /* set_input copies the data: the buffer can be freed or reused right away. */
    const mint_status status = mint_session_set_input(session, i, data, info.byte_size);
    free(data);
    if (failed(status, "mint_session_set_input")) return 1;
  }

  if (failed(mint_session_run(session), "mint_session_run")) return 1;

  printf("ran the plan:\n");
  for (size_t i = 0; i < output_count; ++i) {
    mint_model_output_info(model, i, &info);
    /* get_output copies into the caller's buffer; mint_session_output_data would instead
     * point into the session's own memory, valid until the next run. */
    void* data = malloc(info.byte_size ? info.byte_size : 1);
    if (data == NULL) return 1;
    const mint_status status = mint_session_get_output(session, i, data, info.byte_size);
    if (status == mint_status_success) {
      printf("  output %zu: '%s' %s\n", i, info.name, mint_dtype_string(info.dtype));
      if (info.dtype == mint_dtype_f32) {
        print_values((const float*)data, info.byte_size / sizeof(float));
      }
    }
    free(data);
    if (failed(status, "mint_session_get_output")) return 1;
  }
  return 0;
}

/* Step 5: provokes errors on purpose. A failing call changes nothing and says why. Returns
 * the number of calls that did not fail as documented. */
static int demonstrate_errors(mint_model_t model, mint_session_t session) {
  int errors = 0;
  printf("errors the API reports:\n");

  mint_model_t missing = NULL;
  errors += expect_error(mint_model_load_file("no/such/plan.mint", NULL, &missing),
                         mint_status_io_error, "mint_model_load_file(missing file)");
  if (missing != NULL) {
    fprintf(stderr, "FAIL: a failed load set its out-parameter\n");
    errors++;
  }

  size_t input_count = 0, output_count = 0;
  mint_model_input_count(model, &input_count);
  mint_model_output_count(model, &output_count);
  mint_tensor_info info = {.size = sizeof(mint_tensor_info)};
  errors += expect_error(mint_model_input_info(model, input_count, &info),
                         mint_status_invalid_argument, "mint_model_input_info(index = count)");
  mint_tensor_info unsized = {.size = 0};
  errors += expect_error(mint_model_output_info(model, 0, &unsized), mint_status_invalid_argument,
                         "mint_model_output_info(info.size = 0)");

  if (input_count > 0 && mint_model_input_info(model, 0, &info) == mint_status_success) {
    void* data = calloc(1, info.byte_size + 1);
    if (data == NULL) return errors + 1;
    errors += expect_error(mint_session_set_input(session, 0, data, info.byte_size + 1),
                           mint_status_invalid_argument, "mint_session_set_input(wrong size)");
    errors += expect_error(mint_session_set_input(session, input_count, data, info.byte_size),
                           mint_status_invalid_argument, "mint_session_set_input(bad index)");
    free(data);
  }

  if (output_count > 0 && mint_model_output_info(model, 0, &info) == mint_status_success) {
    void* buffer = malloc(info.byte_size + 1);
    if (buffer == NULL) return errors + 1;
    errors += expect_error(mint_session_get_output(session, 0, buffer, info.byte_size + 1),
                           mint_status_invalid_argument, "mint_session_get_output(wrong size)");
    free(buffer);

    /* A new session has not run yet, so it has no outputs to give. */
    mint_session_t fresh = NULL;
    if (failed(mint_session_create(model, NULL, &fresh), "mint_session_create")) return errors + 1;
    const void* data = NULL;
    size_t byte_size = 0;
    errors += expect_error(mint_session_output_data(fresh, 0, &data, &byte_size),
                           mint_status_invalid_state, "mint_session_output_data(before a run)");
    mint_session_free(fresh);
  }

  errors +=
      expect_error(mint_session_run(NULL), mint_status_invalid_argument, "mint_session_run(NULL)");
  return errors;
}

static int usage(const char* program) {
  fprintf(stderr,
          "usage: %s PLAN [THREADS]\n"
          "  PLAN     a plan file, e.g. from: mint compile builtin:mlp -o mlp.mint\n"
          "  THREADS  threads of the session (default 2)\n",
          program);
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) return usage(argv[0]);
  const char* plan_path = argv[1];
  unsigned long threads = 2;
  if (argc == 3) {
    char* end = NULL;
    threads = strtoul(argv[2], &end, 10);
    if (*end != '\0' || threads == 0) return usage(argv[0]);
  }
  printf("mint %s\n", mint_version());

  /* 1. Load the plan. NULL options: the defaults (the best kernels this CPU has). */
  mint_model_t model = NULL;
  if (failed(mint_model_load_file(plan_path, NULL, &model), "mint_model_load_file")) return 1;
  const char* producer = NULL;
  if (mint_model_metadata(model, "producer", &producer) == mint_status_success) {
    printf("plan %s, produced by %s\n", plan_path, producer);
  }

  int errors = describe_model(model);

  /* 3. A session holds the memory and threads of a run. Options start from their defaults. */
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = threads;
  mint_session_t session = NULL;
  if (failed(mint_session_create(model, &options, &session), "mint_session_create")) {
    mint_model_free(model);
    return 1;
  }
  const char* isa = "";
  mint_session_isa(session, &isa);
  printf("session: %zu threads, kernels for %s\n", options.num_threads, isa);

  errors += run_once(model, session);
  errors += demonstrate_errors(model, session);

  /* Sessions are freed before their model. */
  mint_session_free(session);
  mint_model_free(model);
  if (errors != 0) {
    fprintf(stderr, "mint_example_c: %d check(s) failed\n", errors);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
