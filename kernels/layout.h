// Data-movement kernels: transpose, strided row copies (concat) and row gathers (embedding).
//
//   Transpose (TransposeFn; x8 / x16 / x32 for 1-, 2- and 4-byte elements):
//     y is written contiguously in the order of out_dims[0..rank) (rank >= 1):
//       y[i_0, ..., i_{rank-1}] = x[ sum_d i_d * x_strides[d] ]
//     x_strides are in elements: x_strides[d] is the stride in x of the input dimension that
//     becomes output dimension d. x and y must not overlap.
//
//   copy_rows_scalar:
//     for r < rows: bytes [0, row_bytes) of y + r * y_stride  <-  x + r * x_stride
//     (strides in bytes; rows must not overlap).
//
//   f32_gather_rows_scalar (embedding lookup):
//     for p < n in order: if ids[p] is outside [0, vocab), stop and return p; else
//       y[p * d + j] = table[ids[p] * d + j] for j < d.
//     Returns n when every id is valid. Rows before a bad id have been written.
//
//   f16_gather_rows_scalar, qs8_gather_rows_scalar (f16 / int8 embedding tables):
//     the same, dequantizing on the way: y[p * d + j] = f16_to_f32(table[id * d + j]), or
//     y[p * d + j] = (float)table[id * d + j] * scales[id] (one scale per row, symmetric).
//
//   {f32,f16,qs8}_panel_gather_rows_scalar (a table that is packed GEMM weights [vocab, d], a
//   tied output head; layouts of kernels/gemm.h): row id is channel id % 16 of panel id / 16;
//   the same results as the plain gathers of the unpacked table (qs8: w * w_scale of the
//   panel header).
//
// Pure, single-threaded, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mint {

using TransposeFn = void (*)(size_t rank, const size_t* out_dims, const size_t* x_strides,
                             const void* x, void* y);

void x8_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                         const void* x, void* y);
void x16_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                          const void* x, void* y);
void x32_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                          const void* x, void* y);

void copy_rows_scalar(size_t rows, size_t row_bytes, const void* x, size_t x_stride, void* y,
                      size_t y_stride);

using F32GatherRowsFn = size_t (*)(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                   const float* table, float* y);

size_t f32_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const float* table, float* y);

size_t f16_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const uint16_t* table, float* y);

size_t qs8_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const int8_t* table, const float* scales, float* y);

size_t f32_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y);
size_t f16_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y);
size_t qs8_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y);

}  // namespace mint
