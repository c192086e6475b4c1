#include "compiler/graph.h"

#include <cstring>

#include "compiler/shape_inference.h"
#include "runtime/ops/op.h"

namespace mint::compiler {

int64_t Graph::element_count(ValueId v) const {
  int64_t n = 1;
  for (int64_t d : values[v].shape) n *= d;
  return n;
}

ValueId GraphBuilder::add_value(Value value) {
  graph_.values.push_back(std::move(value));
  return static_cast<ValueId>(graph_.values.size() - 1);
}

namespace {
bool is_data_movement(plan::OpCode code) {
  return code == plan::OpCode::reshape || code == plan::OpCode::transpose ||
         code == plan::OpCode::concat;
}

Status check_shape(const std::string& what, const std::vector<int64_t>& shape) {
  if (shape.size() > kMaxRank) {
    return Status::invalid_argument(what + " has rank " + std::to_string(shape.size()) +
                                    ", at most " + std::to_string(kMaxRank) + " is supported");
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return Status::invalid_argument(what + " has a negative dimension");
    if (d > 0 && n > (int64_t{1} << 40) / d) return Status::invalid_argument(what + " is too large");
    n *= d;
  }
  return Status::ok();
}
}  // namespace

ValueId GraphBuilder::input(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            QuantSpec quant) {
  if (!status_.is_ok()) return kInvalidValue;
  status_ = check_shape("input '" + name + "'", shape);
  if (!status_.is_ok()) return kInvalidValue;
  Value v;
  v.name = name;
  v.kind = ValueKind::kInput;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.quant = std::move(quant);
  const ValueId id = add_value(std::move(v));
  graph_.inputs.push_back(id);
  if (!graph_.segments.empty()) graph_.segments.back().inputs.push_back(id);
  return id;
}

ValueId GraphBuilder::state(const std::string& name, DType dtype, std::vector<int64_t> shape) {
  if (!status_.is_ok()) return kInvalidValue;
  status_ = check_shape("state '" + name + "'", shape);
  if (!status_.is_ok()) return kInvalidValue;
  Value v;
  v.name = name;
  v.kind = ValueKind::kState;
  v.dtype = dtype;
  v.shape = std::move(shape);
  return add_value(std::move(v));
}

void GraphBuilder::begin_segment(const std::string& name) {
  if (!status_.is_ok()) return;
  if (graph_.segments.empty() && (!graph_.nodes.empty() || !graph_.inputs.empty() || !graph_.outputs.empty())) {
    status_ = Status::invalid_argument("begin_segment('" + name + "') after nodes were added outside segments");
    return;
  }
  for (const Segment& s : graph_.segments) {
    if (s.name == name) {
      status_ = Status::invalid_argument("segment '" + name + "' already exists");
      return;
    }
  }
  if (!graph_.segments.empty()) {
    Segment& last = graph_.segments.back();
    last.node_count = graph_.nodes.size() - last.first_node;
  }
  Segment seg;
  seg.name = name;
  seg.first_node = graph_.nodes.size();
  graph_.segments.push_back(std::move(seg));
}

ValueId GraphBuilder::constant(const std::string& name, DType dtype, std::vector<int64_t> shape,
                               std::vector<uint8_t> bytes, QuantSpec quant) {
  if (!status_.is_ok()) return kInvalidValue;
  status_ = check_shape("constant '" + name + "'", shape);
  if (!status_.is_ok()) return kInvalidValue;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (bytes.size() != plain_byte_size(dtype, n)) {
    status_ = Status::invalid_argument("constant '" + name + "' has " + std::to_string(bytes.size()) +
                                       " bytes, want " + std::to_string(plain_byte_size(dtype, n)));
    return kInvalidValue;
  }
  Value v;
  v.name = name;
  v.kind = ValueKind::kConstant;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.quant = std::move(quant);
  v.data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  return add_value(std::move(v));
}

ValueId GraphBuilder::constant_f32(const std::string& name, std::vector<int64_t> shape,
                                   const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return constant(name, DType::f32, std::move(shape), std::move(bytes));
}

ValueId GraphBuilder::constant_i32(const std::string& name, std::vector<int64_t> shape,
                                   const std::vector<int32_t>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(int32_t));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return constant(name, DType::i32, std::move(shape), std::move(bytes));
}

void GraphBuilder::output(ValueId value) {
  if (!status_.is_ok()) return;
  if (value < 0 || static_cast<size_t>(value) >= graph_.values.size()) {
    status_ = Status::invalid_argument("output: value " + std::to_string(value) + " does not exist");
    return;
  }
  if (graph_.values[value].is_output) {
    status_ = Status::invalid_argument("output: value '" + graph_.values[value].name +
                                       "' is already an output");
    return;
  }
  graph_.values[value].is_output = true;
  graph_.outputs.push_back(value);
  if (!graph_.segments.empty()) graph_.segments.back().outputs.push_back(value);
}

bool GraphBuilder::check_ids(const std::vector<ValueId>& ids, bool allow_absent) {
  for (size_t i = 0; i < ids.size(); ++i) {
    const ValueId id = ids[i];
    if (id == kInvalidValue && allow_absent && i > 0) continue;
    if (id < 0 || static_cast<size_t>(id) >= graph_.values.size()) {
      status_ = Status::invalid_argument("input " + std::to_string(i) + " is value " +
                                         std::to_string(id) + ", which does not exist");
      return false;
    }
  }
  return true;
}

std::vector<ValueId> GraphBuilder::add_node(plan::OpCode code, std::vector<ValueId> inputs,
                                            plan::OpOptionsUnion options, const std::string& name,
                                            size_t num_outputs, QuantSpec out_quant) {
  if (!status_.is_ok()) return std::vector<ValueId>(num_outputs, kInvalidValue);
  const std::string where = "node " + std::to_string(graph_.nodes.size()) + " (" +
                            op_code_name(code) + (name.empty() ? "" : " '" + name + "'") + ")";
  if (!check_ids(inputs, true)) {
    status_ = status_.with_context(where);
    return std::vector<ValueId>(num_outputs, kInvalidValue);
  }
  Node node;
  node.code = code;
  node.options = std::move(options);
  node.inputs = std::move(inputs);
  node.name = name.empty() ? std::string(op_code_name(code)) + "_" + std::to_string(graph_.nodes.size()) : name;
  auto inferred = infer_node(graph_, node);
  if (!inferred.is_ok()) {
    status_ = inferred.status().with_context(where);
    return std::vector<ValueId>(num_outputs, kInvalidValue);
  }
  if (inferred.value().size() != num_outputs) {
    status_ = Status::invalid_argument(where + ": has " + std::to_string(inferred.value().size()) +
                                       " results, " + std::to_string(num_outputs) + " requested");
    return std::vector<ValueId>(num_outputs, kInvalidValue);
  }
  std::vector<ValueId> results;
  for (size_t i = 0; i < num_outputs; ++i) {
    Value v;
    v.name = num_outputs == 1 ? node.name : node.name + ":" + std::to_string(i);
    v.kind = ValueKind::kIntermediate;
    v.dtype = inferred.value()[i].dtype;
    v.shape = inferred.value()[i].shape;
    if (v.dtype == DType::i8 || v.dtype == DType::u8) {
      if (out_quant.kind != plan::QuantKind::none) {
        v.quant = out_quant;
      } else if (is_data_movement(code) && !node.inputs.empty() && node.inputs[0] >= 0) {
        v.quant = graph_.values[node.inputs[0]].quant;  // values are moved, not requantized
      } else {
        status_ = Status::invalid_argument(where + ": result " + std::to_string(i) +
                                           " is " + dtype_name(v.dtype) +
                                           " and needs its quantization (out_quant)");
        return std::vector<ValueId>(num_outputs, kInvalidValue);
      }
    }
    results.push_back(add_value(std::move(v)));
  }
  node.outputs = results;
  graph_.nodes.push_back(std::move(node));
  return results;
}

ValueId GraphBuilder::add_node1(plan::OpCode code, std::vector<ValueId> inputs,
                                plan::OpOptionsUnion options, const std::string& name) {
  return add_node(code, std::move(inputs), std::move(options), name, 1)[0];
}

Result<Graph> GraphBuilder::finish() {
  if (!status_.is_ok()) return status_;
  if (graph_.outputs.empty()) return Status::invalid_argument("graph has no outputs");
  if (!graph_.segments.empty()) {
    Segment& last = graph_.segments.back();
    last.node_count = graph_.nodes.size() - last.first_node;
    for (const Segment& s : graph_.segments) {
      if (s.node_count == 0) return Status::invalid_argument("segment '" + s.name + "' has no nodes");
    }
  }
  return graph_;
}

}  // namespace mint::compiler
