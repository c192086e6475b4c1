// Avx512Vec: 16 floats in a zmm register, the vector type that the loop templates of the kernel
// families (kernels/dwconv_row.h, kernels/attention_head.h, kernels/f32_vec_math.h) are
// instantiated with in this folder. Each member is one or a few AVX-512 F/DQ instructions; what
// each must compute is stated by the template headers that use it.
//
// Internal linkage on purpose (anonymous namespace; see kernels/x86/avx2/f32_vec_avx2.h).
// Include only from sources of kernels/x86/avx512/.
#pragma once

// GCC 12's _mm512_undefined_*() self-initialise a variable, which -Wmaybe-uninitialized reports
// wherever the intrinsics are inlined (GCC bug 105593; here also as -Wuninitialized); the pragma
// covers the header's lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstddef>
#include <cstdint>

namespace mint {
namespace {

struct Avx512Vec {
  static constexpr size_t kWidth = 16;
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
  // The 16 values of v, integers in [-128, 127], as int8 (vcvtps2dq, vpmovdb).
  static void store_qs8(int8_t* p, V v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
  }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V abs(V v) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), v); }
  // |mag| with the sign bit of s (mag must be non-negative).
  static V with_sign_of(V mag, V s) {
    return _mm512_or_ps(mag, _mm512_and_ps(s, _mm512_set1_ps(-0.0f)));
  }
  // x < y ? a : b, lane-wise (false for NaN).
  static V select_lt(V x, V y, V a, V b) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_LT_OQ), b, a);
  }
  // x where x is NaN, else v.
  static V keep_nan(V v, V x) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), v, x);
  }
  // max then min with the vector as the second operand: NaN passes through, as in the scalar
  // reference's comparisons.
  static V clamp(V v, float lo, float hi) {
    // (masked forms: GCC 12 warns about the unmasked ones' undefined pass-through operand)
    const V vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    const V m = _mm512_mask_max_ps(vlo, 0xFFFF, vlo, v);
    return _mm512_mask_min_ps(vhi, 0xFFFF, vhi, m);
  }
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
  // Double accumulators of kWidth lanes (kernels/normalization_vec.h).
  struct F64Acc {
    __m512d lo, hi;
  };
  static F64Acc f64_zero() { return {_mm512_setzero_pd(), _mm512_setzero_pd()}; }
  static void f64_add(F64Acc& a, V v) {
    a.lo = _mm512_add_pd(a.lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    a.hi = _mm512_add_pd(a.hi, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
  }
  // a += ((double)v - c)^2
  static void f64_add_sq_diff(F64Acc& a, V v, double c) {
    const __m512d vc = _mm512_set1_pd(c);
    const __m512d l = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)), vc);
    const __m512d h = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)), vc);
    a.lo = _mm512_fmadd_pd(l, l, a.lo);
    a.hi = _mm512_fmadd_pd(h, h, a.hi);
  }
  static double f64_sum(const F64Acc& a) {
    double lanes[8];
    _mm512_storeu_pd(lanes, _mm512_add_pd(a.lo, a.hi));
    double s = 0.0;
    for (double l : lanes) s += l;
    return s;
  }
  static V zero_below(V v, V x, V lo) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ), v);
  }
};

}  // namespace
}  // namespace mint
