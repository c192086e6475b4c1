// From a Graph to a plan file.
//
// compile() runs, in order:
//   1. checks: every value produced before use, outputs present, shapes known;
//   2. weight compression: per CompileOptions (f32, f16 or int8 per-channel weights for the
//      GEMM-based ops; dynamic int8 activations for int8 weights in an f32 graph);
//   3. prepacking: fully_connected / conv2d / transposed_conv2d weights into the kernels'
//      panel layouts (compiler/prepack.h), biases folded into the packing where the op allows;
//   4. memory planning (compiler/memory_planner.h): arena offsets by liveness;
//   5. writing the plan (compiler/plan_writer.h), with the tokenizer of CompileOptions if any
//      (checked first: a blob the runtime would reject is an invalid_argument here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "compiler/plan_writer.h"

namespace mint::compiler {

enum class WeightPrecision : uint8_t {
  kF32 = 0,
  kF16 = 1,
  kInt8 = 2,   // per-output-channel symmetric int8, dynamic per-row int8 activations
};

struct CompileOptions {
  WeightPrecision weights = WeightPrecision::kF32;
  std::string producer = "mint-compiler 0.1.0";
  PlanTokenizer tokenizer;  // kind none: the plan carries no tokenizer
};

// Lowers and prepacks `graph` in place (step 1-3). Exposed for tests and `mint inspect`.
Status lower_graph(Graph& graph, const CompileOptions& options);

// The whole pipeline: the bytes of a plan file.
Result<std::vector<uint8_t>> compile(Graph graph, const CompileOptions& options);

// Writes the plan to `path`.
Status compile_to_file(Graph graph, const CompileOptions& options, const std::string& path);

// Hooks for ops whose prepacking lives beside their runtime implementation
// (compiler/prepack_conv.cc): turn node's plain weights (and bias) into packed constants.
Status prepack_conv2d(Graph& graph, Node& node, const CompileOptions& options);
Status prepack_transposed_conv2d(Graph& graph, Node& node, const CompileOptions& options);

}  // namespace mint::compiler
