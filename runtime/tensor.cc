#include "runtime/tensor.h"

namespace mint {

std::string Shape::to_string() const {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f16: return 2;
    case DType::bf16: return 2;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::i4: return 1;
    case DType::i32: return 4;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  const auto v = static_cast<int>(dtype);
  if (v < 0 || v > static_cast<int>(DType::MAX)) return "unknown";
  return plan::EnumNameDType(dtype);
}

size_t plain_byte_size(DType dtype, int64_t elements) {
  if (dtype == DType::i4) return static_cast<size_t>((elements + 1) / 2);
  return static_cast<size_t>(elements) * dtype_size(dtype);
}

const char* storage_name(plan::Storage storage) {
  const auto v = static_cast<int>(storage);
  if (v < 0 || v > static_cast<int>(plan::Storage::MAX)) return "unknown";
  return plan::EnumNameStorage(storage);
}

const char* layout_name(plan::Layout layout) {
  const auto v = static_cast<int>(layout);
  if (v < 0 || v > static_cast<int>(plan::Layout::MAX)) return "unknown";
  return plan::EnumNameLayout(layout);
}

}  // namespace mint
