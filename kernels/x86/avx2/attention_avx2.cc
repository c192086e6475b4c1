// Attention-head kernels of kernels/attention.h compiled with the avx2 flags of this folder: the
// loops of kernels/attention_head.h over 8-float AVX2 vectors (FMA; F16C for the f16 cache).
#include <immintrin.h>

#include <cstring>

#include "kernels/attention.h"
#include "kernels/attention_head.h"

namespace mint {
namespace {

struct Avx2Vec {
  static constexpr size_t kWidth = 8;
  static constexpr size_t kBlock = 8;     // 8 accumulators of 16 ymm registers
  static constexpr size_t kRowBlock = 2;  // 2 x 4 rows = 8 accumulators
  using V = __m256;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float f) { return _mm256_set1_ps(f); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static V load(const int8_t* p) {
    int64_t bytes;
    std::memcpy(&bytes, p, 8);
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(bytes)));
  }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static float reduce_add(V v) {  // the tree of reduce_add4
    float out[4];
    reduce_add4(v, v, v, v, out);
    return out[0];
  }
  static void reduce_add4(V a, V b, V c, V d, float* out) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
  }
  static float reduce_max(V v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static V round(V v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V pow2(V n) {
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  static V zero_below(V v, V x, V lo) { return _mm256_and_ps(v, _mm256_cmp_ps(x, lo, _CMP_GE_OQ)); }
};

}  // namespace

void f32_attention_head_f32kv_avx2(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<Avx2Vec, float, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                             scale_stride, scale, scores, y);
}

void f32_attention_head_f16kv_avx2(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<Avx2Vec, uint16_t, false>(len, d, q, k, v, stride, k_scale, v_scale,
                                                scale_stride, scale, scores, y);
}

void f32_attention_head_qs8kv_avx2(size_t len, size_t d, const float* q, const void* k,
                                   const void* v, size_t stride, const float* k_scale,
                                   const float* v_scale, size_t scale_stride, float scale,
                                   float* scores, float* y) {
  attention_head_impl<Avx2Vec, int8_t, true>(len, d, q, k, v, stride, k_scale, v_scale,
                                             scale_stride, scale, scores, y);
}

void f32_attention_rows_f32kv_avx2(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<Avx2Vec, float, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                             v_scale, scale_stride, scale, scores, y, y_stride);
}

void f32_attention_rows_f16kv_avx2(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<Avx2Vec, uint16_t, false>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                                v_scale, scale_stride, scale, scores, y, y_stride);
}

void f32_attention_rows_qs8kv_avx2(size_t rows, size_t len0, size_t d, const float* q,
                                   size_t q_stride, const void* k, const void* v, size_t stride,
                                   const float* k_scale, const float* v_scale, size_t scale_stride,
                                   float scale, float* scores, float* y, size_t y_stride) {
  attention_rows_impl<Avx2Vec, int8_t, true>(rows, len0, d, q, q_stride, k, v, stride, k_scale,
                                             v_scale, scale_stride, scale, scores, y, y_stride);
}

}  // namespace mint
