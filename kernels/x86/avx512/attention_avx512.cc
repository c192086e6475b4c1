// Attention-head kernels of kernels/attention.h compiled with the avx512 flags of this folder:
// the loops of kernels/attention_head.h over 16-float AVX-512 vectors.
// GCC 12's _mm512_undefined_*() self-initialise a variable, which -Wmaybe-uninitialized reports
// wherever the intrinsics are inlined (GCC bug 105593; here also as -Wuninitialized); the pragma
// covers the header's lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "kernels/attention.h"
#include "kernels/attention_head.h"

namespace mint {
namespace {

struct Avx512Vec {
  static constexpr size_t kWidth = 16;
  static constexpr size_t kBlock = 8;     // 128 columns in 8 of 32 zmm registers
  static constexpr size_t kRowBlock = 4;  // 4 x 4 rows = 16 accumulators
  using V = __m512;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float f) { return _mm512_set1_ps(f); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static V load(const int8_t* p) {
    return _mm512_cvtepi32_ps(
        _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  // Halves, quarters, pairs (not _mm512_reduce_*_ps, whose GCC 12 expansion warns as above).
  static float reduce_add(V v) {  // the tree of reduce_add4
    float out[4];
    reduce_add4(v, v, v, v, out);
    return out[0];
  }
  static void reduce_add4(V a, V b, V c, V d, float* out) {
    const auto half = [](V v) {
      return _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    };
    const __m256 t =
        _mm256_hadd_ps(_mm256_hadd_ps(half(a), half(b)), _mm256_hadd_ps(half(c), half(d)));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
  }
  static float reduce_max(V v) {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
  }
  static V round(V v) {
    return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static V pow2(V n) {
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static V zero_below(V v, V x, V lo) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ), v);
  }
};

}  // namespace

void f32_attention_head_f32kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Vec, float, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                               scale_stride, scale, scores, y);
}

void f32_attention_head_f16kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Vec, uint16_t, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                  scale_stride, scale, scores, y);
}

void f32_attention_head_qs8kv_avx512(size_t len, size_t d, const float* q, const void* k,
                                     const void* v, size_t stride, const float* k_scale,
                                     const float* v_scale, size_t scale_stride, float scale,
                                     float* scores, float* y) {
  attention_head_impl<Avx512Vec, int8_t, true>(len, d, q, k, v, stride, k_scale, v_scale,
                                               scale_stride, scale, scores, y);
}

void f32_attention_rows_f32kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Vec, float, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                               v_scale, scale_stride, scale, scores, y, y_stride);
}

void f32_attention_rows_f16kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Vec, uint16_t, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                                  v_scale, scale_stride, scale, scores, y,
                                                  y_stride);
}

void f32_attention_rows_qs8kv_avx512(size_t rows, size_t len0, size_t d, const float* q,
                                     size_t q_stride, const void* k, const void* v, size_t stride,
                                     const float* k_scale, const float* v_scale,
                                     size_t scale_stride, float scale, float* scores, float* y,
                                     size_t y_stride) {
  attention_rows_impl<Avx512Vec, int8_t, true>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                               v_scale, scale_stride, scale, scores, y, y_stride);
}

}  // namespace mint
