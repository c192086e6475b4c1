// Shared body of the AVX-512 qs4 GEMM kernels (contract: kernels/qs4_gemm.h), included by
// kernels/x86/avx512/qs4_gemm_avx512.cc and kernels/x86/avx512vnni/qs4_gemm_avx512vnni.cc,
// which differ only in the 4-byte dot product `Dot::dot4(acc, u8 weights, s8 activations)`:
// vpmaddubsw + vpmaddwd (AVX-512BW) or vpdpbusd (VNNI). The 4-bit weights are unsigned
// (0..15), so they are the unsigned operand as they stand and no sign trick is needed.
//
// One zmm lane per channel of a 16-channel panel. A 64-byte sub-block (16 channels x 8 k) is
// loaded once, split into its low and high nibbles (two c4 blocks: k 0..3 and 4..7) and
// multiplied with 4 activation bytes broadcast per row. A tile is M rows by NP panels: M * NP
// int32 accumulators per group and M * NP float outputs. At the end of a group the zero-point
// term z * sum is removed (vpmaddwd: z < 16 in the low half of each lane, zero high half, and
// |sum| <= 127 * 128 fits the low int16 of the broadcast sum), the accumulator converted and
// multiplied by scale_a * d, and added to the output: the float operations of the contract,
// unfused, in its order. Clamp with max(lo, v) / min(hi, v), the operand order that gives
// std::max / std::min semantics (signed zeros, NaN).
//
// Included only under kernels/x86/<isa>/; everything has internal linkage (unnamed namespace),
// so copies compiled with different flags are never merged by the linker.
#pragma once

// GCC 12's _mm512_undefined_*() self-initialise (GCC bug 105593), see qs8_gemm_avx512vnni.cc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstring>

#include "kernels/qs4_gemm.h"

#ifndef MINT_INLINE
#define MINT_INLINE inline __attribute__((always_inline))
#endif

namespace mint {
namespace {

MINT_INLINE __m512i qs4_broadcast_u32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return _mm512_set1_epi32(v);
}

template <class Dot, size_t M, size_t NP>
MINT_INLINE void qs4_tile_512(size_t ng, size_t gs, const int8_t* a, size_t a_stride,
                              const char* panel, size_t panel_bytes, float* c, size_t c_stride,
                              size_t nc, const Qs4GemmParams* params) {
  __m512 out[M][NP];
  const char* grp[NP];
#pragma GCC unroll 4
  for (size_t p = 0; p < NP; ++p) {
    const __m512 bias = _mm512_loadu_ps(panel + p * panel_bytes);
#pragma GCC unroll 8
    for (size_t i = 0; i < M; ++i) out[i][p] = bias;
    grp[p] = panel + p * panel_bytes + sizeof(Qs4PanelHeader);
  }
  const __m512i nibble = _mm512_set1_epi8(0x0F);
  const size_t group_bytes = qs4_group_bytes(gs);
  for (size_t g = 0; g < ng; ++g) {
    __m512i acc[M][NP];
#pragma GCC unroll 8
    for (size_t i = 0; i < M; ++i) {
#pragma GCC unroll 4
      for (size_t p = 0; p < NP; ++p) acc[i][p] = _mm512_setzero_si512();
    }
    for (size_t s = 0; s < gs / kQs4SubK; ++s) {
      __m512i lo[NP], hi[NP];
#pragma GCC unroll 4
      for (size_t p = 0; p < NP; ++p) {
        const __m512i w = _mm512_loadu_si512(grp[p] + sizeof(Qs4GroupHeader) + s * 64);
        lo[p] = _mm512_and_si512(w, nibble);
        hi[p] = _mm512_and_si512(_mm512_srli_epi16(w, 4), nibble);
      }
#pragma GCC unroll 8
      for (size_t i = 0; i < M; ++i) {
        const int8_t* ap = a + i * a_stride + g * gs + s * kQs4SubK;
        const __m512i a_lo = qs4_broadcast_u32(ap), a_hi = qs4_broadcast_u32(ap + 4);
#pragma GCC unroll 4
        for (size_t p = 0; p < NP; ++p) {
          acc[i][p] = Dot::dot4(acc[i][p], lo[p], a_lo);
          acc[i][p] = Dot::dot4(acc[i][p], hi[p], a_hi);
        }
      }
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      const auto* gh = reinterpret_cast<const Qs4GroupHeader*>(grp[p]);
      const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(gh->scale)));
      const __m512i z = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(gh->zero)));
#pragma GCC unroll 8
      for (size_t i = 0; i < M; ++i) {
        const Qs4ActQuant aq = params->a_quant[i * params->a_quant_stride + g];
        const __m512i v = _mm512_sub_epi32(acc[i][p], _mm512_madd_epi16(z, _mm512_set1_epi32(aq.sum)));
        const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(aq.scale), d);
        out[i][p] = _mm512_add_ps(out[i][p], _mm512_mul_ps(_mm512_cvtepi32_ps(v), scale));
      }
      grp[p] += group_bytes;
    }
  }
  const __m512 vmin = _mm512_set1_ps(params->min), vmax = _mm512_set1_ps(params->max);
#pragma GCC unroll 8
  for (size_t i = 0; i < M; ++i) {
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      if (p * kGemmNR >= nc) break;
      const size_t cnt = std::min(kGemmNR, nc - p * kGemmNR);
      const __m512 v = _mm512_min_ps(vmax, _mm512_max_ps(vmin, out[i][p]));
      _mm512_mask_storeu_ps(c + i * c_stride + p * kGemmNR,
                            static_cast<__mmask16>((1u << cnt) - 1), v);
    }
  }
}

// m rows (m == M) over all n channels: NP panels at a time, then single panels.
template <class Dot, size_t M, size_t NP>
MINT_INLINE void qs4_rows_512(size_t n, size_t k, const int8_t* a, size_t a_stride,
                              const char* panel, float* c, size_t c_stride,
                              const Qs4GemmParams* params) {
  const size_t gs = params->group_size, ng = qs4_group_count(k, gs);
  const size_t pb = qs4_gemm_panel_bytes(k, gs);
  size_t n0 = 0;
  for (; n0 + (NP - 1) * kGemmNR < n; n0 += NP * kGemmNR, panel += NP * pb) {
    qs4_tile_512<Dot, M, NP>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride,
                             std::min(NP * kGemmNR, n - n0), params);
  }
  for (; n0 < n; n0 += kGemmNR, panel += pb) {
    qs4_tile_512<Dot, M, 1>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride,
                            std::min(kGemmNR, n - n0), params);
  }
}

// GEMM with up to 4 rows (2 panels per tile) or GEMV (4 panels per tile).
template <class Dot>
void qs4_gemm_512(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                  const void* packed_w, float* c, size_t c_stride, const Qs4GemmParams* params) {
  const char* w = static_cast<const char*>(packed_w);
  switch (m) {
    case 1: qs4_rows_512<Dot, 1, 4>(n, k, a, a_stride, w, c, c_stride, params); break;
    case 2: qs4_rows_512<Dot, 2, 2>(n, k, a, a_stride, w, c, c_stride, params); break;
    case 3: qs4_rows_512<Dot, 3, 2>(n, k, a, a_stride, w, c, c_stride, params); break;
    default: qs4_rows_512<Dot, 4, 2>(n, k, a, a_stride, w, c, c_stride, params); break;
  }
}

}  // namespace
}  // namespace mint
