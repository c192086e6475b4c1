// Tensor descriptions of a loaded plan.
//
// The loader (runtime/plan_loader.cc) turns every plan Tensor into a TensorDesc after checking
// it: dtype and layout known, rank <= kMaxRank, dimensions >= 0, element count and byte size
// without overflow, byte_size consistent with dtype and shape (for plain layouts), data range
// inside its buffer or region and aligned, quantization parameters of the right count and
// finite positive scales. Everything downstream trusts a TensorDesc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "schema/plan_generated.h"

namespace mint {

using DType = plan::DType;

constexpr size_t kMaxRank = 8;

// A small fixed-capacity shape; no allocation.
struct Shape {
  size_t rank = 0;
  int64_t dims[kMaxRank] = {};

  int64_t operator[](size_t i) const { return dims[i]; }
  int64_t& operator[](size_t i) { return dims[i]; }
  int64_t elements() const {
    int64_t n = 1;
    for (size_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  // Product of dims[begin, end).
  int64_t product(size_t begin, size_t end) const {
    int64_t n = 1;
    for (size_t i = begin; i < end && i < rank; ++i) n *= dims[i];
    return n;
  }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (size_t i = 0; i < rank; ++i) {
      if (dims[i] != o.dims[i]) return false;
    }
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string to_string() const;  // "[2,3,4]"
};

struct QuantParams {
  plan::QuantKind kind = plan::QuantKind::none;
  int32_t axis = 0;
  int32_t group_size = 0;
  size_t count = 0;                    // number of scales
  const float* scales = nullptr;       // count entries (in the plan)
  const int32_t* zero_points = nullptr;  // count entries, or null for all zero
  float scale(size_t i = 0) const { return scales[i]; }
  int32_t zero_point(size_t i = 0) const { return zero_points ? zero_points[i] : 0; }
};

struct TensorDesc {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  plan::Storage storage = plan::Storage::arena;
  plan::Layout layout = plan::Layout::plain;
  QuantParams quant;
  size_t byte_size = 0;
  size_t offset = 0;                   // in the arena / state region (non-constants)
  const uint8_t* data = nullptr;       // constants: the bytes in the mapped plan
};

// Bytes per element of a dtype; i4 counts as 1 (callers use packed_byte_size for i4).
size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
// Bytes of `elements` values of `dtype` in a plain layout (i4: two per byte, rounded up).
size_t plain_byte_size(DType dtype, int64_t elements);
const char* storage_name(plan::Storage storage);
const char* layout_name(plan::Layout layout);

}  // namespace mint
