// Shared parts of the AArch64 qs8 GEMM kernels (kernels/arm/neon/qs8_gemm_neon.cc and
// kernels/arm/neondot/qs8_gemm_neondot.cc): the panel and row driver and the epilogue. The
// kernels differ only in how they accumulate the int8 products of one panel.
//
// Included only by translation units under kernels/arm/<isa>/. Everything here has internal
// linkage (an unnamed namespace), so the copies compiled with different -march flags are never
// merged by the linker (the One Definition Rule hazard of cmake/MintIsa.cmake), and it uses
// only ARMv8.0 Advanced SIMD.
//
// The epilogue is kernels/qs8_requant.h lane by lane: the same float operations in the same
// order, each its own rounded instruction, (float)acc with SCVTF (vcvtq_f32_s32, round to
// nearest like the C++ conversion), round-half-to-even with FCVTNS (vcvtnq_s32_f32, which is
// nearbyint in the default rounding mode), and clamps with the semantics of std::max and
// std::min, which FMAX/FMIN do not have for -0.0 against +0.0. The tests compare bit-exactly.
// GCC's arm_neon.h writes vmulq_f32 and vaddq_f32 as plain vector `*` and `+`, which its C++
// default -ffp-contract=fast would fuse into FMLA: qs8_unfused() keeps the product rounded
// whatever the compile flags.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/gemm.h"
#include "kernels/qs8_requant.h"

namespace mint {
namespace {

// std::max(v, lo) and std::min(v, hi), lane by lane and exactly: (v < lo) ? lo : v.
inline float32x4_t qs8_std_max(float32x4_t v, float32x4_t lo) {
  return vbslq_f32(vcltq_f32(v, lo), lo, v);
}
inline float32x4_t qs8_std_min(float32x4_t v, float32x4_t hi) {
  return vbslq_f32(vcltq_f32(hi, v), hi, v);
}

// Returns v unchanged, opaque to the optimizer, so that a multiply before it and an add after
// it are never contracted into a fused multiply-add.
inline float32x4_t qs8_unfused(float32x4_t v) {
  __asm__("" : "+w"(v));
  return v;
}

// Loads the 4 bytes A[4g .. 4g + 3] of a row into every 32-bit lane (no alignment assumed).
inline int32x4_t qs8_load_group(const int8_t* p) {
  int32_t x;
  std::memcpy(&x, p, sizeof(x));
  return vdupq_n_s32(x);
}

// Writes the nc <= 16 outputs of one row, channels n0 .. n0 + nc of c_row, from the row's
// accumulators (acc[q] = channels 4q .. 4q + 3 of the panel). Never writes past nc.
inline void qs8_store_row(const int32x4_t (&acc)[4], const Qs8PanelHeader* h, Qs8RowQuant aq,
                          const Qs8GemmParams& p, char* c_row, size_t n0, size_t nc) {
  if (p.output == Qs8Output::kQs8) {
    const float32x4_t lo = vdupq_n_f32(static_cast<float>(int32_t{p.out_min} - p.out_zero_point));
    const float32x4_t hi = vdupq_n_f32(static_cast<float>(int32_t{p.out_max} - p.out_zero_point));
    const int32x4_t zp = vdupq_n_s32(p.out_zero_point);
    int32x4_t q32[4];
    for (size_t q = 0; q < 4; ++q) {
      // multiplier = (a_scale * w_scale) * out_inv_scale; v = (float)acc * multiplier
      const float32x4_t mult =
          vmulq_n_f32(vmulq_n_f32(vld1q_f32(h->w_scale + 4 * q), aq.scale), p.out_inv_scale);
      float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc[q]), mult);
      v = qs8_std_min(qs8_std_max(v, lo), hi);
      q32[q] = vaddq_s32(vcvtnq_s32_f32(v), zp);
    }
    // In range after the clamp, so the saturating narrows are plain conversions.
    const int16x8_t q16_lo = vcombine_s16(vqmovn_s32(q32[0]), vqmovn_s32(q32[1]));
    const int16x8_t q16_hi = vcombine_s16(vqmovn_s32(q32[2]), vqmovn_s32(q32[3]));
    const int8x16_t q8 = vcombine_s8(vqmovn_s16(q16_lo), vqmovn_s16(q16_hi));
    int8_t* dst = reinterpret_cast<int8_t*>(c_row) + n0;
    if (nc == kGemmNR) {
      vst1q_s8(dst, q8);
    } else {
      int8_t out[kGemmNR];
      vst1q_s8(out, q8);
      std::memcpy(dst, out, nc);
    }
  } else {
    const float32x4_t lo = vdupq_n_f32(p.f32_min);
    const float32x4_t hi = vdupq_n_f32(p.f32_max);
    float out[kGemmNR];
    float* dst = reinterpret_cast<float*>(c_row) + n0;
    float* o = nc == kGemmNR ? dst : out;
    for (size_t q = 0; q < 4; ++q) {
      // v = (float)acc * (a_scale * w_scale) + bias_f, then clamp
      const float32x4_t scale = vmulq_n_f32(vld1q_f32(h->w_scale + 4 * q), aq.scale);
      float32x4_t v = qs8_unfused(vmulq_f32(vcvtq_f32_s32(acc[q]), scale));
      v = vaddq_f32(v, vld1q_f32(h->bias_f + 4 * q));
      vst1q_f32(o + 4 * q, qs8_std_min(qs8_std_max(v, lo), hi));
    }
    if (nc != kGemmNR) std::memcpy(dst, out, nc * sizeof(float));
  }
}

// The qs8 kernel driver: for each 16-channel panel, starts the accumulators of MR rows at
// bias_q - za_i * w_sum, lets Accumulate<MR>::run add sum_kk A[i][kk] * W[kk][j] over the
// panel's kp / 4 groups of 4 k values, and stores rows 0 .. m - 1. Rows m .. MR - 1 read row
// m - 1 again (readable by contract) and are dropped.
//   Accumulate<MR>::run(const int8_t* const (&a_rows)[MR], const int8_t* w, size_t groups,
//                       int32x4_t (&acc)[MR][4])
template <size_t MR, template <size_t> class Accumulate>
inline void qs8_gemm_rows(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                          const void* packed_w, void* c, size_t c_stride_bytes,
                          const Qs8GemmParams* params) {
  if (m == 0) return;
  const int8_t* a_rows[MR];
  Qs8RowQuant aq[MR];
  for (size_t i = 0; i < MR; ++i) {
    const size_t r = std::min(i, m - 1);
    a_rows[i] = a + r * a_stride;
    aq[i] = params->a_quant[r * params->a_quant_stride];
  }
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR, panel += qs8_gemm_panel_bytes(k)) {
    const Qs8PanelHeader* h = reinterpret_cast<const Qs8PanelHeader*>(panel);
    const int8_t* w = reinterpret_cast<const int8_t*>(panel + qs8_gemm_panel_header_bytes());
    int32x4_t acc[MR][4];
    for (size_t q = 0; q < 4; ++q) {
      const int32x4_t bias = vld1q_s32(h->bias_q + 4 * q);
      const int32x4_t w_sum = vld1q_s32(h->w_sum + 4 * q);
      for (size_t i = 0; i < MR; ++i) acc[i][q] = vmlsq_n_s32(bias, w_sum, aq[i].zero_point);
    }
    Accumulate<MR>::run(a_rows, w, groups, acc);
    const size_t nc = std::min(kGemmNR, n - n0);
    // A constant trip count keeps acc[i] in registers (a loop to m would index it at run time).
    for (size_t i = 0; i < MR; ++i) {
      if (i >= m) break;
      qs8_store_row(acc[i], h, aq[i], *params, static_cast<char*>(c) + i * c_stride_bytes, n0, nc);
    }
  }
}

}  // namespace
}  // namespace mint
