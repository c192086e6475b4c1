// The C ABI (include/mint/mint.h) over Model and Session.
//
// Every entry point validates its arguments, converts a Status into a mint_status plus the
// thread's last-error message, and catches everything (std::bad_alloc -> out_of_memory), so
// no C++ exception ever crosses the boundary.
#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "mint/mint.h"
#include "runtime/generate/c_generate.h"
#include "runtime/generate/plan_decoder.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/tokenizer.h"

struct mint_model {
  std::unique_ptr<mint::Model> model;
};

struct mint_session {
  std::unique_ptr<mint::Session> session;
  // Text generation: the plan decoder, made on the first mint_session_generate, and the
  // conversation carried between calls.
  std::unique_ptr<mint::generate::TokenDecoder> decoder;
  mint::generate::GenerateState state;
};

namespace {

thread_local std::string g_last_error;

mint_status fail(const mint::Status& status) {
  g_last_error = status.message();
  return status.code();
}

mint_status fail(mint_status code, const std::string& message) {
  g_last_error = message;
  return code;
}

// Runs `body` (returning mint::Status), converting exceptions.
template <typename Body>
mint_status guarded(const char* function, Body&& body) {
  try {
    mint::Status st = body();
    if (!st.is_ok()) return fail(st.with_context(function));
    return mint_status_success;
  } catch (const std::bad_alloc&) {
    return fail(mint_status_out_of_memory, std::string(function) + ": out of memory");
  } catch (const std::exception& e) {
    return fail(mint_status_internal, std::string(function) + ": internal error: " + e.what());
  } catch (...) {
    return fail(mint_status_internal, std::string(function) + ": internal error");
  }
}

mint::Status null_argument(const char* name) {
  return mint::Status::invalid_argument(std::string(name) + " is null");
}

// Reads the fields of a caller's options struct that its `size` covers.
template <typename T>
mint::Status read_options(const T* in, T* out, const char* name) {
  if (in == nullptr) return mint::Status::ok();
  if ((in->size) < sizeof(size_t) || (in->size) > (1u << 16)) {
    return mint::Status::invalid_argument(std::string(name) + "->size is " + std::to_string(in->size) +
                                          "; call " + name + "_init first");
  }
  std::memcpy(out, in, std::min(sizeof(T), in->size));
  out->size = sizeof(T);
  return mint::Status::ok();
}

mint::Status fill_tensor_info(const mint::Model& model, const std::vector<int32_t>& ids, size_t index,
                              const char* what, mint_tensor_info* out) {
  if (out == nullptr) return null_argument("out_info");
  if (out->size < sizeof(mint_tensor_info)) {
    return mint::Status::invalid_argument("out_info->size is " + std::to_string(out->size) +
                                          ", want sizeof(mint_tensor_info) = " +
                                          std::to_string(sizeof(mint_tensor_info)));
  }
  if (index >= ids.size()) {
    return mint::Status::invalid_argument(std::string(what) + " index " + std::to_string(index) +
                                          " is outside [0, " + std::to_string(ids.size()) + ")");
  }
  const mint::TensorDesc& t = model.tensors()[ids[index]];
  out->name = t.name.c_str();
  out->dtype = static_cast<mint_dtype>(t.dtype);
  out->rank = t.shape.rank;
  out->shape = t.shape.dims;
  out->byte_size = t.byte_size;
  return mint::Status::ok();
}

// The model's tokenizer, or invalid_argument.
mint::Result<const mint::tokenizer::Tokenizer*> tokenizer_of(mint_model_t model) {
  if (model == nullptr) return null_argument("model");
  const mint::tokenizer::Tokenizer* t = model->model->tokenizer();
  if (t == nullptr) return mint::Status::invalid_argument("the plan has no tokenizer");
  return t;
}

// snprintf-style output of bytes (see mint.h, Tokenizer).
mint::Status write_text(const std::string& text, char* out, size_t capacity, size_t* out_size,
                        const char* out_name) {
  if (out == nullptr && capacity != 0) return null_argument(out_name);
  if (out_size == nullptr) return null_argument("out_size");
  if (capacity > 0) {
    const size_t n = std::min(text.size(), capacity - 1);
    if (n > 0) std::memcpy(out, text.data(), n);
    out[n] = '\0';
  }
  *out_size = text.size();
  return mint::Status::ok();
}

}  // namespace

extern "C" {

const char* mint_version(void) { return "0.1.0"; }

const char* mint_status_string(mint_status status) {
  switch (status) {
    case mint_status_success: return "success";
    case mint_status_invalid_argument: return "invalid_argument";
    case mint_status_invalid_state: return "invalid_state";
    case mint_status_io_error: return "io_error";
    case mint_status_invalid_plan: return "invalid_plan";
    case mint_status_unsupported: return "unsupported";
    case mint_status_out_of_memory: return "out_of_memory";
    case mint_status_internal: return "internal";
  }
  return "unknown";
}

const char* mint_last_error(void) { return g_last_error.c_str(); }

const char* mint_dtype_string(mint_dtype dtype) {
  if (static_cast<int>(dtype) < 0 || static_cast<int>(dtype) > static_cast<int>(mint::DType::MAX)) return "unknown";
  return mint::dtype_name(static_cast<mint::DType>(dtype));
}

void mint_model_options_init(mint_model_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->size = sizeof(*options);
}

void mint_session_options_init(mint_session_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof(*options));
  options->size = sizeof(*options);
  options->num_threads = 1;
}

mint_status mint_model_load_file(const char* path, const mint_model_options* options,
                                 mint_model_t* out_model) {
  return guarded("mint_model_load_file", [&]() -> mint::Status {
    if (path == nullptr) return null_argument("path");
    if (out_model == nullptr) return null_argument("out_model");
    mint_model_options opts{};
    mint_model_options_init(&opts);
    MINT_RETURN_IF_ERROR(read_options(options, &opts, "mint_model_options"));
    MINT_ASSIGN_OR_RETURN(auto model, mint::Model::load_file(path, {opts.max_isa}));
    *out_model = new mint_model{std::move(model)};
    return mint::Status::ok();
  });
}

mint_status mint_model_load_memory(const void* data, size_t size, const mint_model_options* options,
                                   mint_model_t* out_model) {
  return guarded("mint_model_load_memory", [&]() -> mint::Status {
    if (data == nullptr) return null_argument("data");
    if (out_model == nullptr) return null_argument("out_model");
    mint_model_options opts{};
    mint_model_options_init(&opts);
    MINT_RETURN_IF_ERROR(read_options(options, &opts, "mint_model_options"));
    MINT_ASSIGN_OR_RETURN(auto model, mint::Model::load_memory(data, size, {opts.max_isa}));
    *out_model = new mint_model{std::move(model)};
    return mint::Status::ok();
  });
}

void mint_model_free(mint_model_t model) { delete model; }

mint_status mint_model_input_count(mint_model_t model, size_t* out_count) {
  return guarded("mint_model_input_count", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    if (out_count == nullptr) return null_argument("out_count");
    *out_count = model->model->inputs().size();
    return mint::Status::ok();
  });
}

mint_status mint_model_output_count(mint_model_t model, size_t* out_count) {
  return guarded("mint_model_output_count", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    if (out_count == nullptr) return null_argument("out_count");
    *out_count = model->model->outputs().size();
    return mint::Status::ok();
  });
}

mint_status mint_model_input_info(mint_model_t model, size_t index, mint_tensor_info* out_info) {
  return guarded("mint_model_input_info", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    return fill_tensor_info(*model->model, model->model->inputs(), index, "input", out_info);
  });
}

mint_status mint_model_output_info(mint_model_t model, size_t index, mint_tensor_info* out_info) {
  return guarded("mint_model_output_info", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    return fill_tensor_info(*model->model, model->model->outputs(), index, "output", out_info);
  });
}

mint_status mint_model_metadata(mint_model_t model, const char* key, const char** out_value) {
  return guarded("mint_model_metadata", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    if (key == nullptr) return null_argument("key");
    if (out_value == nullptr) return null_argument("out_value");
    const char* value = model->model->metadata(key);
    if (value == nullptr) return mint::Status::invalid_argument(std::string("no metadata '") + key + "'");
    *out_value = value;
    return mint::Status::ok();
  });
}

mint_status mint_session_create(mint_model_t model, const mint_session_options* options,
                                mint_session_t* out_session) {
  return guarded("mint_session_create", [&]() -> mint::Status {
    if (model == nullptr) return null_argument("model");
    if (out_session == nullptr) return null_argument("out_session");
    mint_session_options opts{};
    mint_session_options_init(&opts);
    MINT_RETURN_IF_ERROR(read_options(options, &opts, "mint_session_options"));
    MINT_ASSIGN_OR_RETURN(auto session,
                          mint::Session::create(*model->model, {opts.num_threads, opts.max_isa}));
    *out_session = new mint_session{std::move(session), nullptr, {}};
    return mint::Status::ok();
  });
}

void mint_session_free(mint_session_t session) { delete session; }

mint_status mint_session_isa(mint_session_t session, const char** out_isa) {
  return guarded("mint_session_isa", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    if (out_isa == nullptr) return null_argument("out_isa");
    *out_isa = mint::isa_name(session->session->isa());
    return mint::Status::ok();
  });
}

mint_status mint_session_set_input(mint_session_t session, size_t index, const void* data,
                                   size_t byte_size) {
  return guarded("mint_session_set_input", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    if (data == nullptr) return null_argument("data");
    return session->session->set_input(index, data, byte_size);
  });
}

mint_status mint_session_run(mint_session_t session) {
  return guarded("mint_session_run", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    return session->session->run();
  });
}

mint_status mint_session_get_output(mint_session_t session, size_t index, void* data,
                                    size_t byte_size) {
  return guarded("mint_session_get_output", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    if (data == nullptr) return null_argument("data");
    size_t size = 0;
    MINT_ASSIGN_OR_RETURN(const uint8_t* src, session->session->output(index, &size));
    if (byte_size != size) {
      return mint::Status::invalid_argument("output " + std::to_string(index) + " has " +
                                            std::to_string(size) + " bytes, got a buffer of " +
                                            std::to_string(byte_size));
    }
    std::memcpy(data, src, size);
    return mint::Status::ok();
  });
}

mint_status mint_session_output_data(mint_session_t session, size_t index, const void** out_data,
                                     size_t* out_byte_size) {
  return guarded("mint_session_output_data", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    if (out_data == nullptr) return null_argument("out_data");
    if (out_byte_size == nullptr) return null_argument("out_byte_size");
    size_t size = 0;
    MINT_ASSIGN_OR_RETURN(const uint8_t* src, session->session->output(index, &size));
    *out_data = src;
    *out_byte_size = size;
    return mint::Status::ok();
  });
}

// ---- tokenizer and text generation ----

mint_status mint_model_tokenizer_info(mint_model_t model, int32_t* out_vocab_size, int32_t* out_bos_id,
                                      int32_t* out_eos_id) {
  return guarded("mint_model_tokenizer_info", [&]() -> mint::Status {
    MINT_ASSIGN_OR_RETURN(const mint::tokenizer::Tokenizer* t, tokenizer_of(model));
    if (out_vocab_size) *out_vocab_size = t->vocab_size();
    if (out_bos_id) *out_bos_id = t->bos_id();
    if (out_eos_id) *out_eos_id = t->eos_id();
    return mint::Status::ok();
  });
}

mint_status mint_tokenize(mint_model_t model, const char* text, size_t text_size, int add_bos,
                          int32_t* out_ids, size_t capacity, size_t* out_count) {
  return guarded("mint_tokenize", [&]() -> mint::Status {
    MINT_ASSIGN_OR_RETURN(const mint::tokenizer::Tokenizer* t, tokenizer_of(model));
    if (text == nullptr && text_size != 0) return null_argument("text");
    if (out_ids == nullptr && capacity != 0) return null_argument("out_ids");
    if (out_count == nullptr) return null_argument("out_count");
    if (add_bos < -1 || add_bos > 1) {
      return mint::Status::invalid_argument("add_bos is " + std::to_string(add_bos) +
                                            ", want -1 (as the plan says), 0 or 1");
    }
    const bool bos = add_bos == -1 ? model->model->tokenizer_add_bos() : add_bos == 1;
    if (bos && t->bos_id() < 0) return mint::Status::invalid_argument("add_bos: the tokenizer has no bos id");
    std::vector<int32_t> ids;
    if (bos) ids.push_back(t->bos_id());
    const std::vector<int32_t> encoded = t->encode(std::string_view(text ? text : "", text_size));
    ids.insert(ids.end(), encoded.begin(), encoded.end());
    const size_t n = std::min(ids.size(), capacity);
    if (n > 0) std::memcpy(out_ids, ids.data(), n * sizeof(int32_t));
    *out_count = ids.size();
    return mint::Status::ok();
  });
}

mint_status mint_detokenize(mint_model_t model, const int32_t* ids, size_t count, char* out_text,
                            size_t capacity, size_t* out_size) {
  return guarded("mint_detokenize", [&]() -> mint::Status {
    MINT_ASSIGN_OR_RETURN(const mint::tokenizer::Tokenizer* t, tokenizer_of(model));
    if (ids == nullptr && count != 0) return null_argument("ids");
    if (out_text == nullptr && capacity != 0) return null_argument("out_text");
    if (out_size == nullptr) return null_argument("out_size");
    MINT_ASSIGN_OR_RETURN(std::string text, t->decode(std::vector<int32_t>(ids, ids + count)));
    return write_text(text, out_text, capacity, out_size, "out_text");
  });
}

mint_status mint_token_to_piece(mint_model_t model, int32_t id, char* out_piece, size_t capacity,
                                size_t* out_size) {
  return guarded("mint_token_to_piece", [&]() -> mint::Status {
    MINT_ASSIGN_OR_RETURN(const mint::tokenizer::Tokenizer* t, tokenizer_of(model));
    if (out_piece == nullptr && capacity != 0) return null_argument("out_piece");
    if (out_size == nullptr) return null_argument("out_size");
    if (id < 0 || id >= t->vocab_size()) {
      return mint::Status::invalid_argument("token id " + std::to_string(id) + " is outside [0, " +
                                            std::to_string(t->vocab_size()) + ")");
    }
    return write_text(t->token_bytes(id), out_piece, capacity, out_size, "out_piece");
  });
}

mint_status mint_session_generate(mint_session_t session, const char* prompt,
                                  const mint_generate_options* options, mint_token_callback callback,
                                  void* user_data, mint_generate_stats* out_stats) {
  return guarded("mint_session_generate", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    const mint::Model& model = session->session->model();
    auto get_decoder = [&]() -> mint::Result<mint::generate::TokenDecoder*> {
      if (!session->decoder) {
        MINT_ASSIGN_OR_RETURN(session->decoder, mint::generate::make_plan_decoder(*session->session));
      }
      return session->decoder.get();
    };
    return mint::generate::session_generate(model.tokenizer(), model.tokenizer_add_bos(), get_decoder,
                                            &session->state, prompt, options, callback, user_data,
                                            out_stats);
  });
}

mint_status mint_session_reset(mint_session_t session) {
  return guarded("mint_session_reset", [&]() -> mint::Status {
    if (session == nullptr) return null_argument("session");
    if (session->decoder) session->decoder->reset();
    session->state.clear();
    return mint::Status::ok();
  });
}

}  // extern "C"
