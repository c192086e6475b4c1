#include <algorithm>
#include <cmath>

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
    const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    const float zp = std::min(127.0f, std::max(-128.0f, std::nearbyint(-128.0f - lo / scale)));
    const int32_t zero_point = static_cast<int32_t>(zp);
    const float inv_scale = 1.0f / scale;
    int8_t* out = q + i * q_stride;
    for (size_t j = 0; j < k; ++j) {
      // Clamped in float so that NaN or huge values never reach an out-of-range conversion.
      const float v = std::nearbyint(row[j] * inv_scale) + zp;
      out[j] = static_cast<int8_t>(std::min(127.0f, std::max(-128.0f, v)));
    }
    for (size_t j = k; j < q_stride; ++j) out[j] = 0;
    quant[i] = {zero_point, scale};
  }
}

QuantizeRowsFn select_quantize_rows(IsaMask) { return qs8_quantize_rows_scalar; }

}  // namespace mint
