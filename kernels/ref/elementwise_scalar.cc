#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/qs8_quantize_row.h"

namespace mint {

void f32_relu_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void f32_leaky_relu_scalar(size_t n, const float* x, float* y, const F32UnaryParams* params) {
  const float alpha = params->alpha;
  for (size_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? alpha * x[i] : x[i];
}

void f32_tanh_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void f32_sigmoid_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  for (size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void f32_gelu_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
  for (size_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kInvSqrt2));
}

void f32_gelu_tanh_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  constexpr float kSqrt2OverPi = 0.79788456080286536f;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
  }
}

void f32_silu_scalar(size_t n, const float* x, float* y, const F32UnaryParams*) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
}

void f32_add_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                    float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i * a_inc] + b[i * b_inc];
}

void f32_mul_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                    float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i * a_inc] * b[i * b_inc];
}

void f32_softmax_scalar(size_t n, size_t stride, const float* x, float* y) {
  if (n == 0) return;
  float m = x[0];
  for (size_t i = 1; i < n; ++i) m = std::fmax(m, x[i * stride]);
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i * stride] - m);
    y[i * stride] = e;
    sum += e;
  }
  const float inv = 1.0f / sum;
  for (size_t i = 0; i < n; ++i) y[i * stride] *= inv;
}

void qs8_quantize_scalar(size_t n, const float* x, int8_t* y, float scale, int32_t zero_point) {
  qs8_quantize_impl(n, x, y, scale, zero_point);
}

void qs8_dequantize_scalar(size_t n, const int8_t* x, float* y, float scale, int32_t zero_point) {
  for (size_t i = 0; i < n; ++i) {
    y[i] = scale * static_cast<float>(static_cast<int32_t>(x[i]) - zero_point);
  }
}

}  // namespace mint
