// qs4 GEMM/GEMV kernels, ARMv8.2 dotprod (contract: kernels/qs4_gemm.h; body:
// kernels/arm/qs4_gemm_neon_common.h). The 4-byte dot product of 4 channels is one SDOT.
//
//   qs4_gemm_minmax_2x16c8_neondot, qs4_gemm_minmax_1x16c8_neondot
#include "kernels/arm/qs4_gemm_neon_common.h"
#include "kernels/registry.h"

namespace mint {
namespace {

struct DotSdot {
  static inline int32x4_t dot4(int32x4_t acc, int8x16_t w, int8x16_t a) {
    return vdotq_s32(acc, w, a);
  }
};

}  // namespace

void qs4_gemm_minmax_2x16c8_neondot(size_t m, size_t n, size_t k, const int8_t* a,
                                    size_t a_stride, const void* w, float* c, size_t c_stride,
                                    const Qs4GemmParams* params) {
  qs4_gemm_neon<DotSdot>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void qs4_gemm_minmax_1x16c8_neondot(size_t m, size_t n, size_t k, const int8_t* a,
                                    size_t a_stride, const void* w, float* c, size_t c_stride,
                                    const Qs4GemmParams* params) {
  qs4_gemm_neon<DotSdot>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
