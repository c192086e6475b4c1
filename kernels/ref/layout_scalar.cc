#include <cstring>

#include "kernels/layout.h"

#include "kernels/fp16.h"
#include "kernels/gemm.h"

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

size_t f16_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const uint16_t* table, float* y) {
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    const uint16_t* row = table + static_cast<size_t>(id) * d;
    for (size_t j = 0; j < d; ++j) y[p * d + j] = f16_to_f32(row[j]);
  }
  return n;
}

size_t qs8_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                              const int8_t* table, const float* scales, float* y) {
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    const int8_t* row = table + static_cast<size_t>(id) * d;
    const float s = scales[id];
    for (size_t j = 0; j < d; ++j) y[p * d + j] = static_cast<float>(row[j]) * s;
  }
  return n;
}

size_t f32_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y) {
  const uint8_t* base = static_cast<const uint8_t*>(panels);
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    const size_t r = static_cast<size_t>(id), j = r % kGemmNR;
    const uint8_t* w = base + (r / kGemmNR) * f32_gemm_panel_bytes(d) + sizeof(float) * kGemmNR;
    for (size_t kk = 0; kk < d; ++kk) {
      std::memcpy(y + p * d + kk, w + sizeof(float) * (kk * kGemmNR + j), sizeof(float));
    }
  }
  return n;
}

size_t f16_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y) {
  const uint8_t* base = static_cast<const uint8_t*>(panels);
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    const size_t r = static_cast<size_t>(id), j = r % kGemmNR;
    const uint8_t* w = base + (r / kGemmNR) * f16w_gemm_panel_bytes(d) + sizeof(float) * kGemmNR;
    for (size_t kk = 0; kk < d; ++kk) {
      uint16_t h;
      std::memcpy(&h, w + sizeof(uint16_t) * (kk * kGemmNR + j), sizeof(h));
      y[p * d + kk] = f16_to_f32(h);
    }
  }
  return n;
}

size_t qs8_panel_gather_rows_scalar(size_t n, const int32_t* ids, size_t vocab, size_t d,
                                    const void* panels, float* y) {
  const uint8_t* base = static_cast<const uint8_t*>(panels);
  for (size_t p = 0; p < n; ++p) {
    const int32_t id = ids[p];
    if (id < 0 || static_cast<size_t>(id) >= vocab) return p;
    const size_t r = static_cast<size_t>(id), j = r % kGemmNR;
    const uint8_t* panel = base + (r / kGemmNR) * qs8_gemm_panel_bytes(d);
    float scale;  // w_scale[16], the fourth 64-byte header array
    std::memcpy(&scale, panel + 3 * sizeof(float) * kGemmNR + sizeof(float) * j, sizeof(scale));
    const int8_t* w = reinterpret_cast<const int8_t*>(panel + qs8_gemm_panel_header_bytes());
    for (size_t kk = 0; kk < d; ++kk) {
      const int8_t q = w[(kk / kQs8KR) * kGemmNR * kQs8KR + j * kQs8KR + kk % kQs8KR];
      y[p * d + kk] = static_cast<float>(q) * scale;
    }
  }
  return n;
}

}  // namespace mint
