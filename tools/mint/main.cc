// The `mint` command-line tool.
//
//   mint demo [-o PLAN] [--threads N]      build a small model in code, compile, run, report
//   mint compile INPUT -o PLAN [--weights f32|f16|int8] [--calibration FILE]
//                                          INPUT: model.onnx | builtin:mlp | builtin:convnet
//                                          (the Hugging Face frontend comes later);
//                                          --calibration: static int8 activations calibrated
//                                          on FILE (raw f32 samples, compiler/quantize_static.h)
//                                          [--prune-channels R]: structured channel pruning
//                                          (compiler/prune.h)
//   mint inspect PLAN                      tensors, ops, dtypes, quantization, sizes, arena
//   mint run PLAN [--threads N] [--isa ISA] [--repeat R]
//                                          random inputs; prints outputs and latency
#include <algorithm>
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
#include "mint/mint.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tools/mint/demo_model.h"

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
               "  mint inspect PLAN\n"
               "  mint run PLAN [--threads N] [--isa ISA] [--repeat R]\n");
  return 2;
}

struct Args {
  std::vector<std::string> positional;
  std::string output;
  std::string weights = "f32";
  std::string calibration;
  double prune = 0.0;
  std::string isa;
  size_t threads = 1;
  size_t repeat = 20;
};

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
    } else if (a == "--calibration" && has_value) {
      args->calibration = argv[++i];
    } else if (a == "--prune-channels" && has_value) {
      char* end = nullptr;
      args->prune = std::strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(args->prune >= 0.1 && args->prune <= 0.9)) {
        std::fprintf(stderr, "mint: --prune-channels '%s': want a number in [0.1, 0.9]\n", argv[i]);
        return false;
      }
    } else if (a == "--isa" && has_value) {
      args->isa = argv[++i];
    } else if (a == "--threads" && has_value) {
      if (!parse_size(argv[++i], &args->threads)) return false;
    } else if (a == "--repeat" && has_value) {
      if (!parse_size(argv[++i], &args->repeat) || args->repeat == 0) return false;
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
  return Status::invalid_argument("--weights '" + s + "': want f32, f16 or int8");
}

Result<std::vector<uint8_t>> compile_input(const std::string& input, const std::string& weights,
                                           const std::string& calibration = "", double prune = 0) {
  compiler::CompileOptions options;
  options.prune_channels = prune;
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
  if (input.rfind(builtin, 0) == 0) {
    MINT_ASSIGN_OR_RETURN(graph, build_builtin_model(input.substr(builtin.size())));
  } else if (input.size() > onnx.size() &&
             input.compare(input.size() - onnx.size(), onnx.size(), onnx) == 0) {
    MINT_ASSIGN_OR_RETURN(graph, compiler::import_onnx(input));
  } else {
    return Status::unsupported("cannot compile '" + input +
                               "': want an ONNX file (*.onnx) or a built-in model "
                               "(builtin:mlp, builtin:convnet); the Hugging Face checkpoint "
                               "frontend is not there yet");
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
  auto bytes = compile_input(args.positional[0], args.weights, args.calibration, args.prune);
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
  return 0;
}

int cmd_run(const Args& args) {
  if (args.positional.size() != 1) return usage();
  Latency latency{};
  return run_plan(args.positional[0], args.threads, args.isa, args.repeat, true, &latency);
}

}  // namespace
}  // namespace mint::tool

int main(int argc, char** argv) {
  using namespace mint::tool;
  if (argc < 2) return usage();
  Args args;
  if (!parse_args(argc, argv, &args)) return usage();
  const std::string cmd = argv[1];
  try {
    if (cmd == "demo") return cmd_demo(args);
    if (cmd == "compile") return cmd_compile(args);
    if (cmd == "inspect") return cmd_inspect(args);
    if (cmd == "run") return cmd_run(args);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mint: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mint: error: %s\n", e.what());
    return 1;
  }
  return usage();
}
