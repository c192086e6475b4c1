// Run-time packing of an activation matrix into the f32 GEMM weight layout (kernels/gemm.h),
// so that matmul of two activations can use the GEMM kernels.
//
//   f32_gemm_pack_scalar: packs the logical matrix W [k][n] with
//       W[kk][j] = b[kk * k_stride + j * n_stride]          (strides in elements)
//     into gemm_panel_count(n) f32 panels of f32_gemm_panel_bytes(k) bytes each, bias 0 and
//     padding channels 0. B [k, n] row-major: k_stride = n, n_stride = 1; B [n, k] (a
//     transposed right-hand side): k_stride = 1, n_stride = k.
//
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>

namespace mint {

using F32GemmPackFn = void (*)(size_t n, size_t k, const float* b, size_t k_stride, size_t n_stride,
                               void* packed);

void f32_gemm_pack_scalar(size_t n, size_t k, const float* b, size_t k_stride, size_t n_stride,
                          void* packed);

}  // namespace mint
