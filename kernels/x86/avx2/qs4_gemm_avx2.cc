// qs4 GEMM/GEMV kernels, AVX2 (contract: kernels/qs4_gemm.h).
//
//   qs4_gemm_minmax_2x16c8_avx2, qs4_gemm_minmax_1x16c8_avx2
//
// A 16-channel panel is two ymm halves of 8 channels (lane = channel). A 64-byte sub-block
// (16 channels x 8 k) is two 32-byte loads; each is split into its low and high nibbles
// (k 0..3 and 4..7 of 8 channels) and multiplied with 4 activation bytes broadcast per row by
// vpmaddubsw (u8 weights x s8 activations to int16 pairs: at most 2 * 15 * 127, no
// saturation) and vpmaddwd by ones. At the end of a group: zero-point term (z * sum with
// vpmaddwd, exact: z < 16 with a zero high half, |sum| <= 127 * 128 < 2^15), conversion and the
// unfused scale multiply-add of the contract; clamp with max(lo, v) / min(hi, v) (std::max /
// std::min semantics). A tile is M rows by NP panels; GEMV uses 2 panels, GEMM 2 rows x 1.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/qs4_gemm.h"
#include "kernels/registry.h"

#define MINT_INLINE inline __attribute__((always_inline))

namespace mint {
namespace {

MINT_INLINE __m256i broadcast_u32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return _mm256_set1_epi32(v);
}

MINT_INLINE __m256i dot4(__m256i acc, __m256i u8, __m256i s8) {
  const __m256i pairs = _mm256_maddubs_epi16(u8, s8);
  return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// H = 2 * NP ymm halves; half h is channels 8 (h % 2) .. + 7 of panel h / 2.
template <size_t M, size_t NP>
MINT_INLINE void tile(size_t ng, size_t gs, const int8_t* a, size_t a_stride, const char* panel,
                      size_t panel_bytes, float* c, size_t c_stride, size_t nc,
                      const Qs4GemmParams* params) {
  constexpr size_t H = 2 * NP;
  __m256 out[M][H];
  const char* grp[NP];
#pragma GCC unroll 4
  for (size_t p = 0; p < NP; ++p) {
    const float* bias = reinterpret_cast<const float*>(panel + p * panel_bytes);
#pragma GCC unroll 4
    for (size_t i = 0; i < M; ++i) {
      out[i][2 * p] = _mm256_loadu_ps(bias);
      out[i][2 * p + 1] = _mm256_loadu_ps(bias + 8);
    }
    grp[p] = panel + p * panel_bytes + sizeof(Qs4PanelHeader);
  }
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const size_t group_bytes = qs4_group_bytes(gs);
  for (size_t g = 0; g < ng; ++g) {
    __m256i acc[M][H];
#pragma GCC unroll 4
    for (size_t i = 0; i < M; ++i) {
#pragma GCC unroll 4
      for (size_t h = 0; h < H; ++h) acc[i][h] = _mm256_setzero_si256();
    }
    for (size_t s = 0; s < gs / kQs4SubK; ++s) {
      __m256i lo[H], hi[H];
#pragma GCC unroll 4
      for (size_t h = 0; h < H; ++h) {
        const char* src = grp[h / 2] + sizeof(Qs4GroupHeader) + s * 64 + (h % 2) * 32;
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
        lo[h] = _mm256_and_si256(w, nibble);
        hi[h] = _mm256_and_si256(_mm256_srli_epi16(w, 4), nibble);
      }
#pragma GCC unroll 4
      for (size_t i = 0; i < M; ++i) {
        const int8_t* ap = a + i * a_stride + g * gs + s * kQs4SubK;
        const __m256i a_lo = broadcast_u32(ap), a_hi = broadcast_u32(ap + 4);
#pragma GCC unroll 4
        for (size_t h = 0; h < H; ++h) {
          acc[i][h] = dot4(acc[i][h], lo[h], a_lo);
          acc[i][h] = dot4(acc[i][h], hi[h], a_hi);
        }
      }
    }
#pragma GCC unroll 4
    for (size_t h = 0; h < H; ++h) {
      const auto* gh = reinterpret_cast<const Qs4GroupHeader*>(grp[h / 2]);
      const size_t j0 = (h % 2) * 8;
      const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(gh->scale + j0)));
      const __m256i z = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(gh->zero + j0)));
#pragma GCC unroll 4
      for (size_t i = 0; i < M; ++i) {
        const Qs4ActQuant aq = params->a_quant[i * params->a_quant_stride + g];
        const __m256i v = _mm256_sub_epi32(acc[i][h], _mm256_madd_epi16(z, _mm256_set1_epi32(aq.sum)));
        const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(aq.scale), d);
        out[i][h] = _mm256_add_ps(out[i][h], _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale));
      }
    }
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) grp[p] += group_bytes;
  }
  const __m256 vmin = _mm256_set1_ps(params->min), vmax = _mm256_set1_ps(params->max);
#pragma GCC unroll 4
  for (size_t i = 0; i < M; ++i) {
    float* c_row = c + i * c_stride;
#pragma GCC unroll 4
    for (size_t h = 0; h < H; ++h) {
      if (h * 8 >= nc) break;
      const __m256 v = _mm256_min_ps(vmax, _mm256_max_ps(vmin, out[i][h]));
      if (nc - h * 8 >= 8) {
        _mm256_storeu_ps(c_row + h * 8, v);
      } else {
        alignas(32) float tmp[8];
        _mm256_store_ps(tmp, v);
        std::memcpy(c_row + h * 8, tmp, sizeof(float) * (nc - h * 8));
      }
    }
  }
}

template <size_t M, size_t NP>
MINT_INLINE void rows(size_t n, size_t k, const int8_t* a, size_t a_stride, const char* panel,
                      float* c, size_t c_stride, const Qs4GemmParams* params) {
  const size_t gs = params->group_size, ng = qs4_group_count(k, gs);
  const size_t pb = qs4_gemm_panel_bytes(k, gs);
  size_t n0 = 0;
  for (; n0 + (NP - 1) * kGemmNR < n; n0 += NP * kGemmNR, panel += NP * pb) {
    tile<M, NP>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride, std::min(NP * kGemmNR, n - n0),
                params);
  }
  for (; n0 < n; n0 += kGemmNR, panel += pb) {
    tile<M, 1>(ng, gs, a, a_stride, panel, pb, c + n0, c_stride, std::min(kGemmNR, n - n0), params);
  }
}

}  // namespace

void qs4_gemm_minmax_2x16c8_avx2(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const Qs4GemmParams* params) {
  const char* panel = static_cast<const char*>(w);
  if (m == 1) {
    rows<1, 2>(n, k, a, a_stride, panel, c, c_stride, params);
  } else {
    rows<2, 1>(n, k, a, a_stride, panel, c, c_stride, params);
  }
}
void qs4_gemm_minmax_1x16c8_avx2(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const Qs4GemmParams* params) {
  (void)m;
  rows<1, 2>(n, k, a, a_stride, static_cast<const char*>(w), c, c_stride, params);
}

}  // namespace mint
