// The subset of onnx.proto (onnx/onnx.proto) that mint's ONNX importer reads, decoded into
// plain C++ structs by the wire-format reader (compiler/onnx/protobuf_reader.h).
//
// Decoded: ModelProto {ir_version=1, graph=7, opset_import=8}; GraphProto {node=1, name=2,
// initializer=5, input=11, output=12, value_info=13}; NodeProto {input=1, output=2, name=3,
// op_type=4, attribute=5, domain=7}; AttributeProto {name=1, f=2, i=3, s=4, t=5, floats=7,
// ints=8, type=20}; TensorProto {dims=1, data_type=2, float_data=4, int32_data=5,
// int64_data=7, name=8, raw_data=9, double_data=10, data_location=14}; ValueInfoProto
// {name=1, type=2 -> TypeProto.tensor_type=1 -> {elem_type=1, shape=2 -> dim=1 ->
// {dim_value=1, dim_param=2}}}; OperatorSetIdProto {domain=1, version=2}. Every other field is
// skipped.
//
// Tensors are decoded to host vectors: FLOAT and DOUBLE -> f32; INT64 -> i64; INT32, INT16,
// INT8, UINT8, UINT16 and BOOL -> i32. The element count implied by dims must equal the
// number of values decoded (raw_data: its byte size must be count * element size). Other
// dtypes (string, float16, complex, ...) and external data (data_location = EXTERNAL) are
// errors (unsupported), as is any malformed field (invalid_argument); messages name the field
// path and byte offset, e.g. "ModelProto.graph.initializer[2] 'w': ...".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace mint::compiler::onnx {

// TensorProto.DataType values.
enum OnnxDataType : int32_t {
  kOnnxUndefined = 0,
  kOnnxFloat = 1,
  kOnnxUint8 = 2,
  kOnnxInt8 = 3,
  kOnnxUint16 = 4,
  kOnnxInt16 = 5,
  kOnnxInt32 = 6,
  kOnnxInt64 = 7,
  kOnnxString = 8,
  kOnnxBool = 9,
  kOnnxFloat16 = 10,
  kOnnxDouble = 11,
};
const char* onnx_dtype_name(int32_t data_type);

// Which host vector of an OnnxTensor holds its values.
enum class HostType : uint8_t { kF32, kI64, kI32 };

struct OnnxTensor {
  std::string name;
  int32_t data_type = kOnnxUndefined;  // the ONNX dtype as declared
  std::vector<int64_t> dims;
  HostType host = HostType::kF32;
  std::vector<float> f32;    // host == kF32
  std::vector<int64_t> i64;  // host == kI64
  std::vector<int32_t> i32;  // host == kI32

  int64_t element_count() const;  // product of dims (1 for a scalar)
  // The values converted to i64 / f32 (for shape inputs and scalar attributes).
  std::vector<int64_t> as_i64() const;
  std::vector<float> as_f32() const;
};

enum class AttrType : int32_t {
  kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5,
  kFloats = 6, kInts = 7, kStrings = 8, kTensors = 9, kGraphs = 10,
};

struct OnnxAttribute {
  std::string name;
  AttrType type = AttrType::kUndefined;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  bool has_t = false;
  OnnxTensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
};

struct OnnxNode {
  std::vector<std::string> inputs;   // "" marks an absent optional input
  std::vector<std::string> outputs;
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* attribute(const std::string& attr_name) const;
};

struct OnnxValueInfo {
  std::string name;
  int32_t elem_type = kOnnxUndefined;
  bool has_shape = false;
  std::vector<int64_t> dims;  // -1 where the dimension is symbolic or unknown
};

struct OnnxGraph {
  std::string name;
  std::vector<OnnxNode> nodes;
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;
  std::vector<OnnxValueInfo> outputs;
  std::vector<OnnxValueInfo> value_info;
};

struct OnnxOpset {
  std::string domain;  // "" or "ai.onnx" for the default domain
  int64_t version = 0;
};

struct OnnxModel {
  int64_t ir_version = 0;
  std::vector<OnnxOpset> opset_imports;
  bool has_graph = false;
  OnnxGraph graph;
};

// Decodes a serialized ModelProto.
Result<OnnxModel> decode_onnx_model(const uint8_t* data, size_t size);
// Decodes a serialized TensorProto (e.g. the test data sets' input_0.pb).
Result<OnnxTensor> decode_onnx_tensor(const uint8_t* data, size_t size);

}  // namespace mint::compiler::onnx
