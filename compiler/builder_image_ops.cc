// GraphBuilder helpers of the image and third-party model ops (compiler/graph.h).
#include <utility>

#include "compiler/graph.h"

namespace mint::compiler {
namespace {

template <typename T>
plan::OpOptionsUnion wrap(T options) {
  plan::OpOptionsUnion u;
  u.Set(std::move(options));
  return u;
}

}  // namespace

ValueId GraphBuilder::binary(plan::OpCode code, ValueId a, ValueId b, const std::string& name) {
  return add_node1(code, {a, b}, {}, name);
}

ValueId GraphBuilder::unary(plan::OpCode code, ValueId x, const std::string& name) {
  return add_node1(code, {x}, {}, name);
}

ValueId GraphBuilder::clip(ValueId x, float lo, float hi, const std::string& name) {
  plan::ClipOptionsT o;
  o.min = lo;
  o.max = hi;
  return add_node1(plan::OpCode::clip, {x}, wrap(o), name);
}

ValueId GraphBuilder::hard_sigmoid(ValueId x, float alpha, float beta, const std::string& name) {
  plan::HardSigmoidOptionsT o;
  o.alpha = alpha;
  o.beta = beta;
  return add_node1(plan::OpCode::hard_sigmoid, {x}, wrap(o), name);
}

ValueId GraphBuilder::max_pool2d(ValueId x, const plan::Pool2DOptionsT& options,
                                 const std::string& name) {
  return add_node1(plan::OpCode::max_pool2d, {x}, wrap(options), name);
}

ValueId GraphBuilder::average_pool2d(ValueId x, const plan::Pool2DOptionsT& options,
                                     const std::string& name) {
  return add_node1(plan::OpCode::average_pool2d, {x}, wrap(options), name);
}

ValueId GraphBuilder::resize(ValueId x, const plan::ResizeOptionsT& options,
                             const std::string& name) {
  return add_node1(plan::OpCode::resize, {x}, wrap(options), name);
}

ValueId GraphBuilder::pad(ValueId x, plan::PadMode mode, std::vector<int64_t> pads, float value,
                          const std::string& name) {
  plan::PadOptionsT o;
  o.mode = mode;
  o.pads = std::move(pads);
  o.value = value;
  return add_node1(plan::OpCode::pad, {x}, wrap(std::move(o)), name);
}

ValueId GraphBuilder::reduce_mean(ValueId x, std::vector<int32_t> axes, bool keepdims,
                                  const std::string& name) {
  plan::ReduceOptionsT o;
  o.axes = std::move(axes);
  o.keepdims = keepdims;
  return add_node1(plan::OpCode::reduce_mean, {x}, wrap(std::move(o)), name);
}

ValueId GraphBuilder::slice(ValueId x, std::vector<int64_t> starts, std::vector<int64_t> ends,
                            std::vector<int64_t> steps, const std::string& name) {
  plan::SliceOptionsT o;
  o.starts = std::move(starts);
  o.ends = std::move(ends);
  o.steps = std::move(steps);
  return add_node1(plan::OpCode::slice, {x}, wrap(std::move(o)), name);
}

}  // namespace mint::compiler
