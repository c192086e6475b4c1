// Bounds-checked protobuf wire-format reader (runtime/util/protobuf_reader.h).
#include "runtime/util/protobuf_reader.h"

#include <cstring>
#include <utility>

namespace mint::util {

size_t decode_varint(const uint8_t* p, const uint8_t* end, uint64_t* value) {
  uint64_t v = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (p + i >= end) return 0;
    const uint8_t b = p[i];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *value = v;
      return i + 1;
    }
  }
  return 0;
}

ProtoReader::ProtoReader(const uint8_t* data, size_t size, std::string path, size_t base_offset,
                         int depth)
    : data_(data), size_(data ? size : 0), path_(std::move(path)), base_offset_(base_offset),
      depth_(depth) {}

Status ProtoReader::error_at(size_t absolute_offset, const std::string& message) const {
  return Status::invalid_argument(path_ + ": at byte " + std::to_string(absolute_offset) + ": " +
                                  message);
}

Status ProtoReader::error(const Field& field, const std::string& message) const {
  return Status::invalid_argument(path_ + ": field " + std::to_string(field.number) +
                                  " at byte " + std::to_string(field.offset) + ": " + message);
}

Status ProtoReader::read_varint(uint64_t* value, const char* what) {
  const size_t n = decode_varint(data_ + pos_, data_ + size_, value);
  if (n == 0) {
    const bool truncated = size_ - pos_ < 10;
    return error_at(base_offset_ + pos_, std::string(what) +
                                             (truncated ? " is truncated"
                                                        : " is longer than 10 bytes"));
  }
  pos_ += n;
  return Status::ok();
}

Status ProtoReader::next(Field* field) {
  *field = Field{};
  field->offset = base_offset_ + pos_;
  uint64_t tag = 0;
  MINT_RETURN_IF_ERROR(read_varint(&tag, "field tag"));
  const uint64_t number = tag >> 3;
  const uint32_t wire = static_cast<uint32_t>(tag & 7);
  if (number == 0 || number > 0x1fffffff) {
    return error_at(field->offset, "invalid field number " + std::to_string(number));
  }
  field->number = static_cast<uint32_t>(number);
  switch (wire) {
    case 0:
      field->wire = WireType::kVarint;
      return read_varint(&field->scalar, ("varint of field " + std::to_string(number)).c_str());
    case 1:
      field->wire = WireType::kFixed64;
      if (size_ - pos_ < 8) return error(*field, "64-bit value is truncated");
      std::memcpy(&field->scalar, data_ + pos_, 8);  // little-endian hosts only (x86, arm64)
      pos_ += 8;
      return Status::ok();
    case 5: {
      field->wire = WireType::kFixed32;
      if (size_ - pos_ < 4) return error(*field, "32-bit value is truncated");
      uint32_t v = 0;
      std::memcpy(&v, data_ + pos_, 4);
      field->scalar = v;
      pos_ += 4;
      return Status::ok();
    }
    case 2: {
      field->wire = WireType::kLengthDelimited;
      uint64_t len = 0;
      MINT_RETURN_IF_ERROR(read_varint(&len, ("length of field " + std::to_string(number)).c_str()));
      const size_t left = size_ - pos_;
      if (len > left) {
        return error(*field, "length " + std::to_string(len) + " runs past the end (" +
                                 std::to_string(left) + " bytes left)");
      }
      field->data = data_ + pos_;
      field->size = static_cast<size_t>(len);
      field->payload_offset = base_offset_ + pos_;
      pos_ += field->size;
      return Status::ok();
    }
    case 3:
    case 4:
      return error(*field, "groups (wire type " + std::to_string(wire) + ") are not supported");
    default:
      return error(*field, "unknown wire type " + std::to_string(wire));
  }
}

Result<ProtoReader> ProtoReader::sub(const Field& field, const std::string& name) const {
  if (field.wire != WireType::kLengthDelimited) {
    return error(field, name + " must be a length-delimited message");
  }
  if (depth_ + 1 > kMaxDepth) {
    return error(field, "messages nested deeper than " + std::to_string(kMaxDepth));
  }
  return ProtoReader(field.data, field.size, path_ + "." + name, field.payload_offset, depth_ + 1);
}

Result<int64_t> ProtoReader::as_int64(const Field& field) const {
  if (field.wire != WireType::kVarint) return error(field, "want a varint");
  return static_cast<int64_t>(field.scalar);
}

Result<float> ProtoReader::as_float(const Field& field) const {
  if (field.wire != WireType::kFixed32) return error(field, "want a 32-bit float");
  const uint32_t bits = static_cast<uint32_t>(field.scalar);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

Result<double> ProtoReader::as_double(const Field& field) const {
  if (field.wire != WireType::kFixed64) return error(field, "want a 64-bit double");
  double d;
  std::memcpy(&d, &field.scalar, 8);
  return d;
}

Result<std::string> ProtoReader::as_string(const Field& field) const {
  if (field.wire != WireType::kLengthDelimited) return error(field, "want a string");
  return std::string(reinterpret_cast<const char*>(field.data), field.size);
}

Status ProtoReader::append_int64s(const Field& field, std::vector<int64_t>* out) const {
  if (field.wire == WireType::kVarint) {
    out->push_back(static_cast<int64_t>(field.scalar));
    return Status::ok();
  }
  if (field.wire != WireType::kLengthDelimited) return error(field, "want varints");
  const uint8_t* p = field.data;
  const uint8_t* end = field.data + field.size;
  while (p < end) {
    uint64_t v = 0;
    const size_t n = decode_varint(p, end, &v);
    if (n == 0) {
      return error(field, "packed varint at byte " +
                              std::to_string(field.payload_offset + (p - field.data)) +
                              " is truncated or longer than 10 bytes");
    }
    out->push_back(static_cast<int64_t>(v));
    p += n;
  }
  return Status::ok();
}

Status ProtoReader::append_floats(const Field& field, std::vector<float>* out) const {
  if (field.wire == WireType::kFixed32) {
    MINT_ASSIGN_OR_RETURN(float f, as_float(field));
    out->push_back(f);
    return Status::ok();
  }
  if (field.wire != WireType::kLengthDelimited) return error(field, "want 32-bit floats");
  if (field.size % 4 != 0) {
    return error(field, "packed floats of " + std::to_string(field.size) +
                            " bytes, not a multiple of 4");
  }
  const size_t n = field.size / 4;
  const size_t old = out->size();
  out->resize(old + n);
  if (n) std::memcpy(out->data() + old, field.data, n * 4);
  return Status::ok();
}

Status ProtoReader::append_doubles(const Field& field, std::vector<double>* out) const {
  if (field.wire == WireType::kFixed64) {
    MINT_ASSIGN_OR_RETURN(double d, as_double(field));
    out->push_back(d);
    return Status::ok();
  }
  if (field.wire != WireType::kLengthDelimited) return error(field, "want 64-bit doubles");
  if (field.size % 8 != 0) {
    return error(field, "packed doubles of " + std::to_string(field.size) +
                            " bytes, not a multiple of 8");
  }
  const size_t n = field.size / 8;
  const size_t old = out->size();
  out->resize(old + n);
  if (n) std::memcpy(out->data() + old, field.data, n * 8);
  return Status::ok();
}

}  // namespace mint::util
