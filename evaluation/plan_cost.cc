#include "evaluation/plan_cost.h"

#include <set>

namespace mint::eval {
namespace {

uint64_t last_dim(const TensorDesc* t) {
  return t && t->shape.rank > 0 ? uint64_t(t->shape[t->shape.rank - 1]) : 0;
}

uint64_t op_macs(const OpView& op) {
  if (op.outputs.empty() || !op.outputs[0] || op.inputs.empty() || !op.inputs[0]) return 0;
  const TensorDesc& x = *op.inputs[0];
  const TensorDesc& y = *op.outputs[0];
  const uint64_t out = uint64_t(y.shape.elements());
  switch (op.op->opcode()) {
    case plan::OpCode::fully_connected:
    case plan::OpCode::matmul:
      return out * last_dim(&x);
    case plan::OpCode::conv2d: {
      const auto* o = op.op->options_as_Conv2DOptions();
      if (!o || x.shape.rank != 4) return 0;
      const uint64_t groups = o->groups() > 0 ? uint64_t(o->groups()) : 1;
      return out * uint64_t(o->kernel_h()) * uint64_t(o->kernel_w()) *
             (uint64_t(x.shape[3]) / groups);
    }
    case plan::OpCode::transposed_conv2d: {
      const auto* o = op.op->options_as_TransposedConv2DOptions();
      if (!o || x.shape.rank != 4 || y.shape.rank != 4) return 0;
      return uint64_t(x.shape.elements()) * uint64_t(o->kernel_h()) * uint64_t(o->kernel_w()) *
             uint64_t(y.shape[3]);
    }
    default:
      return 0;
  }
}

}  // namespace

PlanCost plan_cost(const Model& model) {
  PlanCost c;
  c.file_size = model.file_size();
  std::set<int32_t> counted;
  for (const OpView& op : model.ops()) {
    const uint64_t macs = op_macs(op);
    if (macs > 0) {
      c.ops.push_back({op.index, model.op_definitions()[op.index]->name, macs});
      c.macs += macs;
    }
    const plan::OpCode code = op.op->opcode();
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const TensorDesc* t = op.inputs[i];
      if (!t || t->storage != plan::Storage::constant || !counted.insert(op.input_ids[i]).second)
        continue;
      c.params += uint64_t(t->shape.elements());
      c.constant_bytes += t->byte_size;
      // (A tied head's packed weights may be met first as an embedding table.)
      const bool gemm_weight =
          t->layout != plan::Layout::plain && t->shape.rank >= 1 &&
          ((i == 1 && (code == plan::OpCode::fully_connected || code == plan::OpCode::conv2d)) ||
           (i == 0 && code == plan::OpCode::embedding));
      if (gemm_weight) c.params += uint64_t(t->shape[0]);
    }
  }
  c.flops = 2 * c.macs;
  return c;
}

}  // namespace mint::eval
