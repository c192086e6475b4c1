// Static cost of a loaded plan: parameters and floating-point operations, from the plan alone.
//
// FLOPs = 2 * MACs (one multiply and one add per multiply-accumulate), counted for the
// GEMM-like ops only, at the plan's own (static) shapes, i.e. per run of the plan:
//   fully_connected     x [.., k] -> y [.., n]:          MACs = elements(y) * k
//   matmul              a [.., m, k] -> y [.., m, n]:    MACs = elements(y) * k
//   conv2d              x [N, H, W, Cin] -> y [N, OH, OW, Cout], kernel KH x KW, groups G:
//                                                        MACs = elements(y) * KH * KW * Cin / G
//   transposed_conv2d   x [N, H, W, Cin] -> y, kernel KH x KW, Cout outputs:
//                                                        MACs = N * H * W * Cin * KH * KW * Cout
//                       (every input pixel meets every kernel tap, the GEMM + col2im work,
//                       including taps that land in the cropped padding)
// Bias additions, activations, normalizations and elementwise ops are not counted.
//
// Parameters = the logical element count (product of the shape) of every constant tensor an
// op reads, each tensor once, plus n for every packed GEMM weight [n, k] read by a
// fully_connected or conv2d op: the compiler folds the bias into the packing (one value per
// output channel, zero when the source model had no bias). Quantization scales and zero
// points are not counted. constant_bytes is the bytes of those constants as stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model.h"

namespace mint::eval {

struct OpCost {
  size_t index = 0;
  std::string op;  // op code name
  uint64_t macs = 0;
};

struct PlanCost {
  uint64_t params = 0;
  uint64_t macs = 0;
  uint64_t flops = 0;  // 2 * macs
  uint64_t constant_bytes = 0;
  uint64_t file_size = 0;
  std::vector<OpCost> ops;  // ops with macs > 0, in plan order
};

PlanCost plan_cost(const Model& model);

}  // namespace mint::eval
