// Normalization kernels over the last axis: `rows` rows of `d` floats, row r at x + r * d and
// y + r * d (x and y may be the same array). Statistics are accumulated in double.
//
//   f32_layer_norm_scalar:
//     mean = sum_j x[j] / d
//     var  = sum_j (x[j] - mean)^2 / d                      (biased, as PyTorch / ONNX)
//     y[j] = (x[j] - mean) / sqrt(var + epsilon) * gamma[j] + beta[j]   (beta null: 0)
//
//   f32_rms_norm_scalar:
//     ms   = sum_j x[j]^2 / d
//     y[j] = x[j] / sqrt(ms + epsilon) * gamma[j]
//
// gamma and beta have d entries. d >= 1 and epsilon > 0 (the operator validates both).
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>

#include "kernels/isa.h"
#include "kernels/registry.h"  // MINT_ARCH_*

namespace mint {

using F32LayerNormFn = void (*)(size_t rows, size_t d, const float* x, const float* gamma,
                                const float* beta, float epsilon, float* y);
using F32RmsNormFn = void (*)(size_t rows, size_t d, const float* x, const float* gamma,
                              float epsilon, float* y);

// f32_layer_norm_<suffix> and f32_rms_norm_<suffix> for every entry of kernels/normalization.inc:
// the scalar reference above and ISA variants (kernels/normalization_vec.h) that equal it row by
// row evaluated with a mean and an inverse deviation within one f32 ulp of its own.
#define MINT_KERNEL(isa, suffix)                                                          \
  void f32_layer_norm_##suffix(size_t rows, size_t d, const float* x, const float* gamma, \
                               const float* beta, float epsilon, float* y);               \
  void f32_rms_norm_##suffix(size_t rows, size_t d, const float* x, const float* gamma,   \
                             float epsilon, float* y);
#include "kernels/normalization.inc"
#undef MINT_KERNEL

struct NormKernel {
  const char* name;  // the suffix: "scalar", "avx2", ...
  Isa isa;
  F32LayerNormFn layer_norm;
  F32RmsNormFn rms_norm;
};
// Every entry of kernels/normalization.inc (the scalar reference first).
const NormKernel* norm_kernels(size_t* count);
// The entry of the best ISA in `mask` (the scalar reference if none); never null.
const NormKernel* select_norm(IsaMask mask);

}  // namespace mint
