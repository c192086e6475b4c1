// f32 and f16-weight GEMM/GEMV kernels, AVX-512 (contract: kernels/gemm.h).
//
//   f32_gemm_minmax_<MR>x16_avx512, f16w_gemm_minmax_<MR>x16_avx512
//
// GEMM (MR > 1): the tile is m (<= MR) rows by NP panels of 16 channels; per k step it loads NP
// weight vectors (f16 weights widened with vcvtph2ps), broadcasts one activation per row and
// issues m * NP vfmadd231ps into m * NP zmm accumulators initialised with the bias. Leftover
// panels run one at a time. The row count is a template parameter, dispatched once per call,
// so m < MR costs no wasted work.
//
// GEMV (MR = 1): one row against NP panels at a time, each panel's k loop split over KS
// accumulators so the FMA latency never limits the loads, with a software prefetch 2 KiB ahead
// in every stream. Short panels go one at a time (one sequential stream, KS = 8); long ones four
// at a time (four streams keep more DRAM requests in flight, KS = 2), see
// kMultiStreamPanelBytes. Chosen by measurement with weights in L3 (9 MiB) and DRAM (64 MiB).
//
// The last panel may be partial: it is computed whole (padding weights are zero) and stored
// with a lane mask, so nothing is written past n. Prefetches may reach past the weights; they
// never fault and are not reads in the contract's sense.

// GCC 12's _mm512_undefined_*() self-initialise a variable, which -Wmaybe-uninitialized reports
// wherever the intrinsics are inlined (GCC bug 105593); the pragma covers the header's lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/registry.h"

#define MINT_INLINE inline __attribute__((always_inline))

namespace mint {
namespace {

MINT_INLINE __m512 load_w(const float* w) { return _mm512_loadu_ps(w); }
MINT_INLINE __m512 load_w(const uint16_t* w) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
}

// Clamp as min(max(v, lo), hi) of kernels/gemm.h, NaN and signed zeros behaving like std::.
MINT_INLINE __m512 clamp(__m512 v, __m512 vmin, __m512 vmax) {
  return _mm512_min_ps(vmax, _mm512_max_ps(vmin, v));
}

MINT_INLINE void store_partial(float* c, __m512 v, size_t nc) {
  if (nc >= kGemmNR) {
    _mm512_storeu_ps(c, v);
  } else {
    _mm512_mask_storeu_ps(c, static_cast<__mmask16>((1u << nc) - 1), v);
  }
}

// M rows x NP full or partial panels; `nc` = channels to store (<= NP * 16).
template <size_t M, size_t NP, typename W>
MINT_INLINE void gemm_tile(size_t k, const float* a, size_t a_stride, const char* panel,
                           size_t panel_bytes, float* c, size_t c_stride, size_t nc, __m512 vmin,
                           __m512 vmax) {
  __m512 acc[M][NP];
  const W* w[NP];
#pragma GCC unroll 4
  for (size_t p = 0; p < NP; ++p) {
    const __m512 bias = _mm512_loadu_ps(reinterpret_cast<const float*>(panel + p * panel_bytes));
    w[p] = reinterpret_cast<const W*>(panel + p * panel_bytes + sizeof(float) * kGemmNR);
#pragma GCC unroll 16
    for (size_t i = 0; i < M; ++i) acc[i][p] = bias;
  }
  for (size_t kk = 0; kk < k; ++kk) {
    __m512 wv[NP];
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) wv[p] = load_w(w[p] + kk * kGemmNR);
#pragma GCC unroll 16
    for (size_t i = 0; i < M; ++i) {
      const __m512 av = _mm512_set1_ps(a[i * a_stride + kk]);
#pragma GCC unroll 4
      for (size_t p = 0; p < NP; ++p) acc[i][p] = _mm512_fmadd_ps(av, wv[p], acc[i][p]);
    }
  }
#pragma GCC unroll 16
  for (size_t i = 0; i < M; ++i) {
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      if (p * kGemmNR < nc) {
        store_partial(c + i * c_stride + p * kGemmNR, clamp(acc[i][p], vmin, vmax),
                      nc - p * kGemmNR);
      }
    }
  }
}

template <size_t M, size_t NP, typename W>
void gemm_rows(size_t n, size_t k, const float* a, size_t a_stride, const void* packed_w, float* c,
               size_t c_stride, const F32MinMaxParams* params) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(W) * kGemmNR * k;
  const __m512 vmin = _mm512_set1_ps(params->min), vmax = _mm512_set1_ps(params->max);
  const char* panel = static_cast<const char*>(packed_w);
  size_t j = 0;
  for (; j + NP * kGemmNR <= n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    gemm_tile<M, NP, W>(k, a, a_stride, panel, panel_bytes, c + j, c_stride, NP * kGemmNR, vmin,
                        vmax);
  }
  for (; j < n; j += kGemmNR, panel += panel_bytes) {
    gemm_tile<M, 1, W>(k, a, a_stride, panel, panel_bytes, c + j, c_stride,
                       std::min(kGemmNR, n - j), vmin, vmax);
  }
}

using F32Rows = void (*)(size_t n, size_t k, const float* a, size_t a_stride, const void* w,
                         float* c, size_t c_stride, const F32MinMaxParams* params);

// table[m - 1] = gemm_rows<m, ...> for m = 1..MR.
template <size_t NP, typename W, size_t... I>
constexpr auto make_row_table(std::index_sequence<I...>) {
  return std::array<F32Rows, sizeof...(I)>{&gemm_rows<I + 1, NP, W>...};
}

template <size_t MR, size_t NP, typename W>
void gemm(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w, float* c,
          size_t c_stride, const F32MinMaxParams* params) {
  static constexpr auto table = make_row_table<NP, W>(std::make_index_sequence<MR>());
  table[m - 1](n, k, a, a_stride, w, c, c_stride, params);
}

// One row by NP panels; KS accumulators per panel over interleaved k; weights prefetched PF
// bytes ahead in each panel.
template <size_t NP, size_t KS, size_t PF, typename W>
MINT_INLINE void gemv_tile(size_t k, const float* a, const char* panel, size_t panel_bytes,
                           float* c, size_t nc, __m512 vmin, __m512 vmax) {
  static_assert(KS > 0 && (KS & (KS - 1)) == 0, "KS: power of two");
  __m512 acc[KS][NP];
  const W* w[NP];
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
    acc[0][p] = _mm512_loadu_ps(reinterpret_cast<const float*>(panel + p * panel_bytes));
    w[p] = reinterpret_cast<const W*>(panel + p * panel_bytes + sizeof(float) * kGemmNR);
#pragma GCC unroll 8
    for (size_t s = 1; s < KS; ++s) acc[s][p] = _mm512_setzero_ps();
  }
  size_t kk = 0;
  for (; kk + KS <= k; kk += KS) {
#pragma GCC unroll 8
    for (size_t s = 0; s < KS; ++s) {
      const __m512 av = _mm512_set1_ps(a[kk + s]);
#pragma GCC unroll 8
      for (size_t p = 0; p < NP; ++p) {
        const W* ws = w[p] + (kk + s) * kGemmNR;
        if (PF != 0 && (s * sizeof(W) * kGemmNR) % 64 == 0) {
          _mm_prefetch(reinterpret_cast<const char*>(ws) + PF, _MM_HINT_T0);
        }
        acc[s][p] = _mm512_fmadd_ps(av, load_w(ws), acc[s][p]);
      }
    }
  }
  for (; kk < k; ++kk) {
    const __m512 av = _mm512_set1_ps(a[kk]);
#pragma GCC unroll 8
    for (size_t p = 0; p < NP; ++p) {
      acc[0][p] = _mm512_fmadd_ps(av, load_w(w[p] + kk * kGemmNR), acc[0][p]);
    }
  }
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
#pragma GCC unroll 8
    for (size_t s = KS / 2; s > 0; s /= 2) {
#pragma GCC unroll 8
      for (size_t t = 0; t < s; ++t) acc[t][p] = _mm512_add_ps(acc[t][p], acc[t + s][p]);
    }
    if (p * kGemmNR < nc) {
      store_partial(c + p * kGemmNR, clamp(acc[0][p], vmin, vmax), nc - p * kGemmNR);
    }
  }
}

template <size_t NP, size_t KS, size_t PF, typename W>
void gemv(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* packed_w,
          float* c, size_t c_stride, const F32MinMaxParams* params) {
  const size_t panel_bytes = sizeof(float) * kGemmNR + sizeof(W) * kGemmNR * k;
  const __m512 vmin = _mm512_set1_ps(params->min), vmax = _mm512_set1_ps(params->max);
  const char* panel = static_cast<const char*>(packed_w);
  size_t j = 0;
  for (; j + NP * kGemmNR <= n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    gemv_tile<NP, KS, PF, W>(k, a, panel, panel_bytes, c + j, NP * kGemmNR, vmin, vmax);
  }
  for (; j < n; j += kGemmNR, panel += panel_bytes) {
    gemv_tile<1, KS, PF, W>(k, a, panel, panel_bytes, c + j, std::min(kGemmNR, n - j), vmin, vmax);
  }
}

// Panels of at least this many bytes are read as 4 concurrent streams; shorter ones as one
// stream (each new stream costs the hardware prefetcher some misses to pick it up, which short
// panels do not amortise). Measured with f32 k = 768 (48 KiB panels, ~7% faster as one stream)
// and k = 4096 (256 KiB panels, weights in DRAM, ~25% faster as 4 streams).
constexpr size_t kMultiStreamPanelBytes = 64 * 1024;

template <typename W>
void gemv_any(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w,
              float* c, size_t c_stride, const F32MinMaxParams* params) {
  if (sizeof(float) * kGemmNR + sizeof(W) * kGemmNR * k >= kMultiStreamPanelBytes) {
    gemv<4, 2, 2048, W>(m, n, k, a, a_stride, w, c, c_stride, params);
  } else {
    gemv<1, 8, 2048, W>(m, n, k, a, a_stride, w, c, c_stride, params);
  }
}

}  // namespace

#define MINT_F32_GEMM(name, body)                                                         \
  void name(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* w, \
            float* c, size_t c_stride, const F32MinMaxParams* params) {                   \
    body(m, n, k, a, a_stride, w, c, c_stride, params);                                   \
  }

MINT_F32_GEMM(f32_gemm_minmax_8x16_avx512, (gemm<8, 2, float>))
MINT_F32_GEMM(f32_gemm_minmax_1x16_avx512, gemv_any<float>)
MINT_F32_GEMM(f16w_gemm_minmax_8x16_avx512, (gemm<8, 2, uint16_t>))
MINT_F32_GEMM(f16w_gemm_minmax_1x16_avx512, gemv_any<uint16_t>)

}  // namespace mint
