// f32 and f16-weight GEMM/GEMV kernels, AVX2 + FMA + F16C (contract: kernels/gemm.h).
//
//   f32_gemm_minmax_<MR>x16_avx2, f16w_gemm_minmax_<MR>x16_avx2
//
// GEMM (MR > 1): the tile is m (<= MR) rows by one 16-channel panel held in two ymm per row;
// per k step it loads the panel's two weight vectors (f16 weights widened with vcvtph2ps),
// broadcasts one activation per row and issues 2 * m vfmadd231ps. With MR = 6 the tile uses
// 12 accumulators + 2 weights + 1 broadcast of the 16 ymm registers. The row count is a
// template parameter dispatched once per call, so m < MR costs no wasted work.
//
// GEMV (MR = 1): NP = 2 panels at a time (two sequential weight streams), each panel's k loop
// split over KS = 2 accumulator pairs so the FMA latency does not limit the loads (8
// accumulators in all), with a software prefetch 2 KiB ahead in each stream. Prefetches may
// reach past the weights; they never fault and are not reads in the contract's sense.
//
// A partial last panel is computed whole (its padding weights are zero) and stored with
// vmaskmovps, so nothing is written past n.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/registry.h"

#define MINT_INLINE inline __attribute__((always_inline))

namespace mint {
namespace {

MINT_INLINE __m256 load_w(const float* w) { return _mm256_loadu_ps(w); }
MINT_INLINE __m256 load_w(const uint16_t* w) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
}

// min(max(v, lo), hi) with NaN and signed zeros as std:: returns them.
MINT_INLINE __m256 clamp(__m256 v, __m256 vmin, __m256 vmax) {
  return _mm256_min_ps(vmax, _mm256_max_ps(vmin, v));
}

// Stores the first nc (<= 8) lanes.
MINT_INLINE void store8(float* c, __m256 v, size_t nc) {
  if (nc >= 8) {
    _mm256_storeu_ps(c, v);
  } else {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(nc)), lane);
    _mm256_maskstore_ps(c, mask, v);
  }
}

MINT_INLINE void store16(float* c, __m256 v0, __m256 v1, size_t nc) {
  store8(c, v0, nc);
  if (nc > 8) store8(c + 8, v1, nc - 8);
}

template <size_t M, typename W>
MINT_INLINE void gemm_tile(size_t k, const float* a, size_t a_stride, const char* panel, float* c,
                           size_t c_stride, size_t nc, __m256 vmin, __m256 vmax) {
  const float* bias = reinterpret_cast<const float*>(panel);
  const W* w = reinterpret_cast<const W*>(panel + sizeof(float) * kGemmNR);
  __m256 acc0[M], acc1[M];
  const __m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
#pragma GCC unroll 8
  for (size_t i = 0; i < M; ++i) {
    acc0[i] = b0;
    acc1[i] = b1;
  }
  for (size_t kk = 0; kk < k; ++kk) {
    const __m256 w0 = load_w(w + kk * kGemmNR), w1 = load_w(w + kk * kGemmNR + 8);
#pragma GCC unroll 8
    for (size_t i = 0; i < M; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + i * a_stride + kk);
      acc0[i] = _mm256_fmadd_ps(av, w0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, w1, acc1[i]);
    }
  }
#pragma GCC unroll 8
  for (size_t i = 0; i < M; ++i) {
    store16(c + i * c_stride, clamp(acc0[i], vmin, vmax), clamp(acc1[i], vmin, vmax), nc);
  }
}

template <size_t M, typename W>
void gemm_rows(size_t n, size_t k, const float* a, size_t a_stride, const void* packed_w, float* c,
               size_t c_stride, const F32MinMaxParams* params) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(W) * kGemmNR * k;
  const __m256 vmin = _mm256_set1_ps(params->min), vmax = _mm256_set1_ps(params->max);
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t j = 0; j < n; j += kGemmNR, panel += panel_bytes) {
    gemm_tile<M, W>(k, a, a_stride, panel, c + j, c_stride, std::min(kGemmNR, n - j), vmin, vmax);
  }
}

using F32Rows = void (*)(size_t n, size_t k, const float* a, size_t a_stride, const void* w,
                         float* c, size_t c_stride, const F32MinMaxParams* params);

template <typename W, size_t... I>
constexpr auto make_row_table(std::index_sequence<I...>) {
  return std::array<F32Rows, sizeof...(I)>{&gemm_rows<I + 1, W>...};
}

template <size_t MR, typename W>
void gemm(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w, float* c,
          size_t c_stride, const F32MinMaxParams* params) {
  static constexpr auto table = make_row_table<W>(std::make_index_sequence<MR>());
  table[m - 1](n, k, a, a_stride, w, c, c_stride, params);
}

// One row by NP panels; KS accumulator pairs per panel over interleaved k; weights prefetched
// PF bytes ahead in each panel.
template <size_t NP, size_t KS, size_t PF, typename W>
MINT_INLINE void gemv_tile(size_t k, const float* a, const char* panel, size_t panel_bytes,
                           float* c, size_t nc, __m256 vmin, __m256 vmax) {
  static_assert(KS > 0 && (KS & (KS - 1)) == 0, "KS: power of two");
  __m256 acc0[KS][NP], acc1[KS][NP];
  const W* w[NP];
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
    const float* bias = reinterpret_cast<const float*>(panel + p * panel_bytes);
    acc0[0][p] = _mm256_loadu_ps(bias);
    acc1[0][p] = _mm256_loadu_ps(bias + 8);
    w[p] = reinterpret_cast<const W*>(panel + p * panel_bytes + sizeof(float) * kGemmNR);
#pragma GCC unroll 8
    for (size_t s = 1; s < KS; ++s) acc0[s][p] = acc1[s][p] = _mm256_setzero_ps();
  }
  size_t kk = 0;
  for (; kk + KS <= k; kk += KS) {
#pragma GCC unroll 8
    for (size_t s = 0; s < KS; ++s) {
      const __m256 av = _mm256_broadcast_ss(a + kk + s);
#pragma GCC unroll 8
      for (size_t p = 0; p < NP; ++p) {
        const W* ws = w[p] + (kk + s) * kGemmNR;
        if (PF != 0 && (s * sizeof(W) * kGemmNR) % 64 == 0) {
          _mm_prefetch(reinterpret_cast<const char*>(ws) + PF, _MM_HINT_T0);
        }
        acc0[s][p] = _mm256_fmadd_ps(av, load_w(ws), acc0[s][p]);
        acc1[s][p] = _mm256_fmadd_ps(av, load_w(ws + 8), acc1[s][p]);
      }
    }
  }
  for (; kk < k; ++kk) {
    const __m256 av = _mm256_broadcast_ss(a + kk);
#pragma GCC unroll 8
    for (size_t p = 0; p < NP; ++p) {
      acc0[0][p] = _mm256_fmadd_ps(av, load_w(w[p] + kk * kGemmNR), acc0[0][p]);
      acc1[0][p] = _mm256_fmadd_ps(av, load_w(w[p] + kk * kGemmNR + 8), acc1[0][p]);
    }
  }
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
#pragma GCC unroll 8
    for (size_t s = KS / 2; s > 0; s /= 2) {
#pragma GCC unroll 8
      for (size_t t = 0; t < s; ++t) {
        acc0[t][p] = _mm256_add_ps(acc0[t][p], acc0[t + s][p]);
        acc1[t][p] = _mm256_add_ps(acc1[t][p], acc1[t + s][p]);
      }
    }
    if (p * kGemmNR < nc) {
      store16(c + p * kGemmNR, clamp(acc0[0][p], vmin, vmax), clamp(acc1[0][p], vmin, vmax),
              nc - p * kGemmNR);
    }
  }
}

template <size_t NP, size_t KS, size_t PF, typename W>
void gemv(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* packed_w,
          float* c, size_t c_stride, const F32MinMaxParams* params) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(W) * kGemmNR * k;
  const __m256 vmin = _mm256_set1_ps(params->min), vmax = _mm256_set1_ps(params->max);
  const char* panel = static_cast<const char*>(packed_w);
  size_t j = 0;
  for (; j + NP * kGemmNR <= n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    gemv_tile<NP, KS, PF, W>(k, a, panel, panel_bytes, c + j, NP * kGemmNR, vmin, vmax);
  }
  for (; j < n; j += kGemmNR, panel += panel_bytes) {
    gemv_tile<1, KS, PF, W>(k, a, panel, panel_bytes, c + j, std::min(kGemmNR, n - j), vmin, vmax);
  }
}

}  // namespace

#define MINT_F32_GEMM(name, body)                                                         \
  void name(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w, \
            float* c, size_t c_stride, const F32MinMaxParams* params) {                   \
    body(m, n, k, a, a_stride, w, c, c_stride, params);                                   \
  }

MINT_F32_GEMM(f32_gemm_minmax_6x16_avx2, (gemm<6, float>))
MINT_F32_GEMM(f32_gemm_minmax_1x16_avx2, (gemv<2, 2, 2048, float>))
MINT_F32_GEMM(f16w_gemm_minmax_6x16_avx2, (gemm<6, uint16_t>))
MINT_F32_GEMM(f16w_gemm_minmax_1x16_avx2, (gemv<2, 2, 2048, uint16_t>))

}  // namespace mint
