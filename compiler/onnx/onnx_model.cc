// Decoding of the onnx.proto subset (compiler/onnx/onnx_model.h).
#include "compiler/onnx/onnx_model.h"

#include <cstring>
#include <utility>

#include "compiler/onnx/protobuf_reader.h"

namespace mint::compiler::onnx {
namespace {

std::string indexed(const char* name, size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

// Element size of an ONNX dtype in raw_data, 0 if not decodable.
size_t raw_element_size(int32_t t) {
  switch (t) {
    case kOnnxFloat: case kOnnxInt32: return 4;
    case kOnnxInt64: case kOnnxDouble: return 8;
    case kOnnxInt16: case kOnnxUint16: return 2;
    case kOnnxInt8: case kOnnxUint8: case kOnnxBool: return 1;
    default: return 0;
  }
}

Result<OnnxTensor> decode_tensor(ProtoReader r) {
  OnnxTensor t;
  std::vector<float> float_data;
  std::vector<int64_t> int32_data, int64_data;
  std::vector<double> double_data;
  const uint8_t* raw = nullptr;
  size_t raw_size = 0;
  bool has_raw = false;
  int64_t data_location = 0;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    switch (f.number) {
      case 1: MINT_RETURN_IF_ERROR(r.append_int64s(f, &t.dims)); break;
      case 2: {
        MINT_ASSIGN_OR_RETURN(int64_t v, r.as_int64(f));
        t.data_type = static_cast<int32_t>(v);
        break;
      }
      case 4: MINT_RETURN_IF_ERROR(r.append_floats(f, &float_data)); break;
      case 5: MINT_RETURN_IF_ERROR(r.append_int64s(f, &int32_data)); break;
      case 7: MINT_RETURN_IF_ERROR(r.append_int64s(f, &int64_data)); break;
      case 8: { MINT_ASSIGN_OR_RETURN(t.name, r.as_string(f)); break; }
      case 9:
        if (f.wire != WireType::kLengthDelimited) return r.error(f, "raw_data must be bytes");
        raw = f.data;
        raw_size = f.size;
        has_raw = true;
        break;
      case 10: MINT_RETURN_IF_ERROR(r.append_doubles(f, &double_data)); break;
      case 14: { MINT_ASSIGN_OR_RETURN(data_location, r.as_int64(f)); break; }
      case 13:  // external_data entries
        data_location = 1;
        break;
      default: break;  // skipped
    }
  }
  const std::string where = r.path() + (t.name.empty() ? "" : " '" + t.name + "'");
  if (data_location != 0) {
    return Status::unsupported(where + ": external data (data_location=EXTERNAL) is not "
                               "supported; save the model with its weights inside the file");
  }
  int64_t count = 1;
  for (int64_t d : t.dims) {
    if (d < 0) return Status::invalid_argument(where + ": negative dimension " + std::to_string(d));
    if (d != 0 && count > (int64_t{1} << 40) / d) {
      return Status::invalid_argument(where + ": element count overflows");
    }
    count *= d;
  }
  const size_t esize = raw_element_size(t.data_type);
  if (esize == 0) {
    return Status::unsupported(where + ": dtype " + onnx_dtype_name(t.data_type) +
                               " is not supported (want float, double or an integer type)");
  }
  const int32_t dt = t.data_type;
  t.host = dt == kOnnxFloat || dt == kOnnxDouble ? HostType::kF32
           : dt == kOnnxInt64                    ? HostType::kI64
                                                 : HostType::kI32;
  size_t decoded = 0;
  if (has_raw) {
    if (raw_size % esize != 0) {
      return Status::invalid_argument(where + ": raw_data of " + std::to_string(raw_size) +
                                      " bytes is not a multiple of " + std::to_string(esize));
    }
    decoded = raw_size / esize;
    for (size_t i = 0; i < decoded; ++i) {
      const uint8_t* p = raw + i * esize;
      switch (dt) {
        case kOnnxFloat: { float v; std::memcpy(&v, p, 4); t.f32.push_back(v); break; }
        case kOnnxDouble: { double v; std::memcpy(&v, p, 8); t.f32.push_back(static_cast<float>(v)); break; }
        case kOnnxInt64: { int64_t v; std::memcpy(&v, p, 8); t.i64.push_back(v); break; }
        case kOnnxInt32: { int32_t v; std::memcpy(&v, p, 4); t.i32.push_back(v); break; }
        case kOnnxInt16: { int16_t v; std::memcpy(&v, p, 2); t.i32.push_back(v); break; }
        case kOnnxUint16: { uint16_t v; std::memcpy(&v, p, 2); t.i32.push_back(v); break; }
        case kOnnxInt8: t.i32.push_back(static_cast<int8_t>(*p)); break;
        default: t.i32.push_back(*p); break;  // uint8, bool
      }
    }
  } else if (dt == kOnnxFloat) {
    t.f32 = std::move(float_data);
    decoded = t.f32.size();
  } else if (dt == kOnnxDouble) {
    for (double d : double_data) t.f32.push_back(static_cast<float>(d));
    decoded = t.f32.size();
  } else if (dt == kOnnxInt64) {
    t.i64 = std::move(int64_data);
    decoded = t.i64.size();
  } else {
    for (int64_t v : int32_data) t.i32.push_back(static_cast<int32_t>(v));
    decoded = t.i32.size();
  }
  if (static_cast<int64_t>(decoded) != count) {
    std::string dims = "[";
    for (size_t i = 0; i < t.dims.size(); ++i) dims += (i ? "," : "") + std::to_string(t.dims[i]);
    return Status::invalid_argument(where + ": dims " + dims + "] hold " + std::to_string(count) +
                                    " elements but the data has " + std::to_string(decoded));
  }
  return t;
}

Result<OnnxAttribute> decode_attribute(ProtoReader r) {
  OnnxAttribute a;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    switch (f.number) {
      case 1: { MINT_ASSIGN_OR_RETURN(a.name, r.as_string(f)); break; }
      case 2: { MINT_ASSIGN_OR_RETURN(a.f, r.as_float(f)); break; }
      case 3: { MINT_ASSIGN_OR_RETURN(a.i, r.as_int64(f)); break; }
      case 4: { MINT_ASSIGN_OR_RETURN(a.s, r.as_string(f)); break; }
      case 5: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, "t"));
        MINT_ASSIGN_OR_RETURN(a.t, decode_tensor(sub));
        a.has_t = true;
        break;
      }
      case 7: MINT_RETURN_IF_ERROR(r.append_floats(f, &a.floats)); break;
      case 8: MINT_RETURN_IF_ERROR(r.append_int64s(f, &a.ints)); break;
      case 20: {
        MINT_ASSIGN_OR_RETURN(int64_t v, r.as_int64(f));
        a.type = static_cast<AttrType>(v);
        break;
      }
      default: break;
    }
  }
  return a;
}

Result<OnnxNode> decode_node(ProtoReader r) {
  OnnxNode n;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    switch (f.number) {
      case 1: { MINT_ASSIGN_OR_RETURN(std::string s, r.as_string(f)); n.inputs.push_back(std::move(s)); break; }
      case 2: { MINT_ASSIGN_OR_RETURN(std::string s, r.as_string(f)); n.outputs.push_back(std::move(s)); break; }
      case 3: { MINT_ASSIGN_OR_RETURN(n.name, r.as_string(f)); break; }
      case 4: { MINT_ASSIGN_OR_RETURN(n.op_type, r.as_string(f)); break; }
      case 5: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, indexed("attribute", n.attributes.size())));
        MINT_ASSIGN_OR_RETURN(OnnxAttribute a, decode_attribute(sub));
        n.attributes.push_back(std::move(a));
        break;
      }
      case 7: { MINT_ASSIGN_OR_RETURN(n.domain, r.as_string(f)); break; }
      default: break;
    }
  }
  return n;
}

Status decode_shape(ProtoReader r, OnnxValueInfo* v) {
  v->has_shape = true;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    if (f.number != 1) continue;
    MINT_ASSIGN_OR_RETURN(ProtoReader dim, r.sub(f, indexed("dim", v->dims.size())));
    int64_t value = -1;
    Field g;
    while (!dim.done()) {
      MINT_RETURN_IF_ERROR(dim.next(&g));
      if (g.number == 1) {
        MINT_ASSIGN_OR_RETURN(value, dim.as_int64(g));
        if (value < 0) return dim.error(g, "negative dim_value " + std::to_string(value));
      } else if (g.number == 2) {
        value = -1;
      }
    }
    v->dims.push_back(value);
  }
  return Status::ok();
}

Result<OnnxValueInfo> decode_value_info(ProtoReader r) {
  OnnxValueInfo v;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    if (f.number == 1) {
      MINT_ASSIGN_OR_RETURN(v.name, r.as_string(f));
    } else if (f.number == 2) {
      MINT_ASSIGN_OR_RETURN(ProtoReader type, r.sub(f, "type"));
      Field g;
      while (!type.done()) {
        MINT_RETURN_IF_ERROR(type.next(&g));
        if (g.number != 1) continue;  // only tensor_type
        MINT_ASSIGN_OR_RETURN(ProtoReader tensor, type.sub(g, "tensor_type"));
        Field h;
        while (!tensor.done()) {
          MINT_RETURN_IF_ERROR(tensor.next(&h));
          if (h.number == 1) {
            MINT_ASSIGN_OR_RETURN(int64_t t, tensor.as_int64(h));
            v.elem_type = static_cast<int32_t>(t);
          } else if (h.number == 2) {
            MINT_ASSIGN_OR_RETURN(ProtoReader shape, tensor.sub(h, "shape"));
            MINT_RETURN_IF_ERROR(decode_shape(shape, &v));
          }
        }
      }
    }
  }
  return v;
}

Result<OnnxGraph> decode_graph(ProtoReader r) {
  OnnxGraph g;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    switch (f.number) {
      case 1: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, indexed("node", g.nodes.size())));
        MINT_ASSIGN_OR_RETURN(OnnxNode n, decode_node(sub));
        g.nodes.push_back(std::move(n));
        break;
      }
      case 2: { MINT_ASSIGN_OR_RETURN(g.name, r.as_string(f)); break; }
      case 5: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, indexed("initializer", g.initializers.size())));
        MINT_ASSIGN_OR_RETURN(OnnxTensor t, decode_tensor(sub));
        g.initializers.push_back(std::move(t));
        break;
      }
      case 11:
      case 12:
      case 13: {
        auto& list = f.number == 11 ? g.inputs : f.number == 12 ? g.outputs : g.value_info;
        const char* name = f.number == 11 ? "input" : f.number == 12 ? "output" : "value_info";
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, indexed(name, list.size())));
        MINT_ASSIGN_OR_RETURN(OnnxValueInfo v, decode_value_info(sub));
        list.push_back(std::move(v));
        break;
      }
      default: break;
    }
  }
  return g;
}

}  // namespace

const char* onnx_dtype_name(int32_t t) {
  static const char* const kNames[] = {"UNDEFINED", "FLOAT",  "UINT8",   "INT8",   "UINT16",
                                       "INT16",     "INT32",  "INT64",   "STRING", "BOOL",
                                       "FLOAT16",   "DOUBLE", "UINT32",  "UINT64", "COMPLEX64",
                                       "COMPLEX128", "BFLOAT16"};
  if (t >= 0 && t < static_cast<int32_t>(sizeof(kNames) / sizeof(kNames[0]))) return kNames[t];
  return "unknown";
}

int64_t OnnxTensor::element_count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> OnnxTensor::as_i64() const {
  switch (host) {
    case HostType::kI64: return i64;
    case HostType::kI32: return std::vector<int64_t>(i32.begin(), i32.end());
    case HostType::kF32: {
      std::vector<int64_t> v;
      for (float x : f32) v.push_back(static_cast<int64_t>(x));
      return v;
    }
  }
  return {};
}

std::vector<float> OnnxTensor::as_f32() const {
  switch (host) {
    case HostType::kF32: return f32;
    case HostType::kI64: return std::vector<float>(i64.begin(), i64.end());
    case HostType::kI32: return std::vector<float>(i32.begin(), i32.end());
  }
  return {};
}

const OnnxAttribute* OnnxNode::attribute(const std::string& attr_name) const {
  for (const OnnxAttribute& a : attributes) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

Result<OnnxModel> decode_onnx_model(const uint8_t* data, size_t size) {
  ProtoReader r(data, size, "ModelProto");
  OnnxModel m;
  Field f;
  while (!r.done()) {
    MINT_RETURN_IF_ERROR(r.next(&f));
    switch (f.number) {
      case 1: { MINT_ASSIGN_OR_RETURN(m.ir_version, r.as_int64(f)); break; }
      case 7: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, "graph"));
        MINT_ASSIGN_OR_RETURN(m.graph, decode_graph(sub));
        m.has_graph = true;
        break;
      }
      case 8: {
        MINT_ASSIGN_OR_RETURN(ProtoReader sub, r.sub(f, indexed("opset_import", m.opset_imports.size())));
        OnnxOpset o;
        Field g;
        while (!sub.done()) {
          MINT_RETURN_IF_ERROR(sub.next(&g));
          if (g.number == 1) {
            MINT_ASSIGN_OR_RETURN(o.domain, sub.as_string(g));
          } else if (g.number == 2) {
            MINT_ASSIGN_OR_RETURN(o.version, sub.as_int64(g));
          }
        }
        m.opset_imports.push_back(std::move(o));
        break;
      }
      default: break;
    }
  }
  if (!m.has_graph) return Status::invalid_argument("ModelProto: no graph (field 7)");
  return m;
}

Result<OnnxTensor> decode_onnx_tensor(const uint8_t* data, size_t size) {
  return decode_tensor(ProtoReader(data, size, "TensorProto"));
}

}  // namespace mint::compiler::onnx
