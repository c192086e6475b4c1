// ARMv8.2 dotprod GEMM and GEMV kernels of the qs8_gemm family (contract: kernels/gemm.h):
//
//     acc[i][j] = sum_kk (A[i][kk] - za_i) * W[kk][j] + bias_q[j]          (exact int32)
//     C[i][j]   = requantize to int8, or dequantize to f32 (kernels/qs8_requant.h, bit-exact)
//
// The packed c4 layout is SDOT's: a 64-byte group w[g][16][4] is four vectors of 4 channels x
// 4 k values, and one vdotq_laneq_s32 adds, for 4 channels at once, the dot product of their
// 4 weights with 4 A values held in one 32-bit lane of an A vector. 16 bytes of A (4 groups)
// are loaded per row and step while at least 4 groups remain, then 4 bytes per group, so
// nothing past kp = round_up(k, 4) is read.
//
// Instantiated as qs8_gemm_minmax_4x16c4_neondot (GEMM) and qs8_gemm_minmax_1x16c4_neondot
// (GEMV).
#include <arm_neon.h>

#include "kernels/arm/qs8_gemm_neon_common.h"
#include "kernels/registry.h"

namespace mint {
namespace {

template <size_t MR>
struct DotAccumulate {
  // One group of 4 k values whose A values are 32-bit lane L of va.
  template <int L>
  static inline void group(int32x4_t (&acc)[MR][4], const int8x16_t (&va)[MR], const int8_t* w) {
    const int8x16_t w0 = vld1q_s8(w);       // channels 0..3, 4 k values each
    const int8x16_t w1 = vld1q_s8(w + 16);  // channels 4..7
    const int8x16_t w2 = vld1q_s8(w + 32);
    const int8x16_t w3 = vld1q_s8(w + 48);
    for (size_t i = 0; i < MR; ++i) {
      acc[i][0] = vdotq_laneq_s32(acc[i][0], w0, va[i], L);
      acc[i][1] = vdotq_laneq_s32(acc[i][1], w1, va[i], L);
      acc[i][2] = vdotq_laneq_s32(acc[i][2], w2, va[i], L);
      acc[i][3] = vdotq_laneq_s32(acc[i][3], w3, va[i], L);
    }
  }

  static inline void run(const int8_t* const (&a_rows)[MR], const int8_t* w, size_t groups,
                         int32x4_t (&acc)[MR][4]) {
    constexpr size_t kGroupBytes = kGemmNR * kQs8KR;
    size_t g = 0;
    for (; g + 4 <= groups; g += 4, w += 4 * kGroupBytes) {
      int8x16_t va[MR];
      for (size_t i = 0; i < MR; ++i) va[i] = vld1q_s8(a_rows[i] + g * kQs8KR);
      group<0>(acc, va, w);
      group<1>(acc, va, w + kGroupBytes);
      group<2>(acc, va, w + 2 * kGroupBytes);
      group<3>(acc, va, w + 3 * kGroupBytes);
    }
    for (; g < groups; ++g, w += kGroupBytes) {
      int8x16_t va[MR];
      for (size_t i = 0; i < MR; ++i) {
        va[i] = vreinterpretq_s8_s32(qs8_load_group(a_rows[i] + g * kQs8KR));
      }
      group<0>(acc, va, w);
    }
  }
};

}  // namespace

void qs8_gemm_minmax_4x16c4_neondot(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                    const void* w, void* c, size_t c_stride_bytes,
                                    const Qs8GemmParams* params) {
  qs8_gemm_rows<4, DotAccumulate>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}
void qs8_gemm_minmax_1x16c4_neondot(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                    const void* w, void* c, size_t c_stride_bytes,
                                    const Qs8GemmParams* params) {
  qs8_gemm_rows<1, DotAccumulate>(m, n, k, a, a_stride, w, c, c_stride_bytes, params);
}

}  // namespace mint
