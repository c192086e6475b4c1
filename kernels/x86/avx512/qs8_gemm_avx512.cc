// qs8 GEMM/GEMV kernels, AVX-512 without VNNI (contract: kernels/gemm.h).
//
//   qs8_gemm_minmax_<MR>x16c4_avx512
//
// Both operands are sign-extended to int16 and multiplied with vpmaddwd (never vpmaddubsw,
// whose int16 sums saturate). A panel's 64-byte k group (16 channels x 4 k) is widened into two
// zmm of 8 channels x 4 k each; a row's 4 activations are widened and broadcast as one 64-bit
// pattern, so vpmaddwd yields, per channel, two int32 partial sums (k pairs 0-1 and 2-3),
// accumulated with vpaddd. After the k loop the partial pairs are folded with two vpermt2d and
// an add into 16 channels, and bias_q - za * w_sum is added.
//
// GEMM (MR > 1): m (<= MR) rows by NP panels, 2 * m * NP zmm accumulators. GEMV (MR = 1): NP
// panels per pass, sharing the widened activations, with software prefetch of the weights.
// Epilogue: qs8_gemm_avx512_common.h (bit-exact with kernels/qs8_requant.h).

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
#include "kernels/x86/avx512/qs8_gemm_avx512_common.h"

namespace mint {
namespace {

// Activations a[0..3] sign-extended to int16 and repeated in every 64-bit lane.
MINT_INLINE __m512i broadcast_i16x4(const int8_t* a) {
  const __m128i x = _mm_cvtepi8_epi16(_mm_cvtsi32_si128(load_u32(a)));
  return _mm512_broadcastq_epi64(x);
}

MINT_INLINE __m512i widen_lo(const int8_t* w) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
}
MINT_INLINE __m512i widen_hi(const int8_t* w) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32)));
}

// acc += vpmaddwd(a, w). Inline asm keeps each accumulator in its register: with the
// intrinsics, GCC 12 computes all products first and rotates the accumulators through extra
// registers and the stack.
MINT_INLINE __m512i madd_acc(__m512i acc, __m512i a, __m512i w) {
  __m512i t;
  __asm__("vpmaddwd %3, %2, %1\n\tvpaddd %1, %0, %0" : "+v"(acc), "=&v"(t) : "v"(a), "v"(w));
  return acc;
}

// lo holds channels 0-7, hi channels 8-15, two int32 partial sums per channel (lanes 2j, 2j+1).
MINT_INLINE __m512i fold(__m512i lo, __m512i hi) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  return _mm512_add_epi32(_mm512_permutex2var_epi32(lo, even, hi),
                          _mm512_permutex2var_epi32(lo, odd, hi));
}

template <size_t M, size_t NP>
MINT_INLINE void gemm_tile(size_t groups, const int8_t* a, size_t a_stride, const char* panel,
                           size_t panel_bytes, void* c, size_t c_stride, size_t n0, size_t nc,
                           const Qs8GemmParams* params, const Qs8Epilogue512& epilogue) {
  __m512i lo[M][NP], hi[M][NP];
#pragma GCC unroll 16
  for (size_t i = 0; i < M; ++i) {
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) lo[i][p] = hi[i][p] = _mm512_setzero_si512();
  }
  const int8_t* w[NP];
#pragma GCC unroll 4
  for (size_t p = 0; p < NP; ++p) w[p] = panel_weights(panel + p * panel_bytes);
  for (size_t g = 0; g < groups; ++g) {
    __m512i wl[NP], wh[NP];
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      wl[p] = widen_lo(w[p] + g * 64);
      wh[p] = widen_hi(w[p] + g * 64);
    }
#pragma GCC unroll 16
    for (size_t i = 0; i < M; ++i) {
      const __m512i av = broadcast_i16x4(a + i * a_stride + g * 4);
#pragma GCC unroll 4
      for (size_t p = 0; p < NP; ++p) {
        lo[i][p] = madd_acc(lo[i][p], av, wl[p]);
        hi[i][p] = madd_acc(hi[i][p], av, wh[p]);
      }
    }
  }
#pragma GCC unroll 16
  for (size_t i = 0; i < M; ++i) {
    const Qs8RowQuant q = params->a_quant[i * params->a_quant_stride];
    char* c_row = static_cast<char*>(c) + i * c_stride;
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      if (p * kGemmNR < nc) {
        const __m512i acc = _mm512_add_epi32(init_acc(panel + p * panel_bytes, q.zero_point),
                                             fold(lo[i][p], hi[i][p]));
        epilogue.store(acc, q.scale, panel + p * panel_bytes, c_row, n0 + p * kGemmNR,
                       std::min(kGemmNR, nc - p * kGemmNR));
      }
    }
  }
}

// Adapts this file's gemm_tile to the shared row driver (qs8_gemm_avx512_common.h).
struct GemmTile {
  template <size_t M, size_t NP, typename... Args>
  static MINT_INLINE void run(Args... args) {
    gemm_tile<M, NP>(args...);
  }
};

// GEMV: NP panels per pass sharing the widened activations, with a software prefetch PF bytes
// ahead in each panel.
template <size_t NP, size_t PF>
void gemv(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* packed_w,
          void* c, size_t c_stride, const Qs8GemmParams* params) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const Qs8Epilogue512 epilogue(params);
  const Qs8RowQuant q = params->a_quant[0];
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t j = 0; j < n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    const size_t np = std::min(NP, gemm_panel_count(n - j));
    __m512i lo[NP], hi[NP];
    const int8_t* w[NP];
#pragma GCC unroll 8
    for (size_t p = 0; p < NP; ++p) {
      lo[p] = hi[p] = _mm512_setzero_si512();
      // Past the last panel, re-read the first one (results discarded).
      w[p] = panel_weights(panel + (p < np ? p : 0) * panel_bytes);
    }
    for (size_t g = 0; g < groups; ++g) {
      const __m512i av = broadcast_i16x4(a + g * 4);
#pragma GCC unroll 8
      for (size_t p = 0; p < NP; ++p) {
        _mm_prefetch(reinterpret_cast<const char*>(w[p] + g * 64 + PF), _MM_HINT_T0);
        lo[p] = madd_acc(lo[p], av, widen_lo(w[p] + g * 64));
        hi[p] = madd_acc(hi[p], av, widen_hi(w[p] + g * 64));
      }
    }
#pragma GCC unroll 8
    for (size_t p = 0; p < NP; ++p) {
      if (p < np) {
        const char* pp = panel + p * panel_bytes;
        const __m512i acc = _mm512_add_epi32(init_acc(pp, q.zero_point), fold(lo[p], hi[p]));
        const size_t c0 = j + p * kGemmNR;
        epilogue.store(acc, q.scale, pp, c, c0, std::min(kGemmNR, n - c0));
      }
    }
  }
}

}  // namespace

#define MINT_QS8_GEMM(name, body)                                                          \
  void name(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, \
            void* c, size_t c_stride_bytes, const Qs8GemmParams* params) {                 \
    body(m, n, k, a, a_stride, w, c, c_stride_bytes, params);                              \
  }

MINT_QS8_GEMM(qs8_gemm_minmax_6x16c4_avx512, (qs8_gemm_dispatch<GemmTile, 6, 2>))
MINT_QS8_GEMM(qs8_gemm_minmax_1x16c4_avx512, (gemv<4, 2048>))

}  // namespace mint
