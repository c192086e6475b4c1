// Dynamic row quantization: f32 rows -> int8 rows, each row with its own asymmetric scale and
// zero point (the activation side of dynamically quantized int8 GEMM).
//
// For row i with lo = min(0, min_k x), hi = max(0, max_k x):
//   scale = (hi - lo) / 255          (1 if hi == lo)
//   zero_point = clamp(nearbyint(-128 - lo / scale), -128, 127)
//   q[k] = clamp(nearbyint(x[k] * (1 / scale)) + zero_point, -128, 127)   (round-half-even)
// Bytes k..q_stride-1 of each output row are set to 0 (the GEMM kernels read round_up(k, 4)).
// Including 0 in [lo, hi] makes 0 exactly representable (zero padding stays exact).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/gemm.h"
#include "kernels/isa.h"
#include "kernels/registry.h"  // MINT_ARCH_*

namespace mint {

using QuantizeRowsFn = void (*)(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q,
                                size_t q_stride, Qs8RowQuant* quant);

// qs8_quantize_rows_<suffix> for every entry of kernels/quantize_rows.inc: the scalar reference
// and ISA variants (kernels/qs8_quantize_rows_vec.h) equal to it bit for bit.
#define MINT_KERNEL(isa, suffix)                                                                  \
  void qs8_quantize_rows_##suffix(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q, \
                                  size_t q_stride, Qs8RowQuant* quant);
#include "kernels/quantize_rows.inc"
#undef MINT_KERNEL

struct QuantizeRowsKernel {
  const char* name;  // the suffix: "scalar", "avx2", ...
  Isa isa;
  QuantizeRowsFn fn;
};
// Every entry of kernels/quantize_rows.inc (the scalar reference first).
const QuantizeRowsKernel* quantize_rows_kernels(size_t* count);
// The best row quantizer for the ISAs in `mask` (the scalar reference if none); never null.
QuantizeRowsFn select_quantize_rows(IsaMask mask);

}  // namespace mint
