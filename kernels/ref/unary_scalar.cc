#include <cmath>

#include "kernels/unary.h"

namespace mint {

void f32_clip_scalar(size_t n, const float* x, float* y, const F32Unary2Params* p) {
  const float lo = p->alpha, hi = p->beta;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

void f32_hard_sigmoid_scalar(size_t n, const float* x, float* y, const F32Unary2Params* p) {
  const float alpha = p->alpha, beta = p->beta;
  for (size_t i = 0; i < n; ++i) {
    const float v = alpha * x[i] + beta;
    y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
}

void f32_hard_swish_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  constexpr float kSixth = 1.0f / 6.0f;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float g = v * kSixth + 0.5f;
    y[i] = v * (g < 0.0f ? 0.0f : (g > 1.0f ? 1.0f : g));
  }
}

void f32_sqrt_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  for (size_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
}

void f32_exp_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  for (size_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

void f32_neg_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  for (size_t i = 0; i < n; ++i) y[i] = -x[i];
}

void f32_abs_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  for (size_t i = 0; i < n; ++i) y[i] = std::fabs(x[i]);
}

void f32_reciprocal_scalar(size_t n, const float* x, float* y, const F32Unary2Params*) {
  for (size_t i = 0; i < n; ++i) y[i] = 1.0f / x[i];
}

void f32_sub_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                    float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i * a_inc] - b[i * b_inc];
}

void f32_div_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                    float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = a[i * a_inc] / b[i * b_inc];
}

void f32_pow_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                    float* y) {
  for (size_t i = 0; i < n; ++i) {
    const float av = a[i * a_inc], bv = b[i * b_inc];
    y[i] = bv == 2.0f ? av * av : std::pow(av, bv);
  }
}

void f32_maximum_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float* y) {
  for (size_t i = 0; i < n; ++i) {
    const float av = a[i * a_inc], bv = b[i * b_inc];
    y[i] = (std::isnan(av) || std::isnan(bv)) ? NAN : (av > bv ? av : bv);
  }
}

void f32_minimum_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float* y) {
  for (size_t i = 0; i < n; ++i) {
    const float av = a[i * a_inc], bv = b[i * b_inc];
    y[i] = (std::isnan(av) || std::isnan(bv)) ? NAN : (av < bv ? av : bv);
  }
}

}  // namespace mint
