// From a Graph to a plan file.
//
// compile() runs, in order:
//   1. checks: every value produced before use, outputs present, shapes known;
//   0. with prune_channels: structured channel pruning (compiler/prune.h);
//      with calibration data (static int8): activation fusion, calibration and int8 rewriting
//      of the graph (compiler/quantize_static.h);
//   2. weight compression: per CompileOptions (f32, f16 or int8 per-channel weights for the
//      GEMM-based ops, int4 group-wise for fully_connected; dynamic int8 activations for int8
//      and int4 weights in an f32 graph, static int8 for ops whose input the static pass made
//      int8, f16 weights for the ops it left in float because they read a graph input);
//   3. prepacking: fully_connected / conv2d / transposed_conv2d weights into the kernels'
//      panel layouts (compiler/prepack.h), biases folded into the packing where the op allows;
//      embedding tables converted (CompileOptions::embedding_tables) or pointed at the packed
//      panels of the same weight (tied heads);
//   4. memory planning (compiler/memory_planner.h): arena offsets by liveness;
//   5. writing the plan (compiler/plan_writer.h), with the tokenizer of CompileOptions if any
//      (checked first: a blob the runtime would reject is an invalid_argument here).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "compiler/plan_writer.h"

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
  // Static int8 (needs kInt8): calibration samples, the floats of a calibration file
  // (compiler/quantize_static.h). Empty: int8 weights use dynamic activations.
  std::vector<float> calibration;
  // Structured channel pruning ratio in [0.1, 0.9] (compiler/prune.h); 0: none.
  double prune_channels = 0.0;
  uint32_t int4_group_size = 32;  // kInt4: 32, 64 or 128 consecutive k per scale
  bool int4_asymmetric = false;   // kInt4: a zero point per group (values 0..15) too
  // Per-weight precision: fully_connected weights (plain f32 constants) named here are packed
  // with this precision instead of `weights` (mint compile --head-precision: the output head).
  std::map<std::string, WeightPrecision> weight_overrides;
  // Embedding tables (plain f32 constants, input 0 of embedding nodes) named here are stored as
  // this dtype: f16, or i8 with symmetric per-row scales (quantization per_channel axis 0, as
  // int8 weights); f32 or absent: as they are. Whatever the dtype, a table that is also the
  // weight of a fully_connected packed in the same precision (f32 -> gemm_f32, f16 -> gemm_f16,
  // i8 -> gemm_qs8; a tied output head) is gathered from those packed panels instead of being
  // stored a second time: the gathered values are the same either way.
  std::map<std::string, DType> embedding_tables;
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

// Packs per-channel int8 weights q [n, k] (scales w_scales) of a node whose input 0 is int8
// per-tensor (static quantization): with an int8 output the bias goes to the int32 accumulator
// (bias_q[j] = nearbyint(bias[j] / (x_scale * w_scale[j]))), with an f32 output it is added after
// dequantization (bias_f). bias may be empty.
Result<std::vector<uint8_t>> pack_static_qs8(const Graph& graph, const Node& node, size_t n,
                                             size_t k, const std::vector<int8_t>& q,
                                             const std::vector<float>& w_scales,
                                             const std::vector<float>& bias);

}  // namespace mint::compiler
