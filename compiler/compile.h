// From a Graph to a plan file.
//
// compile() runs, in order:
//   1. checks: every value produced before use, outputs present, shapes known;
//   2. weight compression: per CompileOptions (f32, f16 or int8 per-channel weights for the
//      GEMM-based ops, int4 group-wise for fully_connected; dynamic int8 activations for int8
//      and int4 weights in an f32 graph);
//   3. prepacking: fully_connected / conv2d / transposed_conv2d weights into the kernels'
//      panel layouts (compiler/prepack.h), biases folded into the packing where the op allows;
//   4. memory planning (compiler/memory_planner.h): arena offsets by liveness;
//   5. writing the plan (compiler/plan_writer.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/graph.h"

namespace mint::compiler {

enum class WeightPrecision : uint8_t {
  kF32 = 0,
  kF16 = 1,
  kInt8 = 2,   // per-output-channel symmetric int8, dynamic per-row int8 activations
  kInt4 = 3,   // fully_connected: group-wise int4 (kernels/qs4_gemm.h), dynamic per-group int8
               // activations; fully_connected layers whose k is not a multiple of the group
               // size get int8; convolutions stay f32 (as for kInt8)
};

struct CompileOptions {
  WeightPrecision weights = WeightPrecision::kF32;
  uint32_t int4_group_size = 32;  // kInt4: 32, 64 or 128 consecutive k per scale
  bool int4_asymmetric = false;   // kInt4: a zero point per group (values 0..15) too
  std::string producer = "mint-compiler 0.1.0";
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
