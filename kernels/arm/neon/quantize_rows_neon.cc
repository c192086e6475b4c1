// Dynamic row quantization (kernels/quantize.h) compiled with the neon flags of this folder:
// kernels/qs8_quantize_rows_vec.h over 4-float NEON vectors; bit-identical to the scalar reference.

#include "kernels/arm/neon/f32_vec_neon.h"
#include "kernels/qs8_quantize_rows_vec.h"
#include "kernels/quantize.h"

namespace mint {

void qs8_quantize_rows_neon(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q,
                            size_t q_stride, Qs8RowQuant* quant) {
  qs8_quantize_rows_vec<NeonVec>(m, k, x, x_stride, q, q_stride, quant);
}

}  // namespace mint
