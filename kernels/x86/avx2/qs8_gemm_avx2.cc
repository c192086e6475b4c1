// qs8 GEMM/GEMV kernels, AVX2 (contract: kernels/gemm.h).
//
//   qs8_gemm_minmax_<MR>x16c4_avx2
//
// Both operands are sign-extended to int16 and multiplied with vpmaddwd (never vpmaddubsw,
// whose int16 sums saturate). 16 bytes of a panel's k group (4 channels x 4 k) widen into one
// ymm; a row's 4 activations are widened and broadcast as one 64-bit pattern, so vpmaddwd gives
// per channel two int32 partial sums (k pairs 0-1 and 2-3), accumulated with vpaddd and folded
// at the end with vphaddd + vpermq.
//
// GEMM (MR > 1): m (<= MR) rows; a panel is computed in two halves of 8 channels so that the
// 2 * m accumulators, 2 weight vectors and m broadcast rows fit the 16 ymm registers (MR = 4).
// GEMV (MR = 1): the whole panel at once (4 accumulators), with software prefetch.
// Epilogue: the float operations of kernels/qs8_requant.h on 8 lanes, in the same order,
// without FMA; rounding half to even by vcvtps2dq under the default MXCSR.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "kernels/qs8_requant.h"
#include "kernels/registry.h"

#define MINT_INLINE inline __attribute__((always_inline))

namespace mint {
namespace {

MINT_INLINE int32_t load_u32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

MINT_INLINE const Qs8PanelHeader* panel_header(const char* panel) {
  return reinterpret_cast<const Qs8PanelHeader*>(panel);
}
MINT_INLINE const int8_t* panel_weights(const char* panel) {
  return reinterpret_cast<const int8_t*>(panel + qs8_gemm_panel_header_bytes());
}

// a[0..3] sign-extended to int16, repeated in every 64-bit lane.
MINT_INLINE __m256i broadcast_i16x4(const int8_t* a) {
  return _mm256_broadcastq_epi64(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(load_u32(a))));
}

// 4 channels x 4 k of a group, widened to int16.
MINT_INLINE __m256i widen(const int8_t* w) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
}

// acc += vpmaddwd(a, w). Inline asm keeps each accumulator in its register: with the
// intrinsics, GCC 12 computes all products first and spills accumulators to the stack.
MINT_INLINE __m256i madd_acc(__m256i acc, __m256i a, __m256i w) {
  __m256i t;
  __asm__("vpmaddwd %3, %2, %1\n\tvpaddd %1, %0, %0" : "+x"(acc), "=&x"(t) : "x"(a), "x"(w));
  return acc;
}

// x: channels 0-3, y: channels 4-7, each as two partial sums per channel -> 8 channels.
MINT_INLINE __m256i fold(__m256i x, __m256i y) {
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(x, y), _MM_SHUFFLE(3, 1, 2, 0));
}

class Epilogue {
 public:
  explicit Epilogue(const Qs8GemmParams* p)
      : output_(p->output),
        inv_scale_(_mm256_set1_ps(p->out_inv_scale)),
        qmin_(_mm256_set1_ps(static_cast<float>(int32_t{p->out_min} - p->out_zero_point))),
        qmax_(_mm256_set1_ps(static_cast<float>(int32_t{p->out_max} - p->out_zero_point))),
        zero_point_(_mm256_set1_epi32(p->out_zero_point)),
        fmin_(_mm256_set1_ps(p->f32_min)),
        fmax_(_mm256_set1_ps(p->f32_max)) {}

  // acc: the 8 channels [h * 8, h * 8 + 8) of the panel (h = 0 or 1), stored to channels
  // [n0, n0 + nc) of the row (nc <= 8).
  MINT_INLINE void store(__m256i acc, size_t h, float a_scale, const char* panel, void* c_row,
                         size_t n0, size_t nc) const {
    const Qs8PanelHeader* hd = panel_header(panel);
    const __m256 scale =
        _mm256_mul_ps(_mm256_set1_ps(a_scale), _mm256_loadu_ps(hd->w_scale + h * 8));
    const __m256 facc = _mm256_cvtepi32_ps(acc);
    if (output_ == Qs8Output::kQs8) {
      __m256 v = _mm256_mul_ps(facc, _mm256_mul_ps(scale, inv_scale_));
      v = _mm256_min_ps(qmax_, _mm256_max_ps(qmin_, v));
      const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), zero_point_);
      // In range, so the saturating packs are exact.
      const __m128i q16 =
          _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
      const __m128i q8 = _mm_packs_epi16(q16, q16);
      int8_t* out = static_cast<int8_t*>(c_row) + n0;
      if (nc >= 8) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out), q8);
      } else {
        alignas(16) int8_t tmp[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(tmp), q8);
        std::memcpy(out, tmp, nc);
      }
    } else {
      __m256 product = _mm256_mul_ps(facc, scale);
      // GCC contracts mul + add into an FMA when FMA is enabled (even in ISO C++ mode, unless the
      // build passes -ffp-contract=off, which the kernels do not rely on); the
      // empty asm makes the product opaque so the reference's two roundings are kept.
      __asm__("" : "+x"(product));
      __m256 v = _mm256_add_ps(product, _mm256_loadu_ps(hd->bias_f + h * 8));
      v = _mm256_min_ps(fmax_, _mm256_max_ps(fmin_, v));
      float* out = static_cast<float*>(c_row) + n0;
      if (nc >= 8) {
        _mm256_storeu_ps(out, v);
      } else {
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        _mm256_maskstore_ps(out, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(nc)), lane),
                            v);
      }
    }
  }

 private:
  Qs8Output output_;
  __m256 inv_scale_, qmin_, qmax_;
  __m256i zero_point_;
  __m256 fmin_, fmax_;
};

// bias_q - za * w_sum for the 8 channels of half h.
MINT_INLINE __m256i init_acc(const char* panel, size_t h, int32_t za) {
  const Qs8PanelHeader* hd = panel_header(panel);
  const __m256i bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hd->bias_q + h * 8));
  const __m256i w_sum = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hd->w_sum + h * 8));
  return _mm256_sub_epi32(bias, _mm256_mullo_epi32(_mm256_set1_epi32(za), w_sum));
}

// M rows x the 8 channels of half h of one panel; stores channels [n0, n0 + nc), nc <= 8.
template <size_t M>
MINT_INLINE void gemm_half(size_t groups, const int8_t* a, size_t a_stride, const char* panel,
                           size_t h, void* c, size_t c_stride, size_t n0, size_t nc,
                           const Qs8GemmParams* params, const Epilogue& epilogue) {
  const int8_t* w = panel_weights(panel) + h * 32;
  __m256i x[M], y[M];
#pragma GCC unroll 8
  for (size_t i = 0; i < M; ++i) x[i] = y[i] = _mm256_setzero_si256();
  for (size_t g = 0; g < groups; ++g) {
    const __m256i wx = widen(w + g * 64), wy = widen(w + g * 64 + 16);
#pragma GCC unroll 8
    for (size_t i = 0; i < M; ++i) {
      const __m256i av = broadcast_i16x4(a + i * a_stride + g * 4);
      x[i] = madd_acc(x[i], av, wx);
      y[i] = madd_acc(y[i], av, wy);
    }
  }
#pragma GCC unroll 8
  for (size_t i = 0; i < M; ++i) {
    const Qs8RowQuant q = params->a_quant[i * params->a_quant_stride];
    const __m256i acc = _mm256_add_epi32(init_acc(panel, h, q.zero_point), fold(x[i], y[i]));
    epilogue.store(acc, h, q.scale, panel, static_cast<char*>(c) + i * c_stride, n0, nc);
  }
}

template <size_t M>
void gemm_rows(size_t n, size_t k, const int8_t* a, size_t a_stride, const void* packed_w, void* c,
               size_t c_stride, const Qs8GemmParams* params) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const Epilogue epilogue(params);
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t j = 0; j < n; j += kGemmNR, panel += panel_bytes) {
    const size_t nc = std::min(kGemmNR, n - j);
    gemm_half<M>(groups, a, a_stride, panel, 0, c, c_stride, j, std::min<size_t>(nc, 8), params,
                 epilogue);
    if (nc > 8) {
      gemm_half<M>(groups, a, a_stride, panel, 1, c, c_stride, j + 8, nc - 8, params, epilogue);
    }
  }
}

using Qs8Rows = void (*)(size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w,
                         void* c, size_t c_stride, const Qs8GemmParams* params);

template <size_t... I>
constexpr auto make_row_table(std::index_sequence<I...>) {
  return std::array<Qs8Rows, sizeof...(I)>{&gemm_rows<I + 1>...};
}

template <size_t MR>
void gemm(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, void* c,
          size_t c_stride, const Qs8GemmParams* params) {
  static constexpr auto table = make_row_table(std::make_index_sequence<MR>());
  table[m - 1](n, k, a, a_stride, w, c, c_stride, params);
}

template <size_t PF>
void gemv(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* packed_w,
          void* c, size_t c_stride, const Qs8GemmParams* params) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const Epilogue epilogue(params);
  const Qs8RowQuant q = params->a_quant[0];
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t j = 0; j < n; j += kGemmNR, panel += panel_bytes) {
    const int8_t* w = panel_weights(panel);
    __m256i acc[4];
#pragma GCC unroll 4
    for (size_t t = 0; t < 4; ++t) acc[t] = _mm256_setzero_si256();
    for (size_t g = 0; g < groups; ++g) {
      _mm_prefetch(reinterpret_cast<const char*>(w + g * 64 + PF), _MM_HINT_T0);
      const __m256i av = broadcast_i16x4(a + g * 4);
#pragma GCC unroll 4
      for (size_t t = 0; t < 4; ++t) {
        acc[t] = madd_acc(acc[t], av, widen(w + g * 64 + t * 16));
      }
    }
    const size_t nc = std::min(kGemmNR, n - j);
    epilogue.store(_mm256_add_epi32(init_acc(panel, 0, q.zero_point), fold(acc[0], acc[1])), 0,
                   q.scale, panel, c, j, std::min<size_t>(nc, 8));
    if (nc > 8) {
      epilogue.store(_mm256_add_epi32(init_acc(panel, 1, q.zero_point), fold(acc[2], acc[3])), 1,
                     q.scale, panel, c, j + 8, nc - 8);
    }
  }
}

}  // namespace

#define MINT_QS8_GEMM(name, body)                                                          \
  void name(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride, const void* w, \
            void* c, size_t c_stride_bytes, const Qs8GemmParams* params) {                 \
    body(m, n, k, a, a_stride, w, c, c_stride_bytes, params);                              \
  }

MINT_QS8_GEMM(qs8_gemm_minmax_4x16c4_avx2, (gemm<4>))
MINT_QS8_GEMM(qs8_gemm_minmax_1x16c4_avx2, (gemv<1024>))

}  // namespace mint
