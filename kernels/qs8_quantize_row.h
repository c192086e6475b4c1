// The loop of the qs8 quantize kernels (kernels/elementwise.h: qs8_quantize_scalar and its ISA
// variants of kernels/qs8_quantize.inc; also the last step of kernels/col2im_row.h), written once
// as plain C++ and instantiated by the scalar reference and each ISA translation unit, which the
// compiler vectorizes with that folder's flags; IEEE semantics are kept, so every instantiation
// matches the reference exactly (tests/col2im_kernel_test.cc).
//
// y[i] = clamp(nearbyint(x[i] / scale) + zero_point, -128, 127), NaN -> -128, computed without
// a libm call: x / scale is first clamped to the integers [-129 - zp, 128 - zp] (NaN to the low
// end), which changes no result, then rounded half to even by adding and subtracting 1.5 * 2^23
// (exact for |v| <= 2^22 in the default rounding mode, like nearbyint); the float clamp keeps
// NaN or huge values from an out-of-range conversion.
//
// Internal linkage on purpose (anonymous namespace; see kernels/col2im_row.h). Include only from
// kernel sources.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mint {
namespace {

inline void qs8_quantize_impl(size_t n, const float* __restrict x, int8_t* __restrict y,
                              float scale, int32_t zero_point) {
  const float zp = static_cast<float>(zero_point);
  const float lo = -129.0f - zp, hi = 128.0f - zp;
  const float magic = 12582912.0f;  // 1.5 * 2^23
  for (size_t i = 0; i < n; ++i) {
    float v = x[i] / scale;
    v = v >= lo ? v : lo;
    v = v <= hi ? v : hi;
    v = ((v + magic) - magic) + zp;
    v = v >= -128.0f ? v : -128.0f;
    v = v <= 127.0f ? v : 127.0f;
    y[i] = static_cast<int8_t>(static_cast<int32_t>(v));
  }
}

}  // namespace
}  // namespace mint
