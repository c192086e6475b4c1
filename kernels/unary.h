// More f32 elementwise kernels (beyond kernels/elementwise.h), for image and third-party
// models. Same contracts as there: pure, single-threaded, allocation-free; x and y may be the
// same array; binary kernels read a[i * a_inc] and b[i * b_inc] with increments 0 or 1 and y
// may alias an operand whose increment is 1.
//
//   Unary (F32UnaryFn), y[i] = f(x[i]):
//     f32_clip_scalar          min(max(x, lo), hi)        lo = params->alpha, hi = params->beta
//                              (NaN stays NaN)
//     f32_hard_sigmoid_scalar  max(0, min(1, alpha x + beta))  (alpha, beta from params)
//     f32_hard_swish_scalar    x * max(0, min(1, x / 6 + 0.5))
//     f32_sqrt_scalar          sqrt(x)  (NaN for x < 0)
//     f32_exp_scalar           exp(x)
//     f32_neg_scalar           -x
//     f32_abs_scalar           |x|
//     f32_reciprocal_scalar    1 / x
//   Binary (F32BinaryFn):
//     f32_sub_scalar           a - b
//     f32_div_scalar           a / b
//     f32_pow_scalar           pow(a, b)  (b == 2: a * a)
//     f32_maximum_scalar       max(a, b), NaN if either is NaN
//     f32_minimum_scalar       min(a, b), NaN if either is NaN
#pragma once

#include <cstddef>

#include "kernels/elementwise.h"

namespace mint {

// Parameters of the two-parameter unary kernels.
struct F32Unary2Params {
  float alpha;
  float beta;
};
using F32Unary2Fn = void (*)(size_t n, const float* x, float* y, const F32Unary2Params* params);

void f32_clip_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_hard_sigmoid_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_hard_swish_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_sqrt_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_exp_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_neg_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_abs_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);
void f32_reciprocal_scalar(size_t n, const float* x, float* y, const F32Unary2Params* params);

void f32_sub_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float* y);
void f32_div_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float* y);
void f32_pow_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float* y);
void f32_maximum_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float* y);
void f32_minimum_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                        float* y);

}  // namespace mint
