// qs4 GEMM/GEMV kernels, ARMv8.0 Advanced SIMD (contract: kernels/qs4_gemm.h; body:
// kernels/arm/qs4_gemm_neon_common.h). The 4-byte dot product of 4 channels: SMULL/SMULL2
// (16 products to int16, at most 15 * 127), ADDP (pairs, at most 2 * 15 * 127) and SADALP
// (pairs again, accumulated into the int32 lanes).
//
//   qs4_gemm_minmax_2x16c8_neon, qs4_gemm_minmax_1x16c8_neon
#include "kernels/arm/qs4_gemm_neon_common.h"
#include "kernels/registry.h"

namespace mint {
namespace {

struct DotNeon {
  static inline int32x4_t dot4(int32x4_t acc, int8x16_t w, int8x16_t a) {
    const int16x8_t lo = vmull_s8(vget_low_s8(w), vget_low_s8(a));
    const int16x8_t hi = vmull_high_s8(w, a);
    return vpadalq_s16(acc, vpaddq_s16(lo, hi));
  }
};

}  // namespace

void qs4_gemm_minmax_2x16c8_neon(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const Qs4GemmParams* params) {
  qs4_gemm_neon<DotNeon>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void qs4_gemm_minmax_1x16c8_neon(size_t m, size_t n, size_t k, const int8_t* a, size_t a_stride,
                                 const void* w, float* c, size_t c_stride,
                                 const Qs4GemmParams* params) {
  qs4_gemm_neon<DotNeon>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
