// The `mint` command-line tool.
//
//   mint demo [-o PLAN] [--threads N]      build a small model in code, compile, run, report
//   mint compile INPUT -o PLAN [--weights f32|f16|int8|int4] [--calibration FILE]
//                                          [--tokenizer-gpt2 ENCODER_JSON VOCAB_BPE]
//                                          (embeds GPT-2's byte-level BPE tokenizer in the plan)
//                [--group-size 32|64|128] [--asymmetric]  (int4: k per scale, zero points)
//                                          INPUT: model.onnx | builtin:mlp | builtin:convnet
//                                          (the Hugging Face frontend comes later);
//                                          --calibration: static int8 activations calibrated
//                                          on FILE (raw f32 samples, compiler/quantize_static.h)
//                                          [--prune-channels R]: structured channel pruning
//                                          (compiler/prune.h)
//   mint inspect PLAN                      tensors, ops, dtypes, quantization, sizes, arena
//   mint run PLAN [--threads N] [--isa ISA] [--repeat R]
//                                          random inputs; prints outputs and latency
//   mint compile CHECKPOINT_DIR -o PLAN [--weights ..] [--kv-cache f32|f16|int8] [--context N]
//                [--chunk T[,T..]]         a Hugging Face decoder checkpoint -> text plan;
//                                          prefill segments of T rows (default 8,32,128);
//                                          embeds its tokenizer (vocab.json + merges.txt or
//                                          tokenizer.model) when the directory has one
//                [--embedding-precision f32|f16|int8] (default f32; int8: per-row scales)
//                [--head-precision f32|f16|int8|int4] (the output head; default --weights)
//                [--prune-heads R --calibration-text FILE [--calibration-tokens N]]
//                                          structured attention-head pruning
//                                          (compiler/hf/prune_heads.h)
//   mint decode-bench PLAN [--threads N] [--tokens N] [--prompt P] [--ids 1,2,3] [--runs R]
//                 [--json] [--profile]     text plan: prefill P tokens (or --ids), time N
//                                          decode steps; R runs (tools/mint/text_bench.h)
//   mint generate PLAN -p TEXT [-n N] [--temperature T] [--top-k K] [--top-p P]
//                 [--repetition-penalty R] [--seed S] [--ids 1,2,3] [--no-eos] [--threads N]
//                                          streams generated text to stdout; time to first
//                                          token, prefill/decode tokens/s and the generated
//                                          ids ("generated ids: 1 2 3") to stderr
//   mint eval gan|vae|classifier ...       FID-FMNIST, Inception Score, SSIM/MSE, accuracy
//   mint eval text PLAN ...                perplexity, BLEU, distinct-n, speed, memory
//   mint bench PLAN [--threads 1,2] [--runs N] [--warmup W] [--json]
//                                          latency statistics, peak RSS, params, FLOPs
//                                          (tools/mint/eval_cmd.h)
#include <algorithm>
#include <climits>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>
#include <random>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/onnx/onnx_import.h"
#include "compiler/quantize_static.h"
#include "compiler/tokenizer_import.h"
#include "mint/mint.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/from_plan.h"
#include "tools/mint/demo_model.h"
#include "tools/mint/peak_rss.h"
#include "tools/mint/text_bench.h"
#include "compiler/hf/hf_import.h"
#include "compiler/hf/prune_heads.h"
#include "tools/mint/eval_cmd.h"

namespace mint::tool {
namespace {

int usage() {
  std::fprintf(stderr,
               "usage:\n"
               "  mint demo [-o PLAN] [--threads N]\n"
               "  mint compile <model.onnx|builtin:mlp|builtin:convnet> -o PLAN [--weights f32|f16|int8]\n"
               "               [--calibration FILE] [--prune-channels R]\n"
               "      --weights int8 alone: int8 weights, activations quantized at run time (fully\n"
               "        connected only); with --calibration FILE: static int8 (conv2d,\n"
               "        transposed_conv2d, fully_connected run on int8 GEMMs, activations int8\n"
               "        between them, per-tensor ranges from running the f32 plan on FILE).\n"
               "        FILE: raw little-endian float32 samples back to back; a sample is every\n"
               "        model input in order, each in its declared shape (ONNX layout, e.g. NCHW),\n"
               "        e.g. models/image/trained/dcgan/latents.bin (8 samples of [1,100,1,1]).\n"
               "      --prune-channels R (0.1..0.9): remove the fraction R of the output channels of\n"
               "        each conv / transposed conv that feeds (through activations) exactly one\n"
               "        conv / transposed conv / fully connected: keep the ceil((1-R)*C) filters of\n"
               "        largest L1 norm (BN folded), ties by lower index; the next layer loses the\n"
               "        matching input channels. The last layer is never pruned.\n"
               "               [--input-shape NAME=d0,d1,..]...   (fixes an ONNX input's dimensions)\n"
               "               [--tokenizer-gpt2 encoder.json vocab.bpe]\n"
               "               [--weights int4 [--group-size 32|64|128] [--asymmetric]]\n"
               "  mint inspect PLAN\n"
               "  mint run PLAN [--threads N] [--isa ISA] [--repeat R]\n"
               "  mint compile CHECKPOINT_DIR -o PLAN [--weights f32|f16|int8] [--kv-cache f32|f16|int8]\n"
               "               [--context N] [--chunk T[,T..]] [--embedding-precision f32|f16|int8]\n"
               "               [--head-precision f32|f16|int8|int4]\n"
               "      --chunk: the rows of the prefill segments (default 8,32,128); each prompt runs\n"
               "        through the ones that waste the fewest padded rows and runs\n"
               "               [--prune-heads R --calibration-text FILE [--calibration-tokens N]]\n"
               "      embeds the directory's tokenizer: vocab.json + merges.txt (GPT-2 BPE) or\n"
               "        tokenizer.model (SentencePiece BPE, prompts start with its bos)\n"
               "      --prune-heads R (0 <= R < 1): remove round(R * heads) query heads of every layer,\n"
               "        physically (q/k/v rows, output-projection columns, KV cache). Importance of a\n"
               "        head: mean L2 norm of its output-projection contribution W_o[:, h] c_h over the\n"
               "        first N (default 2048) tokens of FILE (UTF-8 text, the checkpoint's tokenizer),\n"
               "        from the f32 model; the lowest go. Grouped-query attention: every KV group keeps\n"
               "        the same number of heads (r heads from each group and/or G whole groups with\n"
               "        their KV heads, the pattern of least removed importance). Prints the scores and\n"
               "        removed heads; records them in the plan (metadata prune.heads.*). Combines with\n"
               "        --weights and the other options; R 0 only prints the scores.\n"
               "  mint decode-bench PLAN [--threads N] [--tokens N] [--prompt P] [--ids 1,2,3]\n"
               "                [--runs R] [--json] [--profile]\n"
               "  mint generate PLAN -p TEXT [-n N] [--temperature T] [--top-k K] [--top-p P]\n"
               "                [--repetition-penalty R] [--seed S] [--ids 1,2,3] [--no-eos] [--threads N]\n"
               "  mint eval gan PLAN --classifier CLS [--samples N] [--grid out.png] [--json]\n"
               "  mint eval vae ENCODER DECODER [--classifier CLS] [--json]\n"
               "  mint eval classifier CLS [--json]\n"
               "  mint eval text PLAN [--split test|validation] [--ctx N] [--bleu-prompts N]\n"
               "                [--distinct-samples N] [--threads 1,2] [--json]\n"
               "  mint bench PLAN [--threads 1,2] [--runs N] [--warmup W] [--json]\n");
  return 2;
}

struct Args {
  std::vector<std::string> positional;
  std::string output;
  std::string weights = "f32";
  std::string calibration;
  double prune = 0.0;
  double prune_heads = -1.0;  // --prune-heads; < 0: not given
  std::string calibration_text;
  size_t calibration_tokens = 2048;
  std::vector<std::string> input_shapes;  // NAME=d0,d1,.. (compile, ONNX)
  std::string isa;
  size_t threads = 1;
  size_t repeat = 20;
  std::string kv_cache = "f32";
  std::string embedding_precision = "f32", head_precision;  // head: empty = --weights
  size_t context = 0, tokens = 64, prompt_tokens = 32;
  std::vector<int32_t> chunks;  // --chunk: prefill rows (empty: HfImportOptions' default)
  std::string tokenizer_json, tokenizer_bpe;  // --tokenizer-gpt2
  // mint generate
  bool has_prompt = false;
  std::string prompt;
  std::vector<int32_t> ids;
  size_t max_new_tokens = 128;
  float temperature = 1.0f, top_p = 1.0f, repetition_penalty = 1.0f;
  int32_t top_k = 0;
  uint64_t seed = 0;
  bool no_eos = false;
  size_t group_size = 32;  // --weights int4
  bool asymmetric = false;
  size_t runs = 3;  // mint decode-bench
  bool json = false, profile = false;
};

bool parse_float(const char* s, float* out) {
  char* end = nullptr;
  const float v = std::strtof(s, &end);
  if (end == s || *end != '\0') return false;
  *out = v;  // range checks are the library's (mint_session_generate reports them)
  return true;
}

bool parse_i32(const char* s, int32_t* out) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v < INT32_MIN || v > INT32_MAX) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

// "1,2,3" -> {1, 2, 3}
bool parse_ids(const std::string& s, std::vector<int32_t>* out) {
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    int32_t id = 0;
    if (!parse_i32(s.substr(start, comma - start).c_str(), &id)) return false;
    out->push_back(id);
    start = comma + 1;
  }
  return true;
}

bool parse_size(const char* s, size_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0' || v > 1000000) return false;
  *out = static_cast<size_t>(v);
  return true;
}

bool parse_args(int argc, char** argv, Args* args) {
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((a == "-o" || a == "--output") && has_value) {
      args->output = argv[++i];
    } else if (a == "--weights" && has_value) {
      args->weights = argv[++i];
    } else if (a == "--input-shape" && has_value) {
      args->input_shapes.push_back(argv[++i]);
    } else if (a == "--calibration" && has_value) {
      args->calibration = argv[++i];
    } else if (a == "--prune-channels" && has_value) {
      char* end = nullptr;
      args->prune = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(args->prune >= 0.1 && args->prune <= 0.9)) {
        std::fprintf(stderr, "mint: --prune-channels '%s': want a number in [0.1, 0.9]\n", argv[i]);
        return false;
      }
    } else if (a == "--prune-heads" && has_value) {
      char* end = nullptr;
      args->prune_heads = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(args->prune_heads >= 0.0 && args->prune_heads < 1.0)) {
        std::fprintf(stderr, "mint: --prune-heads '%s': want a fraction in [0, 1)\n", argv[i]);
        return false;
      }
    } else if (a == "--calibration-text" && has_value) {
      args->calibration_text = argv[++i];
    } else if (a == "--calibration-tokens" && has_value) {
      if (!parse_size(argv[++i], &args->calibration_tokens) || args->calibration_tokens == 0) {
        std::fprintf(stderr, "mint: --calibration-tokens '%s': want an integer in [1, 1000000]\n", argv[i]);
        return false;
      }
    } else if (a == "-p" && has_value) {
      args->prompt = argv[++i];
      args->has_prompt = true;
    } else if (a == "-n" && has_value) {
      if (!parse_size(argv[++i], &args->max_new_tokens)) return false;
    } else if (a == "--temperature" && has_value) {
      if (!parse_float(argv[++i], &args->temperature)) return false;
    } else if (a == "--top-k" && has_value) {
      if (!parse_i32(argv[++i], &args->top_k)) return false;
    } else if (a == "--top-p" && has_value) {
      if (!parse_float(argv[++i], &args->top_p)) return false;
    } else if (a == "--repetition-penalty" && has_value) {
      if (!parse_float(argv[++i], &args->repetition_penalty)) return false;
    } else if (a == "--seed" && has_value) {
      char* end = nullptr;
      const char* v = argv[++i];
      args->seed = std::strtoull(v, &end, 10);
      if (end == v || *end != '\0') return false;
    } else if (a == "--ids" && has_value) {
      if (!parse_ids(argv[++i], &args->ids)) return false;
    } else if (a == "--no-eos") {
      args->no_eos = true;
    } else if (a == "--tokenizer-gpt2" && i + 2 < argc) {
      args->tokenizer_json = argv[++i];
      args->tokenizer_bpe = argv[++i];
    } else if (a == "--isa" && has_value) {
      args->isa = argv[++i];
    } else if (a == "--threads" && has_value) {
      if (!parse_size(argv[++i], &args->threads)) return false;
    } else if (a == "--repeat" && has_value) {
      if (!parse_size(argv[++i], &args->repeat) || args->repeat == 0) return false;
    } else if (a == "--kv-cache" && has_value) {
      args->kv_cache = argv[++i];
    } else if (a == "--embedding-precision" && has_value) {
      args->embedding_precision = argv[++i];
    } else if (a == "--head-precision" && has_value) {
      args->head_precision = argv[++i];
    } else if (a == "--context" && has_value) {
      if (!parse_size(argv[++i], &args->context)) return false;
    } else if (a == "--chunk" && has_value) {
      if (!parse_ids(argv[++i], &args->chunks)) return false;
    } else if (a == "--tokens" && has_value) {
      if (!parse_size(argv[++i], &args->tokens)) return false;
    } else if (a == "--prompt" && has_value) {
      if (!parse_size(argv[++i], &args->prompt_tokens)) return false;
    } else if (a == "--group-size" && has_value) {
      if (!parse_size(argv[++i], &args->group_size)) return false;
    } else if (a == "--asymmetric") {
      args->asymmetric = true;
    } else if (a == "--runs" && has_value) {
      if (!parse_size(argv[++i], &args->runs) || args->runs == 0) return false;
    } else if (a == "--json") {
      args->json = true;
    } else if (a == "--profile") {
      args->profile = true;
    } else if (a == "-h" || a == "--help") {
      return false;  // usage
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "mint: unknown option '%s'\n", a.c_str());
      return false;
    } else {
      args->positional.push_back(a);
    }
  }
  return true;
}

int report(const Status& st) {
  std::fprintf(stderr, "mint: error: %s\n", st.message().c_str());
  return 1;
}

int report_c(mint_status st) {
  std::fprintf(stderr, "mint: error (%s): %s\n", mint_status_string(st), mint_last_error());
  return 1;
}

Result<compiler::WeightPrecision> parse_weights(const std::string& s) {
  if (s == "f32") return compiler::WeightPrecision::kF32;
  if (s == "f16") return compiler::WeightPrecision::kF16;
  if (s == "int8") return compiler::WeightPrecision::kInt8;
  if (s == "int4") return compiler::WeightPrecision::kInt4;
  return Status::invalid_argument("--weights '" + s + "': want f32, f16, int8 or int4");
}

// "NAME=d0,d1,.." -> input_shapes[NAME] = {d0, d1, ..}.
Status parse_input_shape(const std::string& spec, compiler::OnnxImportOptions* options) {
  const size_t eq = spec.rfind('=');
  const Status bad = Status::invalid_argument("--input-shape '" + spec + "': want NAME=d0,d1,.. with dimensions >= 1");
  if (eq == std::string::npos || eq == 0 || eq + 1 >= spec.size()) return bad;
  std::vector<int64_t> dims;
  size_t pos = eq + 1;
  while (pos <= spec.size()) {
    const size_t comma = std::min(spec.find(',', pos), spec.size());
    const std::string d = spec.substr(pos, comma - pos);
    char* end = nullptr;
    const long long v = std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end != '\0' || v < 1 || v > (1LL << 31)) return bad;
    dims.push_back(v);
    pos = comma + 1;
  }
  options->input_shapes[spec.substr(0, eq)] = dims;
  return Status::ok();
}

Result<compiler::HfImportOptions> hf_options(const Args& args) {
  compiler::HfImportOptions o;
  if (args.kv_cache == "f32") o.kv_cache = DType::f32;
  else if (args.kv_cache == "f16") o.kv_cache = DType::f16;
  else if (args.kv_cache == "int8") o.kv_cache = DType::i8;
  else return Status::invalid_argument("--kv-cache '" + args.kv_cache + "': want f32, f16 or int8");
  o.context = static_cast<int64_t>(args.context);
  if (!args.chunks.empty()) o.prefill_chunks.assign(args.chunks.begin(), args.chunks.end());
  return o;
}

Result<std::vector<uint8_t>> compile_input(const std::string& input, const std::string& weights,
                                           const Args* args = nullptr) {
  compiler::CompileOptions options;
  const std::string calibration = args ? args->calibration : "";
  options.prune_channels = args ? args->prune : 0.0;
  options.int4_group_size = static_cast<uint32_t>(args ? args->group_size : 32);
  options.int4_asymmetric = args ? args->asymmetric : false;
  if (args != nullptr && !args->tokenizer_json.empty()) {
    auto tok = compiler::gpt2_plan_tokenizer_from_files(args->tokenizer_json, args->tokenizer_bpe);
    if (!tok.is_ok()) return tok.status().with_context("--tokenizer-gpt2");
    options.tokenizer = std::move(tok).value();
  }
  MINT_ASSIGN_OR_RETURN(options.weights, parse_weights(weights));
  if (!calibration.empty()) {
    if (options.weights != compiler::WeightPrecision::kInt8) {
      return Status::invalid_argument("--calibration needs --weights int8");
    }
    MINT_ASSIGN_OR_RETURN(options.calibration, compiler::read_calibration_file(calibration));
  }
  const std::string builtin = "builtin:";
  const std::string onnx = ".onnx";
  compiler::Graph graph;
  const bool prune_heads = args != nullptr && args->prune_heads >= 0.0;
  if (args != nullptr && !args->calibration_text.empty() && !prune_heads) {
    return Status::invalid_argument("--calibration-text is for --prune-heads");
  }
  if (args != nullptr && compiler::is_hf_checkpoint_dir(input)) {
    MINT_ASSIGN_OR_RETURN(const compiler::HfImportOptions hf, hf_options(*args));
    if (options.tokenizer.kind == plan::TokenizerKind::none) {  // --tokenizer-gpt2 wins
      MINT_ASSIGN_OR_RETURN(options.tokenizer, compiler::checkpoint_plan_tokenizer(input));
    }
    if (prune_heads) {
      if (args->calibration_text.empty()) {
        return Status::invalid_argument("--prune-heads needs --calibration-text FILE (text to score the heads on)");
      }
      compiler::HeadPruneOptions prune;
      prune.ratio = args->prune_heads;
      prune.calibration_text = args->calibration_text;
      prune.calibration_tokens = args->calibration_tokens;
      prune.tokenizer = options.tokenizer;
      compiler::HeadPruneReport report;
      MINT_ASSIGN_OR_RETURN(graph, compiler::import_hf_checkpoint_pruned(input, hf, prune, &report));
      std::printf("%s", compiler::format_head_report(report).c_str());
    } else {
      MINT_ASSIGN_OR_RETURN(graph, compiler::import_hf_checkpoint(input, hf));
    }
    DType embedding;
    if (args->embedding_precision == "f32") embedding = DType::f32;
    else if (args->embedding_precision == "f16") embedding = DType::f16;
    else if (args->embedding_precision == "int8") embedding = DType::i8;
    else return Status::invalid_argument("--embedding-precision '" + args->embedding_precision + "': want f32, f16 or int8");
    options.embedding_tables[compiler::hf_embedding_table_name(graph)] = embedding;
    if (!args->head_precision.empty()) {
      auto head = parse_weights(args->head_precision);
      if (!head.is_ok()) return head.status().with_context("--head-precision");
      options.weight_overrides[compiler::hf_head_weight_name(graph)] = head.value();
    }
  } else if (prune_heads) {
    return Status::invalid_argument("--prune-heads is for Hugging Face checkpoint directories");
  } else if (input.rfind(builtin, 0) == 0) {
    MINT_ASSIGN_OR_RETURN(graph, build_builtin_model(input.substr(builtin.size())));
  } else if (input.size() > onnx.size() &&
             input.compare(input.size() - onnx.size(), onnx.size(), onnx) == 0) {
    compiler::OnnxImportOptions import_options;
    for (const std::string& spec : args ? args->input_shapes : std::vector<std::string>{}) {
      MINT_RETURN_IF_ERROR(parse_input_shape(spec, &import_options));
    }
    MINT_ASSIGN_OR_RETURN(graph, compiler::import_onnx(input, import_options));
  } else {
    return Status::unsupported("cannot compile '" + input +
                               "': want an ONNX file (*.onnx) or a built-in model "
                               "(builtin:mlp, builtin:convnet) or a Hugging Face checkpoint "
                               "directory (with config.json)");
  }
  return compiler::compile(std::move(graph), options);
}

Status write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

struct Latency {
  double median_ms, p90_ms, min_ms;
};

// Fills inputs with seeded random data, runs `repeat` times (after one warm-up run), and
// returns latency statistics.
int run_plan(const std::string& path, size_t threads, const std::string& isa, size_t repeat,
             bool print_outputs, Latency* latency) {
  mint_model_t model = nullptr;
  mint_status st = mint_model_load_file(path.c_str(), nullptr, &model);
  if (st != mint_status_success) return report_c(st);
  mint_session_options options;
  mint_session_options_init(&options);
  options.num_threads = threads;
  options.max_isa = isa.empty() ? nullptr : isa.c_str();
  mint_session_t session = nullptr;
  st = mint_session_create(model, &options, &session);
  if (st != mint_status_success) {
    mint_model_free(model);
    return report_c(st);
  }
  size_t inputs = 0, outputs = 0;
  mint_model_input_count(model, &inputs);
  mint_model_output_count(model, &outputs);
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < inputs; ++i) {
    mint_tensor_info info{};
    info.size = sizeof(info);
    mint_model_input_info(model, i, &info);
    std::vector<uint8_t> data(info.byte_size);
    if (info.dtype == mint_dtype_f32) {
      for (size_t j = 0; j + 4 <= data.size(); j += 4) {
        const float v = dist(rng);
        std::memcpy(&data[j], &v, 4);
      }
    }
    st = mint_session_set_input(session, i, data.data(), data.size());
    if (st != mint_status_success) break;
  }
  std::vector<double> times;
  for (size_t r = 0; r <= repeat && st == mint_status_success; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    st = mint_session_run(session);
    const auto t1 = std::chrono::steady_clock::now();
    if (r > 0) times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  if (st != mint_status_success) {
    const int rc = report_c(st);
    mint_session_free(session);
    mint_model_free(model);
    return rc;
  }
  std::sort(times.begin(), times.end());
  latency->min_ms = times.front();
  latency->median_ms = times[times.size() / 2];
  latency->p90_ms = times[std::min(times.size() - 1, times.size() * 9 / 10)];
  const char* isa_used = "";
  mint_session_isa(session, &isa_used);
  if (print_outputs) {
    for (size_t i = 0; i < outputs; ++i) {
      mint_tensor_info info{};
      info.size = sizeof(info);
      mint_model_output_info(model, i, &info);
      const void* data = nullptr;
      size_t bytes = 0;
      mint_session_output_data(session, i, &data, &bytes);
      std::printf("output %zu '%s' %s [", i, info.name, mint_dtype_string(info.dtype));
      for (size_t d = 0; d < info.rank; ++d) std::printf(d ? ",%lld" : "%lld", (long long)info.shape[d]);
      std::printf("]:");
      if (info.dtype == mint_dtype_f32) {
        const float* f = static_cast<const float*>(data);
        for (size_t j = 0; j < std::min<size_t>(bytes / 4, 10); ++j) std::printf(" %.5f", f[j]);
        if (bytes / 4 > 10) std::printf(" ...");
      }
      std::printf("\n");
    }
  }
  std::printf("kernels: %s, threads: %zu, runs: %zu, latency median %.3f ms, p90 %.3f ms, min %.3f ms\n",
              isa_used, threads == 0 ? 1 : threads, repeat, latency->median_ms, latency->p90_ms,
              latency->min_ms);
  mint_session_free(session);
  mint_model_free(model);
  return 0;
}

int cmd_demo(const Args& args) {
  const std::string path = args.output.empty() ? "demo.mint" : args.output;
  std::printf("Building a small MLP with the builder API (256 -> 1024 -> 256 -> 10) ...\n");
  for (const char* weights : {"f32", "f16", "int8"}) {
    auto bytes = compile_input("builtin:mlp", weights);
    if (!bytes.is_ok()) return report(bytes.status());
    const std::string file = std::string(weights) == "f32" ? path : path + "." + weights;
    if (Status st = write_file(file, bytes.value()); !st.is_ok()) return report(st);
    std::printf("\n[%s weights] compiled to %s: %zu bytes\n", weights, file.c_str(), bytes.value().size());
    Latency latency{};
    if (int rc = run_plan(file, args.threads, args.isa, args.repeat, true, &latency)) return rc;
  }
  return 0;
}

int cmd_compile(const Args& args) {
  if (args.positional.size() != 1 || args.output.empty()) return usage();
  auto bytes = compile_input(args.positional[0], args.weights, &args);
  if (!bytes.is_ok()) return report(bytes.status());
  if (Status st = write_file(args.output, bytes.value()); !st.is_ok()) return report(st);
  std::printf("wrote %s (%zu bytes)\n", args.output.c_str(), bytes.value().size());
  return 0;
}

std::string quant_string(const QuantParams& q) {
  switch (q.kind) {
    case plan::QuantKind::per_tensor:
      return "per-tensor scale " + std::to_string(q.scale()) + " zp " + std::to_string(q.zero_point());
    case plan::QuantKind::per_channel:
      return "per-channel axis " + std::to_string(q.axis) + " (" + std::to_string(q.count) + " scales)";
    case plan::QuantKind::per_group:
      return "per-group axis " + std::to_string(q.axis) + " group " + std::to_string(q.group_size);
    default:
      return "";
  }
}

int cmd_inspect(const Args& args) {
  if (args.positional.size() != 1) return usage();
  auto loaded = Model::load_file(args.positional[0], {});
  if (!loaded.is_ok()) return report(loaded.status());
  const Model& model = *loaded.value();
  auto session = Session::create(model, {});
  if (!session.is_ok()) return report(session.status());
  const char* producer = model.metadata("producer");
  const char* family = model.metadata("model_family");
  std::printf("plan %s: %zu bytes, producer '%s', model family '%s'\n", args.positional[0].c_str(),
              model.file_size(), producer ? producer : "", family ? family : "");
  size_t constant_bytes = 0;
  int64_t parameters = 0;
  std::printf("\ntensors (%zu):\n", model.tensors().size());
  for (size_t i = 0; i < model.tensors().size(); ++i) {
    const TensorDesc& t = model.tensors()[i];
    if (t.storage == plan::Storage::constant) {
      constant_bytes += t.byte_size;
      parameters += t.shape.elements();
    }
    std::printf("  %3zu %-28s %-4s %-16s %-8s %-8s %10zu B", i, t.name.c_str(), dtype_name(t.dtype),
                t.shape.to_string().c_str(), storage_name(t.storage), layout_name(t.layout), t.byte_size);
    if (t.storage != plan::Storage::constant) std::printf("  @%zu", t.offset);
    const std::string q = quant_string(t.quant);
    if (!q.empty()) std::printf("  %s", q.c_str());
    std::printf("\n");
  }
  std::printf("\nops (%zu):\n", model.ops().size());
  for (size_t i = 0; i < model.ops().size(); ++i) {
    const OpView& op = model.ops()[i];
    std::printf("  %3zu %-18s %-20s in:", i, model.op_definitions()[i]->name,
                op.op->name() ? op.op->name()->c_str() : "");
    for (int32_t id : op.input_ids) std::printf(" %d", id);
    std::printf("  out:");
    for (int32_t id : op.output_ids) std::printf(" %d", id);
    const std::string kernel = session.value()->nodes()[i]->kernel_name();
    if (!kernel.empty()) std::printf("  kernel %s", kernel.c_str());
    std::printf("\n");
  }
  std::printf("\nparameters: %lld (elements of the constant tensors; biases packed into GEMM "
              "panels not counted)\n",
              static_cast<long long>(parameters));
  std::printf("constants: %zu bytes; arena: %zu bytes; state: %zu bytes; kernels for: %s\n",
              constant_bytes, model.arena_size(), model.state_size(),
              isa_name(session.value()->isa()));
  if (const tokenizer::Tokenizer* tok = model.tokenizer()) {
    std::printf("tokenizer: %s, %d tokens, bos %d, eos %d%s\n",
                tokenizer::tokenizer_kind_name(model.plan()->tokenizer()->kind()), tok->vocab_size(),
                tok->bos_id(), tok->eos_id(), model.tokenizer_add_bos() ? ", prompts start with bos" : "");
  }
  if (const char* removed = model.metadata("prune.heads.removed")) {
    const char* ratio = model.metadata("prune.heads.ratio");
    std::printf("attention heads pruned (--prune-heads %s), removed per layer (layer:heads): %s\n",
                ratio ? ratio : "?", removed);
  }
  return 0;
}

int cmd_run(const Args& args) {
  if (args.positional.size() != 1) return usage();
  Latency latency{};
  return run_plan(args.positional[0], args.threads, args.isa, args.repeat, true, &latency);
}

int stream_token(void* user_data, int32_t token, const char* text, size_t size) {
  if (token >= 0) static_cast<std::vector<int32_t>*>(user_data)->push_back(token);
  std::fwrite(text, 1, size, stdout);
  std::fflush(stdout);
  return 0;
}

int cmd_generate(const Args& args) {
  if (args.positional.size() != 1 || (!args.has_prompt && args.ids.empty())) return usage();
  mint_model_t model = nullptr;
  mint_status st = mint_model_load_file(args.positional[0].c_str(), nullptr, &model);
  if (st != mint_status_success) return report_c(st);
  mint_session_options session_options;
  mint_session_options_init(&session_options);
  session_options.num_threads = args.threads;
  session_options.max_isa = args.isa.empty() ? nullptr : args.isa.c_str();
  mint_session_t session = nullptr;
  st = mint_session_create(model, &session_options, &session);
  if (st != mint_status_success) {
    mint_model_free(model);
    return report_c(st);
  }
  mint_generate_options options;
  mint_generate_options_init(&options);
  options.max_new_tokens = args.max_new_tokens;
  options.temperature = args.temperature;
  options.top_k = args.top_k;
  options.top_p = args.top_p;
  options.repetition_penalty = args.repetition_penalty;
  options.seed = args.seed;
  options.stop_at_eos = args.no_eos ? 0 : 1;
  options.prompt_ids = args.ids.empty() ? nullptr : args.ids.data();
  options.prompt_id_count = args.ids.size();
  mint_generate_stats stats{};
  stats.size = sizeof(stats);
  std::vector<int32_t> generated;
  st = mint_session_generate(session, args.has_prompt ? args.prompt.c_str() : nullptr, &options,
                             stream_token, &generated, &stats);
  int rc = 0;
  if (st != mint_status_success) {
    rc = report_c(st);
  } else {
    static const char* const kReasons[] = {"max tokens", "eos", "stop token", "context full", "callback"};
    std::printf("\n");
    std::fprintf(stderr,
                 "mint: %zu prompt tokens, %zu generated (stop: %s); time to first token %.2f ms; "
                 "prefill %.1f tokens/s; decode %.1f tokens/s\n",
                 stats.prompt_tokens, stats.generated_tokens,
                 stats.stop_reason >= 0 && stats.stop_reason <= 4 ? kReasons[stats.stop_reason] : "?",
                 stats.time_to_first_token_ms, stats.prefill_tokens_per_s, stats.decode_tokens_per_s);
    std::fprintf(stderr, "generated ids:");
    for (int32_t id : generated) std::fprintf(stderr, " %d", id);
    std::fprintf(stderr, "\n");
    std::ifstream plan_file(args.positional[0], std::ios::binary | std::ios::ate);
    std::fprintf(stderr, "mint: plan %lld bytes; peak RSS %llu KiB\n",
                 static_cast<long long>(plan_file ? static_cast<long long>(plan_file.tellg()) : -1),
                 static_cast<unsigned long long>(tool::peak_rss_kib()));
  }
  mint_session_free(session);
  mint_model_free(model);
  return rc;
}

}  // namespace
}  // namespace mint::tool

int main(int argc, char** argv) {
  using namespace mint::tool;
  if (argc < 2) return usage();
  try {  // eval and bench parse their own options
    if (std::strcmp(argv[1], "eval") == 0) return cmd_eval(argc, argv);
    if (std::strcmp(argv[1], "bench") == 0) return cmd_bench(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mint: error: %s\n", e.what());
    return 1;
  }
  Args args;
  if (!parse_args(argc, argv, &args)) return usage();
  const std::string cmd = argv[1];
  try {
    if (cmd == "demo") return cmd_demo(args);
    if (cmd == "compile") return cmd_compile(args);
    if (cmd == "inspect") return cmd_inspect(args);
    if (cmd == "run") return cmd_run(args);
    if (cmd == "decode-bench") {
      if (args.positional.size() != 1) return usage();
      DecodeBenchOptions o;
      o.plan = args.positional[0];
      o.threads = args.threads;
      o.tokens = args.tokens;
      o.prompt = args.prompt_tokens;
      o.runs = args.runs;
      o.prompt_ids = args.ids;
      o.json = args.json;
      o.profile = args.profile;
      return cmd_decode_bench(o);
    }
    if (cmd == "generate") return cmd_generate(args);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mint: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mint: error: %s\n", e.what());
    return 1;
  }
  return usage();
}
