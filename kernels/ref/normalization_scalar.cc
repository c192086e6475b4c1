#include <cmath>

#include "kernels/normalization.h"

namespace mint {

void f32_layer_norm_scalar(size_t rows, size_t d, const float* x, const float* gamma,
                           const float* beta, float epsilon, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    double sum = 0.0;
    for (size_t j = 0; j < d; ++j) sum += xr[j];
    const double mean = sum / static_cast<double>(d);
    double sq = 0.0;
    for (size_t j = 0; j < d; ++j) {
      const double c = xr[j] - mean;
      sq += c * c;
    }
    const double inv_std = 1.0 / std::sqrt(sq / static_cast<double>(d) + epsilon);
    const float m = static_cast<float>(mean), s = static_cast<float>(inv_std);
    for (size_t j = 0; j < d; ++j) {
      yr[j] = (xr[j] - m) * s * gamma[j] + (beta ? beta[j] : 0.0f);
    }
  }
}

void f32_rms_norm_scalar(size_t rows, size_t d, const float* x, const float* gamma, float epsilon,
                         float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    double sq = 0.0;
    for (size_t j = 0; j < d; ++j) sq += static_cast<double>(xr[j]) * xr[j];
    const float s = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(d) + epsilon));
    for (size_t j = 0; j < d; ++j) yr[j] = xr[j] * s * gamma[j];
  }
}

}  // namespace mint
