// qs4 GEMM/GEMV kernels, AVX-512 VNNI (contract: kernels/qs4_gemm.h; body:
// kernels/x86/avx512/qs4_gemm_avx512_common.h). The 4-byte dot product is one vpdpbusd
// (u8 weights x s8 activations, summed into the int32 lane).
//
//   qs4_gemm_minmax_4x16c8_avx512vnni, qs4_gemm_minmax_1x16c8_avx512vnni
#include "kernels/registry.h"
#include "kernels/x86/avx512/qs4_gemm_avx512_common.h"

namespace mint {
namespace {

struct DotVnni {
  // Inline asm rather than _mm512_dpbusd_epi32: see qs8_gemm_avx512vnni.cc (GCC 12 copies the
  // accumulators around the intrinsic).
  static MINT_INLINE __m512i dot4(__m512i acc, __m512i u8, __m512i s8) {
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u8), "vm"(s8));
    return acc;
  }
};

}  // namespace

void qs4_gemm_minmax_4x16c8_avx512vnni(size_t m, size_t n, size_t k, const int8_t* a,
                                       size_t a_stride, const void* w, float* c, size_t c_stride,
                                       const Qs4GemmParams* params) {
  qs4_gemm_512<DotVnni>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void qs4_gemm_minmax_1x16c8_avx512vnni(size_t m, size_t n, size_t k, const int8_t* a,
                                       size_t a_stride, const void* w, float* c, size_t c_stride,
                                       const Qs4GemmParams* params) {
  qs4_gemm_512<DotVnni>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
