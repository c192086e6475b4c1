// The ONNX frontend's protobuf reader is the runtime's (runtime/util/protobuf_reader.h, where its
// contract is); these names keep the frontend's spelling.
#pragma once

#include "runtime/util/protobuf_reader.h"

namespace mint::compiler::onnx {

using ::mint::util::decode_varint;
using ::mint::util::Field;
using ::mint::util::ProtoReader;
using ::mint::util::WireType;

}  // namespace mint::compiler::onnx
