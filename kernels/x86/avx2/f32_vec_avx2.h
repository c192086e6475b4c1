// Avx2Vec: 8 floats in a ymm register, the vector type that the loop templates of the kernel
// families (kernels/dwconv_row.h, kernels/attention_head.h, kernels/f32_vec_math.h) are
// instantiated with in this folder. Each member is one or a few AVX2/FMA/F16C instructions;
// what each must compute is stated by the template headers that use it.
//
// Internal linkage on purpose (anonymous namespace): the same name in another ISA folder is a
// different type, so no inline function is shared between translation units of different ISA
// flags (see kernels/col2im_row.h). Include only from sources of kernels/x86/avx2/.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mint {
namespace {

struct Avx2Vec {
  static constexpr size_t kWidth = 8;
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
  // The 8 values of v, integers in [-128, 127], as int8 (vcvtps2dq, two saturating packs).
  static void store_qs8(int8_t* p, V v) {
    const __m256i i = _mm256_cvtps_epi32(v);
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packs_epi16(w, w));
  }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V abs(V v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
  // |mag| with the sign bit of s (mag must be non-negative).
  static V with_sign_of(V mag, V s) {
    return _mm256_or_ps(mag, _mm256_and_ps(s, _mm256_set1_ps(-0.0f)));
  }
  // x < y ? a : b, lane-wise (false for NaN).
  static V select_lt(V x, V y, V a, V b) {
    return _mm256_blendv_ps(b, a, _mm256_cmp_ps(x, y, _CMP_LT_OQ));
  }
  // x where x is NaN, else v.
  static V keep_nan(V v, V x) { return _mm256_blendv_ps(v, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
  // max then min with the vector as the second operand: NaN passes through, as in the scalar
  // reference's comparisons.
  static V clamp(V v, float lo, float hi) {
    return _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v));
  }
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
  // Double accumulators of kWidth lanes (kernels/normalization_vec.h).
  struct F64Acc {
    __m256d lo, hi;
  };
  static F64Acc f64_zero() { return {_mm256_setzero_pd(), _mm256_setzero_pd()}; }
  static void f64_add(F64Acc& a, V v) {
    a.lo = _mm256_add_pd(a.lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    a.hi = _mm256_add_pd(a.hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  // a += ((double)v - c)^2
  static void f64_add_sq_diff(F64Acc& a, V v, double c) {
    const __m256d vc = _mm256_set1_pd(c);
    const __m256d l = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), vc);
    const __m256d h = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), vc);
    a.lo = _mm256_fmadd_pd(l, l, a.lo);
    a.hi = _mm256_fmadd_pd(h, h, a.hi);
  }
  static double f64_sum(const F64Acc& a) {
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(a.lo, a.hi));
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  }
  static V zero_below(V v, V x, V lo) { return _mm256_and_ps(v, _mm256_cmp_ps(x, lo, _CMP_GE_OQ)); }
};

}  // namespace
}  // namespace mint
