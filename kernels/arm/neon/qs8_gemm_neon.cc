// NEON (ARMv8.0) GEMM and GEMV kernels of the qs8_gemm family (contract: kernels/gemm.h):
//
//     acc[i][j] = sum_kk (A[i][kk] - za_i) * W[kk][j] + bias_q[j]          (exact int32)
//     C[i][j]   = requantize to int8, or dequantize to f32 (kernels/qs8_requant.h, bit-exact)
//
// Without SDOT the products are formed in int16: each 64-byte group of a panel (16 channels x
// 4 k values, w[g][j][t]) is de-interleaved by LD4 into four 16-channel vectors, one per k
// value t, widened to int16, and multiply-accumulated into int32 with a lane of the widened A
// row (vmlal_laneq_s16). Two groups (8 bytes of A) per step, then one. Every int8 x int8
// product fits int16 (|-128 * -128| = 16384), so no intermediate saturates.
//
// Instantiated as qs8_gemm_minmax_4x16c4_neon (GEMM) and qs8_gemm_minmax_1x16c4_neon (GEMV).
#include <arm_neon.h>

#include "kernels/arm/qs8_gemm_neon_common.h"
#include "kernels/registry.h"

namespace mint {
namespace {

template <size_t MR>
struct MlalAccumulate {
  // acc[i] += va[i][L] * W[t][0..15], with wt = the 16 int8 weights of one k value.
  template <int L>
  static inline void step(int32x4_t (&acc)[MR][4], const int16x8_t (&va)[MR], int8x16_t wt) {
    const int16x8_t lo = vmovl_s8(vget_low_s8(wt));
    const int16x8_t hi = vmovl_high_s8(wt);
    for (size_t i = 0; i < MR; ++i) {
      acc[i][0] = vmlal_laneq_s16(acc[i][0], vget_low_s16(lo), va[i], L);
      acc[i][1] = vmlal_high_laneq_s16(acc[i][1], lo, va[i], L);
      acc[i][2] = vmlal_laneq_s16(acc[i][2], vget_low_s16(hi), va[i], L);
      acc[i][3] = vmlal_high_laneq_s16(acc[i][3], hi, va[i], L);
    }
  }

  // One group of 4 k values whose A values are lanes Base .. Base + 3 of va.
  template <int Base>
  static inline void group(int32x4_t (&acc)[MR][4], const int16x8_t (&va)[MR], const int8_t* w) {
    const int8x16x4_t wt = vld4q_s8(w);  // wt.val[t][j] = w[g][j][t]
    step<Base + 0>(acc, va, wt.val[0]);
    step<Base + 1>(acc, va, wt.val[1]);
    step<Base + 2>(acc, va, wt.val[2]);
    step<Base + 3>(acc, va, wt.val[3]);
  }

  static inline void run(const int8_t* const (&a_rows)[MR], const int8_t* w, size_t groups,
                         int32x4_t (&acc)[MR][4]) {
    size_t g = 0;
    for (; g + 2 <= groups; g += 2, w += 2 * kGemmNR * kQs8KR) {
      int16x8_t va[MR];
      for (size_t i = 0; i < MR; ++i) va[i] = vmovl_s8(vld1_s8(a_rows[i] + g * kQs8KR));
      group<0>(acc, va, w);
      group<4>(acc, va, w + kGemmNR * kQs8KR);
    }
    if (g < groups) {
      int16x8_t va[MR];
      for (size_t i = 0; i < MR; ++i) {
        va[i] = vmovl_s8(vget_low_s8(vreinterpretq_s8_s32(qs8_load_group(a_rows[i] + g * kQs8KR))));
      }
      group<0>(acc, va, w);
    }
  }
};

}  // namespace

void qs8_gemm_minmax_4x16c4_neon(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, void* c, size_t c_stride_bytes,
                                 const Qs8GemmParams* params) {
  qs8_gemm_rows<4, MlalAccumulate>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}
void qs8_gemm_minmax_1x16c4_neon(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, void* c, size_t c_stride_bytes,
                                 const Qs8GemmParams* params) {
  qs8_gemm_rows<1, MlalAccumulate>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}

}  // namespace mint
