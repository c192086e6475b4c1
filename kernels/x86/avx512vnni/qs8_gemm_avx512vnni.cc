// qs8 GEMM/GEMV kernels, AVX-512 VNNI (contract: kernels/gemm.h).
//
//   qs8_gemm_minmax_<MR>x16c4_avx512vnni
//
// vpdpbusd multiplies unsigned by signed bytes, so the activations are made unsigned by
// flipping their sign bit (a + 128, vpxord 0x80), and the extra 128 * sum_k W[k][j] is removed
// through the panel's w_sum: the accumulators start at bias_q - (za + 128) * w_sum. One
// k group of 4 bytes of a row is broadcast to all 16 lanes and multiplied with the 64-byte
// group of a panel (16 channels x 4 k), so one vpdpbusd advances 16 channels by 4 k.
//
// GEMM (MR > 1): m (<= MR) rows by NP panels per tile, m * NP zmm accumulators; the row
// count is a template parameter dispatched once per call. GEMV (MR = 1): NP panels in flight,
// each split over KS accumulators along k, so that loads are not bound by the vpdpbusd latency,
// with a software prefetch 2 KiB ahead in each stream: one panel at a time (one sequential
// stream, KS = 8) for short panels, four (KS = 4) for long ones (kMultiStreamPanelBytes).
// Prefetches may reach past the weights; they never fault and are not reads in the contract's
// sense.
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

// acc += u8 . s8 (vpdpbusd). Inline asm instead of _mm512_dpbusd_epi32: with the intrinsic,
// GCC 12 copies every accumulator through extra registers and the stack on each iteration.
MINT_INLINE __m512i dpbusd(__m512i acc, __m512i u8, __m512i s8) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "vm"(s8));
  return acc;
}

MINT_INLINE __m512i broadcast_u8x4(const int8_t* a) {
  return _mm512_xor_si512(_mm512_set1_epi32(load_u32(a)), _mm512_set1_epi32(0x80808080));
}

// M rows x NP panels; `nc` = channels to store (<= NP * 16).
template <size_t M, size_t NP>
MINT_INLINE void gemm_tile(size_t groups, const int8_t* a, size_t a_stride, const char* panel,
                           size_t panel_bytes, void* c, size_t c_stride, size_t n0, size_t nc,
                           const Qs8GemmParams* params, const Qs8Epilogue512& epilogue) {
  __m512i acc[M][NP];
#pragma GCC unroll 16
  for (size_t i = 0; i < M; ++i) {
    const int32_t za = params->a_quant[i * params->a_quant_stride].zero_point;
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) acc[i][p] = init_acc(panel + p * panel_bytes, za + 128);
  }
  const int8_t* w[NP];
#pragma GCC unroll 4
  for (size_t p = 0; p < NP; ++p) w[p] = panel_weights(panel + p * panel_bytes);
  for (size_t g = 0; g < groups; ++g) {
    __m512i wv[NP];
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) wv[p] = _mm512_loadu_si512(w[p] + g * 64);
#pragma GCC unroll 16
    for (size_t i = 0; i < M; ++i) {
      const __m512i av = broadcast_u8x4(a + i * a_stride + g * 4);
#pragma GCC unroll 4
      for (size_t p = 0; p < NP; ++p) acc[i][p] = dpbusd(acc[i][p], av, wv[p]);
    }
  }
#pragma GCC unroll 16
  for (size_t i = 0; i < M; ++i) {
    const float sa = params->a_quant[i * params->a_quant_stride].scale;
    char* c_row = static_cast<char*>(c) + i * c_stride;
#pragma GCC unroll 4
    for (size_t p = 0; p < NP; ++p) {
      if (p * kGemmNR < nc) {
        epilogue.store(acc[i][p], sa, panel + p * panel_bytes, c_row, n0 + p * kGemmNR,
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

// One row, NP panels at a time, KS accumulators per panel over interleaved k groups.
template <size_t NP, size_t KS, size_t PF>
MINT_INLINE void gemv_tile(size_t groups, const int8_t* a, const char* panel, size_t panel_bytes,
                           int32_t za, float sa, void* c, size_t n0, size_t nc,
                           const Qs8Epilogue512& epilogue) {
  __m512i acc[KS][NP];
  const int8_t* w[NP];
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
    w[p] = panel_weights(panel + p * panel_bytes);
    acc[0][p] = init_acc(panel + p * panel_bytes, za + 128);
#pragma GCC unroll 8
    for (size_t s = 1; s < KS; ++s) acc[s][p] = _mm512_setzero_si512();
  }
  size_t g = 0;
  for (; g + KS <= groups; g += KS) {
    if (PF != 0) {
#pragma GCC unroll 8
      for (size_t p = 0; p < NP; ++p) {
#pragma GCC unroll 8
        for (size_t s = 0; s < KS; ++s) {
          _mm_prefetch(reinterpret_cast<const char*>(w[p] + (g + s) * 64 + PF), _MM_HINT_T0);
        }
      }
    }
#pragma GCC unroll 8
    for (size_t s = 0; s < KS; ++s) {
      const __m512i av = broadcast_u8x4(a + (g + s) * 4);
#pragma GCC unroll 8
      for (size_t p = 0; p < NP; ++p) {
        acc[s][p] = dpbusd(acc[s][p], av, _mm512_loadu_si512(w[p] + (g + s) * 64));
      }
    }
  }
  for (; g < groups; ++g) {
    const __m512i av = broadcast_u8x4(a + g * 4);
#pragma GCC unroll 8
    for (size_t p = 0; p < NP; ++p) {
      acc[0][p] = dpbusd(acc[0][p], av, _mm512_loadu_si512(w[p] + g * 64));
    }
  }
#pragma GCC unroll 8
  for (size_t p = 0; p < NP; ++p) {
#pragma GCC unroll 8
    for (size_t s = 1; s < KS; ++s) acc[0][p] = _mm512_add_epi32(acc[0][p], acc[s][p]);
    if (p * kGemmNR < nc) {
      epilogue.store(acc[0][p], sa, panel + p * panel_bytes, c, n0 + p * kGemmNR,
                     std::min(kGemmNR, nc - p * kGemmNR));
    }
  }
}

template <size_t NP, size_t KS, size_t PF>
void gemv(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* packed_w,
          void* c, size_t c_stride, const Qs8GemmParams* params) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const Qs8Epilogue512 epilogue(params);
  const int32_t za = params->a_quant[0].zero_point;
  const float sa = params->a_quant[0].scale;
  const char* panel = static_cast<const char*>(packed_w);
  size_t j = 0;
  for (; j + NP * kGemmNR <= n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    gemv_tile<NP, KS, PF>(groups, a, panel, panel_bytes, za, sa, c, j, NP * kGemmNR, epilogue);
  }
  for (; j < n; j += kGemmNR, panel += panel_bytes) {
    gemv_tile<1, KS, PF>(groups, a, panel, panel_bytes, za, sa, c, j, std::min(kGemmNR, n - j),
                         epilogue);
  }
}

// Panels of at least this many bytes are read as 4 concurrent streams; shorter ones as one
// stream (each new stream costs the hardware prefetcher some misses to pick it up, which short
// panels do not amortise). Measured with k = 768 (12.5 KiB panels, best as one stream) and
// k = 4096 (64.3 KiB panels, about 10% faster as 4 streams).
constexpr size_t kMultiStreamPanelBytes = 48 * 1024;

void gemv_any(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w,
              void* c, size_t c_stride, const Qs8GemmParams* params) {
  if (qs8_gemm_panel_bytes(k) >= kMultiStreamPanelBytes) {
    gemv<4, 4, 2048>(m, n, k, a, a_stride, w, c, c_stride, params);
  } else {
    gemv<1, 8, 2048>(m, n, k, a, a_stride, w, c, c_stride, params);
  }
}

}  // namespace

#define MINT_QS8_GEMM(name, body)                                                          \
  void name(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, \
            void* c, size_t c_stride_bytes, const Qs8GemmParams* params) {                 \
    body(m, n, k, a, a_stride, w, c, c_stride_bytes, params);                              \
  }

MINT_QS8_GEMM(qs8_gemm_minmax_8x16c4_avx512vnni, (qs8_gemm_dispatch<GemmTile, 8, 2>))
MINT_QS8_GEMM(qs8_gemm_minmax_1x16c4_avx512vnni, gemv_any)

}  // namespace mint
