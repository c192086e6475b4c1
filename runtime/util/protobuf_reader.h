// A minimal, bounds-checked reader of the protobuf wire format (no libprotobuf), shared by the
// ONNX frontend (compiler/onnx/) and the runtime (the SentencePiece model, tokenizer/).
//
// The wire format is a sequence of fields, each a varint tag (field number << 3 | wire type)
// followed by its payload:
//   wire type 0  varint          (int32, int64, uint64, bool, enum)
//   wire type 1  64-bit fixed    (fixed64, double)
//   wire type 2  length-delimited (string, bytes, sub-message, packed repeated scalars)
//   wire type 5  32-bit fixed    (fixed32, float)
// Groups (wire types 3 and 4) are deprecated and rejected.
//
// Contract: every read is checked against the end of the buffer. Truncated input, a varint
// longer than 10 bytes, a length running past the end, field number 0, an unknown wire type or
// nesting deeper than kMaxDepth produce a Status (invalid_argument) whose message names the
// field path and the absolute byte offset, e.g.
//   "ModelProto.graph.node[3]: field 5 at byte 1234: length 99999 runs past the end (12 bytes left)"
// Nothing here reads outside [data, data + size), allocates more than the input can justify,
// aborts or throws on any input.
//
// The reader does not own the bytes; they must outlive every ProtoReader and Field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::util {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

// One decoded field. Scalars (varint, fixed64, fixed32) are in `scalar` (fixed32 in the low 32
// bits); length-delimited fields point at their payload in the reader's buffer.
struct Field {
  uint32_t number = 0;
  WireType wire = WireType::kVarint;
  uint64_t scalar = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;          // absolute byte offset of the tag
  size_t payload_offset = 0;  // absolute byte offset of the payload (length-delimited)
};

class ProtoReader {
 public:
  static constexpr int kMaxDepth = 32;

  // Reads [data, data + size). `path` names the message for errors ("ModelProto");
  // `base_offset` is the absolute offset of data[0] in the outermost buffer.
  ProtoReader(const uint8_t* data, size_t size, std::string path, size_t base_offset = 0,
              int depth = 0);
  ProtoReader() : ProtoReader(nullptr, 0, "") {}  // empty (Result<ProtoReader> needs one)

  bool done() const { return pos_ >= size_; }
  // Reads the next field into *field. Call only while !done().
  Status next(Field* field);

  // A reader over a length-delimited field's payload, named `path() + "." + name`. Errors if
  // the field is not length-delimited or nesting would exceed kMaxDepth.
  Result<ProtoReader> sub(const Field& field, const std::string& name) const;

  // Typed views of a field; each checks the wire type.
  Result<int64_t> as_int64(const Field& field) const;   // varint, two's complement
  Result<float> as_float(const Field& field) const;     // fixed32
  Result<double> as_double(const Field& field) const;   // fixed64
  Result<std::string> as_string(const Field& field) const;  // length-delimited bytes

  // Repeated scalars, packed (one length-delimited field) or not (one field per element).
  Status append_int64s(const Field& field, std::vector<int64_t>* out) const;
  Status append_floats(const Field& field, std::vector<float>* out) const;
  Status append_doubles(const Field& field, std::vector<double>* out) const;

  // "path: field N at byte B: message", as an invalid_argument Status.
  Status error(const Field& field, const std::string& message) const;
  Status error_at(size_t absolute_offset, const std::string& message) const;

  const std::string& path() const { return path_; }
  int depth() const { return depth_; }

 private:
  // Reads a varint at pos_ (advancing it); `what` names it in errors.
  Status read_varint(uint64_t* value, const char* what);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  std::string path_;
  size_t base_offset_;
  int depth_;
};

// Decodes one varint from [p, end); returns bytes consumed, 0 if truncated or longer than 10.
size_t decode_varint(const uint8_t* p, const uint8_t* end, uint64_t* value);

}  // namespace mint::util
