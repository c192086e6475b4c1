#include <algorithm>
#include <cmath>

#include "kernels/qs8_quantize_rows_vec.h"
#include "kernels/quantize.h"

namespace mint {

void qs8_quantize_rows_scalar(size_t m, size_t k, const float* x, size_t x_stride, int8_t* q,
                              size_t q_stride, Qs8RowQuant* quant) {
  for (size_t i = 0; i < m; ++i) {
    const float* row = x + i * x_stride;
    float lo = 0.0f, hi = 0.0f;
    for (size_t j = 0; j < k; ++j) {
      lo = std::min(lo, row[j]);
      hi = std::max(hi, row[j]);
    }
    const Qs8RowParams p = qs8_row_params(lo, hi);
    int8_t* out = q + i * q_stride;
    for (size_t j = 0; j < k; ++j) out[j] = qs8_row_value(row[j], p);
    for (size_t j = k; j < q_stride; ++j) out[j] = 0;
    quant[i] = p.quant;
  }
}

}  // namespace mint
