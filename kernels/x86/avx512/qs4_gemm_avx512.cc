// qs4 GEMM/GEMV kernels, AVX-512BW (contract: kernels/qs4_gemm.h; body:
// qs4_gemm_avx512_common.h). The 4-byte dot product is vpmaddubsw (u8 weights x s8
// activations, pairs to int16: at most 2 * 15 * 127, no saturation) then vpmaddwd by ones.
//
//   qs4_gemm_minmax_4x16c8_avx512, qs4_gemm_minmax_1x16c8_avx512
#include "kernels/registry.h"
#include "kernels/x86/avx512/qs4_gemm_avx512_common.h"

namespace mint {
namespace {

struct DotBw {
  static MINT_INLINE __m512i dot4(__m512i acc, __m512i u8, __m512i s8) {
    const __m512i pairs = _mm512_maddubs_epi16(u8, s8);
    return _mm512_add_epi32(acc, _mm512_madd_epi16(pairs, _mm512_set1_epi16(1)));
  }
};

}  // namespace

void qs4_gemm_minmax_4x16c8_avx512(size_t m, size_t n, size_t k, const int8_t* a,
                                   size_t a_stride, const void* w, float* c, size_t c_stride,
                                   const Qs4GemmParams* params) {
  qs4_gemm_512<DotBw>(m, n, k, a, a_stride, w, c, c_stride, params);
}
void qs4_gemm_minmax_1x16c8_avx512(size_t m, size_t n, size_t k, const int8_t* a,
                                   size_t a_stride, const void* w, float* c, size_t c_stride,
                                   const Qs4GemmParams* params) {
  qs4_gemm_512<DotBw>(m, n, k, a, a_stride, w, c, c_stride, params);
}

}  // namespace mint
