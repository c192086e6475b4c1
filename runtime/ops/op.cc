#include "runtime/ops/op.h"

#include "runtime/ops/op_util.h"

namespace mint {

#define MINT_OP(code, def) extern const OpDefinition def;
#include "runtime/ops/op_list.inc"
#undef MINT_OP

namespace {
const OpDefinition* const kOps[] = {
#define MINT_OP(code, def) &def,
#include "runtime/ops/op_list.inc"
#undef MINT_OP
};
}  // namespace

const OpDefinition* find_op_definition(plan::OpCode code) {
  for (const OpDefinition* def : kOps) {
    if (def->code == code) return def;
  }
  return nullptr;
}

std::string op_code_name(plan::OpCode code) {
  const auto v = static_cast<uint16_t>(code);
  if (v <= static_cast<uint16_t>(plan::OpCode::MAX)) return plan::EnumNameOpCode(code);
  return "opcode " + std::to_string(v);
}

Status expect_io_counts(const OpView& op, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs) {
    return Status::invalid_plan("has " + std::to_string(op.inputs.size()) + " inputs, want " +
                                (min_inputs == max_inputs
                                     ? std::to_string(min_inputs)
                                     : std::to_string(min_inputs) + " to " + std::to_string(max_inputs)));
  }
  if (op.outputs.size() != outputs) {
    return Status::invalid_plan("has " + std::to_string(op.outputs.size()) + " outputs, want " +
                                std::to_string(outputs));
  }
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    if (op.outputs[i] == nullptr) return Status::invalid_plan("output " + std::to_string(i) + " is absent");
  }
  return Status::ok();
}

Status expect_present(const OpView& op, size_t i) {
  if (i >= op.inputs.size() || op.inputs[i] == nullptr) {
    return Status::invalid_plan("input " + std::to_string(i) + " is required but absent");
  }
  return Status::ok();
}

Status expect_dtype(const TensorDesc& t, const char* role, size_t i, DType want) {
  if (t.dtype == want) return Status::ok();
  return Status::invalid_plan(tensor_ref(role, i, t) + " has dtype " + dtype_name(t.dtype) +
                              ", want " + dtype_name(want));
}

Status expect_rank(const TensorDesc& t, const char* role, size_t i, size_t want) {
  if (t.shape.rank == want) return Status::ok();
  return Status::invalid_plan(tensor_ref(role, i, t) + " has rank " + std::to_string(t.shape.rank) +
                              ", want " + std::to_string(want));
}

Status expect_same_shape(const TensorDesc& t, const char* role, size_t i, const Shape& want) {
  if (t.shape == want) return Status::ok();
  return Status::invalid_plan(tensor_ref(role, i, t) + " has shape " + t.shape.to_string() +
                              ", want " + want.to_string());
}

Status expect_layout(const TensorDesc& t, const char* role, size_t i, plan::Layout want) {
  if (t.layout == want) return Status::ok();
  return Status::invalid_plan(tensor_ref(role, i, t) + " has layout " + layout_name(t.layout) +
                              ", want " + layout_name(want));
}

}  // namespace mint
