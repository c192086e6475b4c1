// NEON GEMM and GEMV kernels of the f32_gemm and f16w_gemm families (contract: kernels/gemm.h):
//
//     C[i][j] = clamp(sum_k A[i][k] * W[k][j] + bias[j], min, max)     i < m <= MR, j < n
//
// One 16-channel packed panel at a time, MR rows x 16 channels of accumulators (four float32x4
// per row) that start at the bias. Four k steps at a time load four A values per row and
// multiply-add each lane with a weight row (vfmaq_laneq_f32); the k % 4 remainder broadcasts
// one A value. f16 weights are widened to f32 with FCVTL (vcvt_f32_f16, baseline ARMv8.0) as
// they are loaded, so both families share the loop. Rows past m re-read row m - 1 (always
// readable) and are not stored; a partial last panel is stored through a stack buffer, so
// nothing past n is written.
//
// Instantiated as <dtype>_gemm_minmax_4x16_neon (GEMM; 16 accumulators + 4 weights + 4 A
// vectors fit the 32 registers) and <dtype>_gemm_minmax_1x16_neon (GEMV).
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/registry.h"

namespace mint {
namespace {

// Loads one 16-channel weight row as four float32x4.
struct F32Row {
  static constexpr size_t kBytes = sizeof(float) * kGemmNR;
  static void load(const char* p, float32x4_t (&w)[4]) {
    const float* f = reinterpret_cast<const float*>(p);
    w[0] = vld1q_f32(f);
    w[1] = vld1q_f32(f + 4);
    w[2] = vld1q_f32(f + 8);
    w[3] = vld1q_f32(f + 12);
  }
};

struct F16Row {
  static constexpr size_t kBytes = sizeof(uint16_t) * kGemmNR;
  static void load(const char* p, float32x4_t (&w)[4]) {
    const uint16_t* h = reinterpret_cast<const uint16_t*>(p);
    const float16x8_t lo = vreinterpretq_f16_u16(vld1q_u16(h));
    const float16x8_t hi = vreinterpretq_f16_u16(vld1q_u16(h + 8));
    w[0] = vcvt_f32_f16(vget_low_f16(lo));
    w[1] = vcvt_high_f32_f16(lo);
    w[2] = vcvt_f32_f16(vget_low_f16(hi));
    w[3] = vcvt_high_f32_f16(hi);
  }
};

// acc[i] += va[i][L] * w for one weight row (the lane must be a constant).
template <int L, size_t MR, typename Row>
inline void fma_lane(float32x4_t (&acc)[MR][4], const float32x4_t (&va)[MR], const char* w) {
  float32x4_t wv[4];
  Row::load(w, wv);
  for (size_t i = 0; i < MR; ++i) {
    for (size_t q = 0; q < 4; ++q) acc[i][q] = vfmaq_laneq_f32(acc[i][q], wv[q], va[i], L);
  }
}

template <size_t MR, typename Row>
void gemm_neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const void* packed_w,
               float* c, size_t c_stride, const F32MinMaxParams* params) {
  if (m == 0) return;
  const float* a_rows[MR];
  for (size_t i = 0; i < MR; ++i) a_rows[i] = a + std::min(i, m - 1) * a_stride;
  const float32x4_t vmin = vdupq_n_f32(params->min);
  const float32x4_t vmax = vdupq_n_f32(params->max);
  const size_t panel_bytes = sizeof(float) * kGemmNR + Row::kBytes * k;
  const char* panel = static_cast<const char*>(packed_w);
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR, panel += panel_bytes) {
    const float* bias = reinterpret_cast<const float*>(panel);
    const char* w = panel + sizeof(float) * kGemmNR;
    float32x4_t acc[MR][4];
    for (size_t q = 0; q < 4; ++q) {
      const float32x4_t b = vld1q_f32(bias + 4 * q);
      for (size_t i = 0; i < MR; ++i) acc[i][q] = b;
    }
    size_t kk = 0;
    for (; kk + 4 <= k; kk += 4, w += 4 * Row::kBytes) {
      float32x4_t va[MR];
      for (size_t i = 0; i < MR; ++i) va[i] = vld1q_f32(a_rows[i] + kk);
      fma_lane<0, MR, Row>(acc, va, w);
      fma_lane<1, MR, Row>(acc, va, w + Row::kBytes);
      fma_lane<2, MR, Row>(acc, va, w + 2 * Row::kBytes);
      fma_lane<3, MR, Row>(acc, va, w + 3 * Row::kBytes);
    }
    for (; kk < k; ++kk, w += Row::kBytes) {
      float32x4_t wv[4];
      Row::load(w, wv);
      for (size_t i = 0; i < MR; ++i) {
        const float32x4_t av = vld1q_dup_f32(a_rows[i] + kk);
        for (size_t q = 0; q < 4; ++q) acc[i][q] = vfmaq_f32(acc[i][q], wv[q], av);
      }
    }

    const size_t nc = std::min(kGemmNR, n - n0);
    // A constant trip count keeps acc[i] in registers (a loop to m would index it at run time).
    for (size_t i = 0; i < MR; ++i) {
      if (i >= m) break;
      float* c_row = c + i * c_stride + n0;
      float out[kGemmNR];
      float* dst = nc == kGemmNR ? c_row : out;
      for (size_t q = 0; q < 4; ++q) {
        vst1q_f32(dst + 4 * q, vminq_f32(vmaxq_f32(acc[i][q], vmin), vmax));
      }
      if (nc != kGemmNR) std::memcpy(c_row, out, nc * sizeof(float));
    }
  }
}

}  // namespace

void f32_gemm_minmax_4x16_neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                               const void* w, float* c, size_t c_stride,
                               const F32MinMaxParams* params) {
  gemm_neon<4, F32Row>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f32_gemm_minmax_1x16_neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                               const void* w, float* c, size_t c_stride,
                               const F32MinMaxParams* params) {
  gemm_neon<1, F32Row>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f16w_gemm_minmax_4x16_neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                const void* w, float* c, size_t c_stride,
                                const F32MinMaxParams* params) {
  gemm_neon<4, F16Row>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void f16w_gemm_minmax_1x16_neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                const void* w, float* c, size_t c_stride,
                                const F32MinMaxParams* params) {
  gemm_neon<1, F16Row>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
