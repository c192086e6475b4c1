// Elementwise kernels: f32 unary activations, f32 binary arithmetic with a broadcast
// increment, softmax along a strided line, and per-tensor int8 quantize / dequantize.
//
// What each function computes, for 0 <= i < n:
//
//   Unary (F32UnaryFn), y[i] = f(x[i]):
//     f32_relu_scalar        max(x, 0)                       (NaN stays NaN)
//     f32_leaky_relu_scalar  x < 0 ? alpha * x : x           (alpha = params->alpha)
//     f32_tanh_scalar        tanh(x)
//     f32_sigmoid_scalar     1 / (1 + exp(-x))
//     f32_gelu_scalar        0.5 x (1 + erf(x / sqrt(2)))
//     f32_gelu_tanh_scalar   0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//     f32_silu_scalar        x / (1 + exp(-x))
//   x and y may be the same array; otherwise they must not overlap.
//   tanh, sigmoid, gelu, gelu_tanh and silu have ISA variants f32_<fn>_<isa> (list
//   kernels/activation.inc, functions kernels/f32_vec_math.h; select_f32_activation picks one
//   level for all five). They are not bit-identical to the reference (whose libm tanh, exp and
//   erf they replace with polynomials); for every finite x they satisfy
//     |y - ref| <= 2^-23 (6 |ref| + 2 |x| [gelu and gelu_tanh, x < 0 only]) + 1e-35
//   (the |x| term: the reference's 0.5 x (1 + ...) cancels for x << 0, the variants do not; the
//   1e-35: results below exp's normal range may be flushed to zero). NaN in gives NaN out and
//   infinities match the reference. Measured worst case (tests/activation_kernel_test.cc prints
//   it): 0.61 of the bound (gelu), 0.35 or less for the others, the same on AVX2, AVX-512, NEON.
//
//   Binary (F32BinaryFn), y[i] = a[i * a_inc] (op) b[i * b_inc], a_inc and b_inc each 0 (a
//   broadcast scalar) or 1:
//     f32_add_scalar         a + b
//     f32_mul_scalar         a * b
//   y may alias a or b when that operand's increment is 1.
//
//   Softmax (F32SoftmaxFn), over the n values v_i = x[i * stride]:
//     m = max_i v_i;  e_i = exp(v_i - m);  y[i * stride] = e_i / sum_j e_j
//   (subtracting the maximum keeps exp in range; any finite input gives a finite output).
//   x and y may be the same array.
//
//   Quantization (per tensor; real = scale * (q - zero_point)):
//     qs8_quantize_scalar    y[i] = clamp(nearbyint(x[i] / scale) + zero_point, -128, 127),
//                            rounding half to even (the default FP environment); NaN -> -128.
//     qs8_dequantize_scalar  y[i] = scale * (float)(x[i] - zero_point)
//   qs8_quantize has ISA variants (list kernels/qs8_quantize.inc, loop
//   kernels/qs8_quantize_row.h) equal to the scalar one exactly; select_qs8_quantize picks one.
//
// All kernels are pure, single-threaded and allocation-free; operators (runtime/ops/) split
// large tensors into tiles and thread them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/registry.h"  // MINT_ARCH_*, Isa, IsaMask

namespace mint {

struct F32UnaryParams {
  float alpha;  // leaky_relu's slope for x < 0; ignored by the others
};

using F32UnaryFn = void (*)(size_t n, const float* x, float* y, const F32UnaryParams* params);
using F32BinaryFn = void (*)(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc,
                             float* y);
using F32SoftmaxFn = void (*)(size_t n, size_t stride, const float* x, float* y);
using Qs8QuantizeFn = void (*)(size_t n, const float* x, int8_t* y, float scale,
                               int32_t zero_point);
using Qs8DequantizeFn = void (*)(size_t n, const int8_t* x, float* y, float scale,
                                 int32_t zero_point);

void f32_relu_scalar(size_t n, const float* x, float* y, const F32UnaryParams* params);
void f32_leaky_relu_scalar(size_t n, const float* x, float* y, const F32UnaryParams* params);
// f32_{tanh,sigmoid,gelu,gelu_tanh,silu}_scalar: declared with their ISA variants below.

void f32_add_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float* y);
void f32_mul_scalar(size_t n, const float* a, size_t a_inc, const float* b, size_t b_inc, float* y);

void f32_softmax_scalar(size_t n, size_t stride, const float* x, float* y);

void qs8_quantize_scalar(size_t n, const float* x, int8_t* y, float scale, int32_t zero_point);
void qs8_dequantize_scalar(size_t n, const int8_t* x, float* y, float scale, int32_t zero_point);

#define MINT_KERNEL(isa, suffix)                                                                 \
  void f32_tanh_##suffix(size_t n, const float* x, float* y, const F32UnaryParams* params);      \
  void f32_sigmoid_##suffix(size_t n, const float* x, float* y, const F32UnaryParams* params);   \
  void f32_gelu_##suffix(size_t n, const float* x, float* y, const F32UnaryParams* params);      \
  void f32_gelu_tanh_##suffix(size_t n, const float* x, float* y, const F32UnaryParams* params); \
  void f32_silu_##suffix(size_t n, const float* x, float* y, const F32UnaryParams* params);
#include "kernels/activation.inc"
#undef MINT_KERNEL

// One ISA level of the activation family: its five functions.
struct F32ActivationKernel {
  const char* name;  // the suffix: "scalar", "avx2", ...
  Isa isa;
  F32UnaryFn tanh;
  F32UnaryFn sigmoid;
  F32UnaryFn gelu;
  F32UnaryFn gelu_tanh;
  F32UnaryFn silu;
};
// Every entry of kernels/activation.inc (the scalar reference first).
const F32ActivationKernel* f32_activation_kernels(size_t* count);
// The entry of the best ISA in `mask` (the scalar reference if none); never null.
const F32ActivationKernel* select_f32_activation(IsaMask mask);

#define MINT_KERNEL(isa, name) \
  void name(size_t n, const float* x, int8_t* y, float scale, int32_t zero_point);
#include "kernels/qs8_quantize.inc"
#undef MINT_KERNEL

struct Qs8QuantizeKernel {
  const char* name;
  Isa isa;
  Qs8QuantizeFn fn;
};
// Every entry of kernels/qs8_quantize.inc (the scalar reference first).
const Qs8QuantizeKernel* qs8_quantize_kernels(size_t* count);
// The entry of the best ISA in `mask` (the scalar reference if none); never null.
const Qs8QuantizeKernel* select_qs8_quantize(IsaMask mask);

}  // namespace mint
