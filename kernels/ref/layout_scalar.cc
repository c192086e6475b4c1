#include <cstring>

#include "kernels/layout.h"

namespace mint {
namespace {

template <typename T>
void transpose(size_t rank, const size_t* out_dims, const size_t* x_strides, const void* x_,
               void* y_) {
  const T* x = static_cast<const T*>(x_);
  T* y = static_cast<T*>(y_);
  for (size_t d = 0; d < rank; ++d) {
    if (out_dims[d] == 0) return;
  }
  // Odometer over the outer rank-1 dimensions; the innermost one is a strided loop.
  size_t index[8] = {};
  const size_t inner = out_dims[rank - 1], inner_stride = x_strides[rank - 1];
  size_t offset = 0;
  for (;;) {
    const T* src = x + offset;
    for (size_t i = 0; i < inner; ++i) y[i] = src[i * inner_stride];
    y += inner;
    size_t d = rank - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      offset += x_strides[d];
      if (++index[d] < out_dims[d]) break;
      offset -= index[d] * x_strides[d];
      index[d] = 0;
    }
  }
}

}  // namespace

void x8_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                         const void* x, void* y) {
  transpose<uint8_t>(rank, out_dims, x_strides, x, y);
}
void x16_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                          const void* x, void* y) {
  transpose<uint16_t>(rank, out_dims, x_strides, x, y);
}
void x32_transpose_scalar(size_t rank, const size_t* out_dims, const size_t* x_strides,
                          const void* x, void* y) {
  transpose<uint32_t>(rank, out_dims, x_strides, x, y);
}

void copy_rows_scalar(size_t rows, size_t row_bytes, const void* x, size_t x_stride, void* y,
                      size_t y_stride) {
  const auto* src = static_cast<const uint8_t*>(x);
  auto* dst = static_cast<uint8_t*>(y);
  for (size_t r = 0; r < rows; ++r) std::memcpy(dst + r * y_stride, src + r * x_stride, row_bytes);
}

size_t f32_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const float* table, float* y) {
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    std::memcpy(y + p * d, table + static_cast<size_t>(id) * d, d * sizeof(float));
  }
  return n;
}

}  // namespace mint
