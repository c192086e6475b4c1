// Dynamic row quantization (kernels/quantize.h) compiled with the avx512 flags of this folder:
// kernels/qs8_quantize_rows_vec.h over 16-float AVX-512 vectors; bit-identical to the scalar
// reference.

#include "kernels/qs8_quantize_rows_vec.h"
#include "kernels/quantize.h"
#include "kernels/x86/avx512/f32_vec_avx512.h"

namespace mint {

void qs8_quantize_rows_avx512(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q,
                              size_t q_stride, Qs8RowQuant* quant) {
  qs8_quantize_rows_vec<Avx512Vec>(m, k, x, x_stride, q, q_stride, quant);
}

}  // namespace mint
