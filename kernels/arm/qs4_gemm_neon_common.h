// Shared body of the AArch64 qs4 GEMM kernels (contract: kernels/qs4_gemm.h), included by
// kernels/arm/neon/qs4_gemm_neon.cc and kernels/arm/neondot/qs4_gemm_neondot.cc, which differ
// only in the 4-byte dot product `Dot::dot4(acc, weights, activations)` of 4 channels:
// SMULL + ADDP + SADALP (ARMv8.0) or one SDOT (dotprod). The nibbles (0..15) are valid signed
// bytes, so both operands are s8.
//
// A 16-channel panel is four int32x4 quarters (lane = channel). A 64-byte sub-block (16
// channels x 8 k) is four 16-byte loads, each split into its low (k 0..3) and high (k 4..7)
// nibbles and multiplied with 4 activation bytes replicated across the lanes. At the end of a
// group: the zero-point term (MLS by the row's group sum), SCVTF, and the contract's unfused
// multiply and add (qs4_unfused keeps GCC from fusing them into FMLA whatever the flags).
// The clamp has std::max / std::min semantics (signed zeros, NaN) through compare + select.
//
// Included only under kernels/arm/<isa>/; everything has internal linkage (unnamed namespace),
// so copies compiled with different -march flags are never merged; only ARMv8.0 Advanced SIMD
// is used here.
#pragma once

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/qs4_gemm.h"

namespace mint {
namespace {

inline float32x4_t qs4_unfused(float32x4_t v) {
  __asm__("" : "+w"(v));
  return v;
}

inline int8x16_t qs4_broadcast_u32(const int8_t* p) {
  int32_t x;
  std::memcpy(&x, p, sizeof(x));
  return vreinterpretq_s8_s32(vdupq_n_s32(x));
}

template <class Dot, size_t M, size_t NP>
inline void qs4_tile_neon(size_t ng, size_t gs, const int8_t* a, size_t a_stride,
                          const char* panel, size_t panel_bytes, float* c, size_t c_stride,
                          size_t nc, const Qs4GemmParams* params) {
  constexpr size_t Q = 4 * NP;  // int32x4 quarters in the tile
  float32x4_t out[M][Q];
  const char* grp[NP];
  for (size_t p = 0; p < NP; ++p) {
    const float* bias = reinterpret_cast<const float*>(panel + p * panel_bytes);
    for (size_t i = 0; i < M; ++i) {
      for (size_t q = 0; q < 4; ++q) out[i][4 * p + q] = vld1q_f32(bias + 4 * q);
    }
    grp[p] = panel + p * panel_bytes + sizeof(Qs4PanelHeader);
  }
  const uint8x16_t nibble = vdupq_n_u8(0x0F);
  const size_t group_bytes = qs4_group_bytes(gs);
  for (size_t g = 0; g < ng; ++g) {
    int32x4_t acc[M][Q];
    for (size_t i = 0; i < M; ++i) {
      for (size_t q = 0; q < Q; ++q) acc[i][q] = vdupq_n_s32(0);
    }
    for (size_t s = 0; s < gs / kQs4SubK; ++s) {
      int8x16_t lo[Q], hi[Q];
      for (size_t q = 0; q < Q; ++q) {
        const uint8x16_t w = vld1q_u8(reinterpret_cast<const uint8_t*>(
            grp[q / 4] + sizeof(Qs4GroupHeader) + s * 64 + (q % 4) * 16));
        lo[q] = vreinterpretq_s8_u8(vandq_u8(w, nibble));
        hi[q] = vreinterpretq_s8_u8(vshrq_n_u8(w, 4));
      }
      for (size_t i = 0; i < M; ++i) {
        const int8_t* ap = a + i * a_stride + g * gs + s * kQs4SubK;
        const int8x16_t a_lo = qs4_broadcast_u32(ap), a_hi = qs4_broadcast_u32(ap + 4);
        for (size_t q = 0; q < Q; ++q) {
          acc[i][q] = Dot::dot4(acc[i][q], lo[q], a_lo);
          acc[i][q] = Dot::dot4(acc[i][q], hi[q], a_hi);
        }
      }
    }
    for (size_t p = 0; p < NP; ++p) {
      const auto* gh = reinterpret_cast<const Qs4GroupHeader*>(grp[p]);
      const uint8x16_t z8 = vld1q_u8(gh->zero);
      const uint16x8_t z16[2] = {vmovl_u8(vget_low_u8(z8)), vmovl_high_u8(z8)};
      for (size_t q = 0; q < 4; ++q) {
        const float32x4_t d = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(gh->scale + 4 * q)));
        const uint16x8_t zh = z16[q / 2];
        const int32x4_t z = vreinterpretq_s32_u32(q % 2 == 0 ? vmovl_u16(vget_low_u16(zh))
                                                             : vmovl_high_u16(zh));
        for (size_t i = 0; i < M; ++i) {
          const Qs4ActQuant aq = params->a_quant[i * params->a_quant_stride + g];
          const int32x4_t v = vmlsq_n_s32(acc[i][4 * p + q], z, aq.sum);
          const float32x4_t scale = qs4_unfused(vmulq_n_f32(d, aq.scale));
          const float32x4_t prod = qs4_unfused(vmulq_f32(vcvtq_f32_s32(v), scale));
          out[i][4 * p + q] = vaddq_f32(out[i][4 * p + q], prod);
        }
      }
      grp[p] += group_bytes;
    }
  }
  const float32x4_t vmin = vdupq_n_f32(params->min), vmax = vdupq_n_f32(params->max);
  for (size_t i = 0; i < M; ++i) {
    float* c_row = c + i * c_stride;
    for (size_t q = 0; q < Q; ++q) {
      if (q * 4 >= nc) break;
      float32x4_t v = out[i][q];
      v = vbslq_f32(vcltq_f32(v, vmin), vmin, v);  // std::max(v, min)
      v = vbslq_f32(vcltq_f32(vmax, v), vmax, v);  // std::min(v, max)
      if (nc - q * 4 >= 4) {
        vst1q_f32(c_row + 4 * q, v);
      } else {
        float tmp[4];
        vst1q_f32(tmp, v);
        std::memcpy(c_row + 4 * q, tmp, sizeof(float) * (nc - q * 4));
      }
    }
  }
}

template <class Dot, size_t M, size_t NP>
inline void qs4_rows_neon(size_t n, size_t k, const int8_t* a, size_t a_stride, const char* panel,
                          float* c, size_t c_stride, const Qs4GemmParams* params) {
  const size_t gs = params->group_size, ng = qs4_group_count(k, gs);
  const size_t pb = qs4_gemm_panel_bytes(k, gs);
  size_t n0 = 0;
  for (; n0 + (NP - 1) * kGemmNR < n; n0 += NP * kGemmNR, panel += NP * pb) {
    qs4_tile_neon<Dot, M, NP>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride,
                              std::min(NP * kGemmNR, n - n0), params);
  }
  for (; n0 < n; n0 += kGemmNR, panel += pb) {
    qs4_tile_neon<Dot, M, 1>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride,
                             std::min(kGemmNR, n - n0), params);
  }
}

// GEMM of up to 2 rows (1 panel per tile) or GEMV (2 panels per tile).
template <class Dot>
void qs4_gemm_neon(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                   const void* packed_w, float* c, size_t c_stride, const Qs4GemmParams* params) {
  const char* w = static_cast<const char*>(packed_w);
  if (m == 1) {
    qs4_rows_neon<Dot, 1, 2>(n, k, a, a_stride, w, c, c_stride, params);
  } else {
    qs4_rows_neon<Dot, 2, 1>(n, k, a, a_stride, w, c, c_stride, params);
  }
}

}  // namespace
}  // namespace mint
