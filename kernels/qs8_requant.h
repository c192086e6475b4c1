// Scalar epilogues of the qs8 GEMM family, exactly as specified in kernels/gemm.h. SIMD kernels
// must perform the same float operations in the same order, with no fused multiply-add; the
// tests compare bit-exactly.
//
// The functions are `static` (internal linkage) on purpose: this header is included by
// translation units compiled with different ISA flags, and a shared inline definition could be
// resolved by the linker to a copy compiled for a wider ISA than the caller's CPU has.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/gemm.h"

namespace mint {

// View of the header of one packed qs8 panel (layout in kernels/gemm.h).
struct Qs8PanelHeader {
  int32_t bias_q[kGemmNR];
  float bias_f[kGemmNR];
  int32_t w_sum[kGemmNR];
  float w_scale[kGemmNR];
};
static_assert(sizeof(Qs8PanelHeader) == qs8_gemm_panel_header_bytes(), "qs8 panel header");

static inline int8_t qs8_requantize(int32_t acc, float a_scale, float w_scale, const Qs8GemmParams& p) {
  const float multiplier = (a_scale * w_scale) * p.out_inv_scale;
  float v = static_cast<float>(acc) * multiplier;
  v = std::min(std::max(v, static_cast<float>(int32_t{p.out_min} - p.out_zero_point)),
               static_cast<float>(int32_t{p.out_max} - p.out_zero_point));
  return static_cast<int8_t>(static_cast<int32_t>(std::nearbyint(v)) + p.out_zero_point);
}

static inline float qs8_dequantize(int32_t acc, float a_scale, float w_scale, float bias,
                            const Qs8GemmParams& p) {
  const float v = static_cast<float>(acc) * (a_scale * w_scale) + bias;
  return std::min(std::max(v, p.f32_min), p.f32_max);
}

}  // namespace mint
