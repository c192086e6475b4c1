// Shared pieces of the AVX-512 qs8 GEMM kernels (avx512/ and avx512vnni/): the accumulator
// initialisation from the panel header and the epilogue of kernels/qs8_requant.h on 16 lanes.
//
// The epilogue performs exactly the float operations of the scalar reference, in the same
// order, without FMA (see the asm barrier in store()): kQs8 computes (sa * w_scale) *
// out_inv_scale, multiplies the converted accumulator by it, clamps to the integer bounds less the
// zero point, rounds half to even with vcvtps2dq under the default MXCSR, adds the zero point and
// narrows with vpmovdb (exact: the value is already within int8). kF32 computes (float)acc * (sa *
// w_scale) + bias_f and clamps. Clamps are written min(hi, max(lo, v)) so that NaNs and signed
// zeros come out as std::min / std::max in the reference return them.
//
// Everything is in an anonymous namespace: each including translation unit (each ISA folder)
// gets its own copy, compiled with its own flags, so no inline function is shared across ISAs.
#pragma once

// GCC 12's _mm512_undefined_*() self-initialise a variable, which -Wmaybe-uninitialized reports
// wherever the intrinsics are inlined (GCC bug 105593); the pragma covers the header's lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstring>

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/qs8_requant.h"

#ifndef MINT_INLINE
#define MINT_INLINE inline __attribute__((always_inline))
#endif

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

// bias_q - zero_point * w_sum (zero_point may include the +128 of the unsigned trick).
MINT_INLINE __m512i init_acc(const char* panel, int32_t zero_point) {
  const Qs8PanelHeader* h = panel_header(panel);
  const __m512i bias = _mm512_loadu_si512(h->bias_q);
  const __m512i w_sum = _mm512_loadu_si512(h->w_sum);
  return _mm512_sub_epi32(bias, _mm512_mullo_epi32(_mm512_set1_epi32(zero_point), w_sum));
}

class Qs8Epilogue512 {
 public:
  explicit Qs8Epilogue512(const Qs8GemmParams* p)
      : output_(p->output),
        inv_scale_(_mm512_set1_ps(p->out_inv_scale)),
        qmin_(_mm512_set1_ps(static_cast<float>(int32_t{p->out_min} - p->out_zero_point))),
        qmax_(_mm512_set1_ps(static_cast<float>(int32_t{p->out_max} - p->out_zero_point))),
        zero_point_(_mm512_set1_epi32(p->out_zero_point)),
        fmin_(_mm512_set1_ps(p->f32_min)),
        fmax_(_mm512_set1_ps(p->f32_max)) {}

  // Stores channels [n0, n0 + nc) (nc <= 16) of row `c_row` from the accumulators of one
  // panel; a_scale is the row's activation scale.
  MINT_INLINE void store(__m512i acc, float a_scale, const char* panel, void* c_row, size_t n0,
                         size_t nc) const {
    const Qs8PanelHeader* h = panel_header(panel);
    const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(a_scale), _mm512_loadu_ps(h->w_scale));
    const __m512 facc = _mm512_cvtepi32_ps(acc);
    const __mmask16 mask = nc >= kGemmNR ? __mmask16(0xFFFF) : __mmask16((1u << nc) - 1);
    if (output_ == Qs8Output::kQs8) {
      __m512 v = _mm512_mul_ps(facc, _mm512_mul_ps(scale, inv_scale_));
      v = _mm512_min_ps(qmax_, _mm512_max_ps(qmin_, v));
      const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), zero_point_);
      _mm_mask_storeu_epi8(static_cast<int8_t*>(c_row) + n0, mask, _mm512_cvtepi32_epi8(q));
    } else {
      __m512 product = _mm512_mul_ps(facc, scale);
      // GCC contracts mul + add into an FMA when FMA is enabled (even in ISO C++ mode, unless the
      // build passes -ffp-contract=off, which the kernels do not rely on); the
      // empty asm makes the product opaque so the reference's two roundings are kept.
      __asm__("" : "+v"(product));
      __m512 v = _mm512_add_ps(product, _mm512_loadu_ps(h->bias_f));
      v = _mm512_min_ps(fmax_, _mm512_max_ps(fmin_, v));
      _mm512_mask_storeu_ps(static_cast<float*>(c_row) + n0, mask, v);
    }
  }

 private:
  Qs8Output output_;
  __m512 inv_scale_, qmin_, qmax_;
  __m512i zero_point_;
  __m512 fmin_, fmax_;
};

// The row driver of the AVX-512 qs8 GEMM kernels: computes M rows over all n channels in tiles
// of NP panels (then single panels) with Tile::run<M, NP> from the including translation unit,
// and qs8_gemm_dispatch<Tile, MR, NP> maps a run-time m (1..MR) to a compile-time row count.
template <typename Tile, size_t M, size_t NP>
void qs8_gemm_rows(size_t n, size_t k, const int8_t* a, size_t a_stride, const void* packed_w,
                   void* c, size_t c_stride, const Qs8GemmParams* params) {
  const size_t panel_bytes = qs8_gemm_panel_bytes(k);
  const size_t groups = round_up(k, kQs8KR) / kQs8KR;
  const Qs8Epilogue512 epilogue(params);
  const char* panel = static_cast<const char*>(packed_w);
  size_t j = 0;
  for (; j + NP * kGemmNR <= n; j += NP * kGemmNR, panel += NP * panel_bytes) {
    Tile::template run<M, NP>(groups, a, a_stride, panel, panel_bytes, c, c_stride, j,
                              NP * kGemmNR, params, epilogue);
  }
  for (; j < n; j += kGemmNR, panel += panel_bytes) {
    Tile::template run<M, 1>(groups, a, a_stride, panel, panel_bytes, c, c_stride, j,
                             std::min(kGemmNR, n - j), params, epilogue);
  }
}

using Qs8GemmRowsFn = void (*)(size_t n, size_t k, const int8_t* a, size_t a_stride,
                               const void* w, void* c, size_t c_stride,
                               const Qs8GemmParams* params);

template <typename Tile, size_t NP, size_t... I>
constexpr auto qs8_gemm_row_table(std::index_sequence<I...>) {
  return std::array<Qs8GemmRowsFn, sizeof...(I)>{&qs8_gemm_rows<Tile, I + 1, NP>...};
}

template <typename Tile, size_t MR, size_t NP>
void qs8_gemm_dispatch(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                       const void* w, void* c, size_t c_stride, const Qs8GemmParams* params) {
  static constexpr auto table = qs8_gemm_row_table<Tile, NP>(std::make_index_sequence<MR>());
  table[m - 1](n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace
}  // namespace mint
